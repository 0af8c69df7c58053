package bench

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/staffsync/staffsync/directory"
)

func TestBranchingGivesEightLevels(t *testing.T) {
	for _, tc := range []struct{ people, branching int }{
		{people: 100, branching: 2},
		{people: 100_000, branching: 6},
		{people: 1_000_000, branching: 8},
	} {
		if got := Branching(tc.people); got != tc.branching {
			t.Errorf("Branching(%d) = %d, want %d", tc.people, got, tc.branching)
		}
	}
}

func depthOf(people []Person) int {
	index := make(map[string]int, len(people))
	for i := range people {
		index[people[i][directory.Email]] = i
	}
	depth := 0
	for i := range people {
		d := 1
		for m := people[i][directory.ManagerEmail]; m != ""; m = people[index[m]][directory.ManagerEmail] {
			d++
		}
		depth = max(depth, d)
	}
	return depth
}

func TestGeneratePeople(t *testing.T) {
	people := GeneratePeople(20_000, 1)
	if got := depthOf(people); got != TreeLevels {
		t.Errorf("tree depth = %d, want %d", got, TreeLevels)
	}
	accented := 0
	for _, p := range people {
		if !utf8.ValidString(p[directory.FirstName]) {
			t.Fatalf("invalid UTF-8 name %q", p[directory.FirstName])
		}
		if strings.ContainsFunc(p[directory.FirstName]+p[directory.LastName], func(r rune) bool { return r > 127 }) {
			accented++
		}
	}
	if accented < len(people)/3 {
		t.Errorf("%d of %d people have accented names, want at least a third", accented, len(people))
	}
	again := GeneratePeople(20_000, 1)
	if again[12345] != people[12345] {
		t.Errorf("generation is not deterministic: %v vs %v", again[12345], people[12345])
	}
}

func TestChange(t *testing.T) {
	people := GeneratePeople(10_000, 1)
	changed, counts := Change(people)
	if want := (ChangeCounts{Changed: 500, New: 100, Missing: 100}); counts != want {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}
	if len(changed) != len(people)-counts.Missing+counts.New {
		t.Errorf("%d people in the changed file, want %d", len(changed), len(people)-counts.Missing+counts.New)
	}
	present := map[string]bool{}
	for _, p := range changed {
		present[p[directory.Email]] = true
	}
	for _, p := range changed {
		for _, m := range []string{p[directory.ManagerEmail], p[directory.SecondaryManagerEmail]} {
			if m != "" && !present[m] {
				t.Fatalf("%s reports to %s, who is missing from the file", p[directory.Email], m)
			}
		}
	}
}

func TestWriteFileCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteFile(&buf, "csv", GeneratePeople(3, 1)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\r\n"), "\r\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want header + 3", len(lines))
	}
	if !strings.Contains(lines[2], Email(1)+","+Email(0)) {
		t.Errorf("row of person 1 = %q, want their email followed by the CEO's", lines[2])
	}
}

func TestInDomain(t *testing.T) {
	people := GeneratePeople(3, 1)
	moved := InDomain(people, "other.example.org")
	if got, want := moved[2][directory.ManagerEmail], "person0000000@other.example.org"; got != want {
		t.Errorf("manager email = %q, want %q", got, want)
	}
	if moved[2][directory.FirstName] != people[2][directory.FirstName] || people[2][directory.Email] != Email(2) {
		t.Errorf("InDomain changed more than the emails, or changed its input")
	}
}
