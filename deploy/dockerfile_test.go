package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dockerfileInstructions splits a Dockerfile into instructions, joining continuation lines
// and dropping comments, e.g. {"FROM", "golang:1.26 AS build"}.
func dockerfileInstructions(text string) [][2]string {
	var instructions [][2]string
	var current strings.Builder
	flush := func() {
		line := strings.TrimSpace(current.String())
		current.Reset()
		if line == "" {
			return
		}
		keyword, args, _ := strings.Cut(line, " ")
		instructions = append(instructions, [2]string{strings.ToUpper(keyword), strings.Join(strings.Fields(args), " ")})
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			current.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		current.WriteString(trimmed)
		flush()
	}
	flush()
	return instructions
}

func TestDockerfile(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	instructions := dockerfileInstructions(string(text))

	var froms, runs []string
	var user, entrypoint string
	for _, ins := range instructions {
		switch ins[0] {
		case "FROM":
			froms = append(froms, ins[1])
			user = "" // USER applies per stage; only the final stage's counts
		case "RUN":
			runs = append(runs, ins[1])
		case "USER":
			user = ins[1]
		case "ENTRYPOINT":
			entrypoint = ins[1]
		}
	}

	if len(froms) < 2 {
		t.Fatalf("FROM lines = %q, want a multi-stage build", froms)
	}
	if froms[0] != "golang:1.26 AS build" {
		t.Errorf("first stage = %q, want %q", froms[0], "golang:1.26 AS build")
	}
	final := froms[len(froms)-1]
	if !regexp.MustCompile(`^(gcr\.io/distroless/|debian:[a-z0-9.]+-slim)`).MatchString(final) {
		t.Errorf("final stage = %q, want distroless or debian-slim", final)
	}

	buildCommand := regexp.MustCompile(`\bCGO_ENABLED=0 go build\b.* \./cmd/staffsync ./cmd/staffsyncctl$`)
	if !slices.ContainsFunc(runs, buildCommand.MatchString) {
		t.Errorf("no RUN builds ./cmd/staffsync and ./cmd/staffsyncctl with CGO_ENABLED=0; RUN lines are %q", runs)
	}

	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("final stage USER = %q, want a non-root user", user)
	}
	if entrypoint != `["/usr/local/bin/staffsync"]` {
		t.Errorf("ENTRYPOINT = %s, want [\"/usr/local/bin/staffsync\"]", entrypoint)
	}
	if !strings.Contains(string(text), "COPY --from=build /out/staffsync /out/staffsyncctl /usr/local/bin/") {
		t.Errorf("final stage does not copy both binaries into /usr/local/bin")
	}
}

func TestDockerfileInstructions(t *testing.T) {
	text := "# comment\nFROM golang:1.26 AS build\nRUN a \\\n    b \\\n  c\n\nuser nonroot\n"
	got := dockerfileInstructions(text)
	want := [][2]string{{"FROM", "golang:1.26 AS build"}, {"RUN", "a b c"}, {"USER", "nonroot"}}
	if !slices.Equal(got, want) {
		t.Errorf("dockerfileInstructions = %q, want %q", got, want)
	}
}
