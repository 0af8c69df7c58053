package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs staffsyncctl against addr with the test token in the environment.
func runCLI(t *testing.T, addr string, args ...string) cliResult {
	t.Helper()
	env := map[string]string{"STAFFSYNC_ADDR": addr, "STAFFSYNC_TOKEN": testToken, "TZ": "UTC"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func importAt(status v1.ImportStatus, version int64) *v1.Import {
	im := sampleImport()
	im.Status, im.PreviewVersion, im.GuardTripped, im.GuardReason = status, version, false, ""
	return im
}

func writeUpload(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte("First Name,Last Name,Email\nAnn,Lee,ann@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportStartWaitUsesStream(t *testing.T) {
	fake := &fakeImports{
		started: importAt(v1.ImportStatus_IMPORT_STATUS_PARSING, 0),
		watch: []*v1.Import{
			importAt(v1.ImportStatus_IMPORT_STATUS_PARSING, 0),
			importAt(v1.ImportStatus_IMPORT_STATUS_PREVIEWING, 0),
			importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 1),
		},
	}
	addr := startFakeServer(t, fake, nil)
	path := writeUpload(t)

	res := runCLI(t, addr, "import", "start", path, "--wait", "--deactivate-missing", "--update-existing-core-fields=false", "--max-deactivations", "5")
	if res.code != 0 {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	wantProgress := "import 42: parsing (31 rows)\nimport 42: previewing (31 rows)\nimport 42: awaiting approval (31 rows)\nImport 42\n"
	if !strings.HasPrefix(res.stdout, wantProgress) {
		t.Errorf("stdout starts %q, want %q", res.stdout, wantProgress)
	}
	if !strings.Contains(res.stdout, "Preview:   version 1\n\nnew 30 · updated 0 · unchanged 0 · deactivated 12 · reactivated 0 · error 1 · warnings 2\n") {
		t.Errorf("stdout lacks the preview summary:\n%s", res.stdout)
	}
	if len(fake.startReqs) != 1 {
		t.Fatalf("StartImport called %d times", len(fake.startReqs))
	}
	req := fake.startReqs[0]
	wantOpts := &v1.ImportOptions{DeactivateMissing: proto.Bool(true), UpdateExistingCoreFields: proto.Bool(false), MaxDeactivations: 5}
	if req.FileName != "people.csv" || string(req.Content) != "First Name,Last Name,Email\nAnn,Lee,ann@example.com\n" || !proto.Equal(req.Options, wantOpts) {
		t.Errorf("StartImport request = %v, want file people.csv with options %v", req, wantOpts)
	}
	if fake.getCalls != 0 {
		t.Errorf("GetImport polled %d times although the stream worked", fake.getCalls)
	}
	for i, h := range fake.auth {
		if h != "Bearer "+testToken {
			t.Errorf("call %d sent Authorization %q", i, h)
		}
	}
	if len(fake.auth) != 2 {
		t.Errorf("calls = %d, want StartImport and WatchImport", len(fake.auth))
	}
}

func TestImportStartWaitFallsBackToPolling(t *testing.T) {
	fake := &fakeImports{
		started:  importAt(v1.ImportStatus_IMPORT_STATUS_PARSING, 0),
		watchErr: connect.NewError(connect.CodeUnimplemented, errors.New("streams are off")),
		gets: []*v1.Import{
			importAt(v1.ImportStatus_IMPORT_STATUS_PREVIEWING, 0),
			importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 1),
		},
	}
	addr := startFakeServer(t, fake, nil)
	res := runCLI(t, addr, "--json", "import", "start", writeUpload(t), "--wait")
	if res.code != 0 {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	if fake.getCalls != 2 {
		t.Errorf("GetImport called %d times, want 2", fake.getCalls)
	}
	if !strings.HasPrefix(res.stdout, "{\n  \"id\": \"42\",\n  \"status\": \"awaiting_approval\",") {
		t.Errorf("--json output is not the import alone:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout, "import 42:") {
		t.Errorf("progress mixed into --json output:\n%s", res.stdout)
	}
	if fake.startReqs[0].Options != nil {
		t.Errorf("options sent although no option flag was set: %v", fake.startReqs[0].Options)
	}
}

func TestImportStartWaitOnTerminalRewritesOneLine(t *testing.T) {
	fake := &fakeImports{
		started: importAt(v1.ImportStatus_IMPORT_STATUS_PARSING, 0),
		watch:   []*v1.Import{importAt(v1.ImportStatus_IMPORT_STATUS_PREVIEWING, 0), importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 1)},
	}
	addr := startFakeServer(t, fake, nil)
	stdout := &terminalBuffer{}
	var stderr bytes.Buffer
	env := map[string]string{"STAFFSYNC_TOKEN": testToken, "TZ": "UTC"}
	code := run(context.Background(), []string{"import", "start", writeUpload(t), "--addr", addr, "--wait"}, stdout, &stderr, func(k string) string { return env[k] })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := "\rimport 42: parsing (31 rows)\rimport 42: previewing (31 rows)\rimport 42: awaiting approval (31 rows)\nImport 42\n"
	if !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("stdout starts %q, want %q", stdout.String()[:min(len(want), stdout.Len())], want)
	}
}

func TestImportStartWithoutWaitPrintsID(t *testing.T) {
	fake := &fakeImports{started: importAt(v1.ImportStatus_IMPORT_STATUS_PARSING, 0)}
	addr := startFakeServer(t, fake, nil)
	res := runCLI(t, addr, "import", "start", writeUpload(t), "--sheet", "People")
	if res.code != 0 || res.stdout != "42\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	if got := fake.startReqs[0].Options; !proto.Equal(got, &v1.ImportOptions{Sheet: "People"}) {
		t.Errorf("options = %v, want only the sheet", got)
	}
}

func TestImportStartWaitFailedExitsOne(t *testing.T) {
	failed := importAt(v1.ImportStatus_IMPORT_STATUS_FAILED, 0)
	failed.ErrorMessage = "a required column is missing: Email. Add it to the header row"
	fake := &fakeImports{started: importAt(v1.ImportStatus_IMPORT_STATUS_PARSING, 0), watch: []*v1.Import{failed}}
	addr := startFakeServer(t, fake, nil)
	res := runCLI(t, addr, "import", "start", writeUpload(t), "--wait")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1", res.code)
	}
	if want := "staffsyncctl: import 42 failed: a required column is missing: Email. Add it to the header row\n"; res.stderr != want {
		t.Errorf("stderr = %q, want %q", res.stderr, want)
	}
	if !strings.Contains(res.stdout, "Error:     a required column is missing") {
		t.Errorf("stdout lacks the error:\n%s", res.stdout)
	}
}

func TestImportChangesPaging(t *testing.T) {
	var changes []*v1.Change
	for i := range 5 {
		changes = append(changes, &v1.Change{Row: int32(i + 2), Email: "p" + strconv.Itoa(i) + "@example.com", Name: "Person " + strconv.Itoa(i), Kind: v1.ChangeKind_CHANGE_KIND_NEW, Reason: "not in the directory yet"})
	}
	tests := []struct {
		name          string
		args          []string
		wantRows      []int32
		wantTokens    []string
		wantPageSizes []int32
	}{
		{name: "all pages", args: nil, wantRows: []int32{2, 3, 4, 5, 6}, wantTokens: []string{"", "2", "4"}, wantPageSizes: []int32{500, 500, 500}},
		{name: "limit stops early", args: []string{"--limit", "3"}, wantRows: []int32{2, 3, 4}, wantTokens: []string{"", "2"}, wantPageSizes: []int32{3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeImports{changes: changes, changesPerPage: 2, gets: []*v1.Import{importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 1)}}
			addr := startFakeServer(t, fake, nil)
			args := append([]string{"import", "changes", "42", "--json", "--kind", "new", "--kind", "error", "--warnings", "--search", "example"}, tt.args...)
			res := runCLI(t, addr, args...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			var rows []int32
			for _, line := range strings.Split(res.stdout, "\n") {
				if v, ok := strings.CutPrefix(line, `    "row": `); ok {
					n, _ := strconv.Atoi(strings.TrimSuffix(v, ","))
					rows = append(rows, int32(n))
				}
			}
			if !slices.Equal(rows, tt.wantRows) {
				t.Errorf("rows = %v, want %v", rows, tt.wantRows)
			}
			var tokens []string
			var sizes []int32
			for _, req := range fake.changeReqs {
				tokens = append(tokens, req.PageToken)
				sizes = append(sizes, req.PageSize)
				wantKinds := []v1.ChangeKind{v1.ChangeKind_CHANGE_KIND_NEW, v1.ChangeKind_CHANGE_KIND_ERROR}
				if req.ImportId != "42" || !slices.Equal(req.Kinds, wantKinds) || !req.HasWarnings || req.Search != "example" {
					t.Errorf("request = %v, want import 42, kinds new+error, warnings only, search example", req)
				}
			}
			if !slices.Equal(tokens, tt.wantTokens) || !slices.Equal(sizes, tt.wantPageSizes) {
				t.Errorf("page tokens %q sizes %v, want %q %v", tokens, sizes, tt.wantTokens, tt.wantPageSizes)
			}
		})
	}
}

func TestImportChangesText(t *testing.T) {
	fake := &fakeImports{changes: sampleChanges(), changesPerPage: 2, gets: []*v1.Import{importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 1)}}
	addr := startFakeServer(t, fake, nil)
	res := runCLI(t, addr, "import", "changes", "42", "--limit", "2")
	want := `new 30 · updated 0 · unchanged 0 · deactivated 12 · reactivated 0 · error 1 · warnings 2

ROW  KIND     EMAIL            NAME       REASON
2    updated  ann@example.com  Ann Lee    title changed
  title: "Engineer" -> "Senior Engineer"
3    error    bob@example.com  Bob Stone  not imported: Email: not a valid email
  error: Email: not a valid email

showing 2 of 3 changes
`
	if res.code != 0 || res.stdout != want {
		t.Errorf("exit %d, stdout =\n%s\nwant\n%s\nstderr %s", res.code, res.stdout, want, res.stderr)
	}
}

func TestImportApprove(t *testing.T) {
	applying := importAt(v1.ImportStatus_IMPORT_STATUS_APPLYING, 7)
	applied := importAt(v1.ImportStatus_IMPORT_STATUS_APPLIED, 7)
	repreviewed := importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 8)
	tests := []struct {
		name       string
		args       []string
		watch      []*v1.Import
		approveErr error
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name: "approve without waiting", args: nil,
			wantStdout: "import 42 approved (preview version 7): applying\n",
		},
		{
			name: "wait until applied", args: []string{"--wait"}, watch: []*v1.Import{applying, applied},
			wantStdout: "import 42: applying (31 rows)\nimport 42: applied (31 rows)\nImport 42\nStatus:    applied\n",
		},
		{
			name: "wait ends in a new preview", args: []string{"--wait"}, watch: []*v1.Import{applying, repreviewed},
			wantCode:   1,
			wantStdout: "import 42: applying (31 rows)\nimport 42: awaiting approval (31 rows)\nImport 42\nStatus:    awaiting approval\n",
			wantStderr: "staffsyncctl: import 42 was not applied: the directory changed after the preview, so it was previewed again (version 8). Review it with `staffsyncctl import changes 42` and approve again\n",
		},
		{
			name:       "server refuses",
			approveErr: connect.NewError(connect.CodeFailedPrecondition, errors.New("import 42 cannot be approved: the preview changed since you looked at it (you saw version 7, it is now 8); review it again and approve version 8")),
			wantCode:   1,
			wantStderr: "staffsyncctl: import 42 cannot be approved: the preview changed since you looked at it (you saw version 7, it is now 8); review it again and approve version 8\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeImports{
				gets:     []*v1.Import{importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 7)},
				approved: applying, approveErr: tt.approveErr, watch: tt.watch,
			}
			addr := startFakeServer(t, fake, nil)
			res := runCLI(t, addr, append([]string{"import", "approve", "42"}, tt.args...)...)
			if res.code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", res.code, tt.wantCode, res.stderr)
			}
			if !strings.HasPrefix(res.stdout, tt.wantStdout) || (tt.wantStdout == "" && res.stdout != "") {
				t.Errorf("stdout =\n%s\nwant prefix\n%s", res.stdout, tt.wantStdout)
			}
			if res.stderr != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", res.stderr, tt.wantStderr)
			}
			if len(fake.approveReqs) != 1 || fake.approveReqs[0].ImportId != "42" || fake.approveReqs[0].PreviewVersion != 7 {
				t.Errorf("ApproveImport requests = %v, want one for import 42 at preview version 7", fake.approveReqs)
			}
		})
	}
}

func TestServerErrorsArePrinted(t *testing.T) {
	addr := startFakeServer(t, &fakeImports{gets: []*v1.Import{importAt(v1.ImportStatus_IMPORT_STATUS_APPLIED, 1)}}, nil)
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{name: "not found", args: []string{"import", "show", "9"}, wantStderr: "staffsyncctl: import 9 not found\n"},
		{name: "bad token", args: []string{"import", "show", "42", "--token", "wrong"}, wantStderr: "staffsyncctl: unknown API token: check --token / STAFFSYNC_TOKEN (`make dev` writes the demo token to .staffsync/dev/token)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, addr, tt.args...)
			if res.code != 1 || res.stderr != tt.wantStderr || res.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, stderr %q", res.code, res.stdout, res.stderr, tt.wantStderr)
			}
		})
	}
}

func TestImportRejectAndList(t *testing.T) {
	older := importAt(v1.ImportStatus_IMPORT_STATUS_APPLIED, 2)
	older.Id, older.Summary = "41", &v1.Summary{Updated: 4}
	fake := &fakeImports{imports: []*v1.Import{importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 1), older}}
	addr := startFakeServer(t, fake, nil)

	res := runCLI(t, addr, "import", "reject", "42", "--reason", "wrong file")
	if res.code != 0 || res.stdout != "import 42 rejected; nothing was changed\n" {
		t.Errorf("reject: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	if len(fake.rejectReqs) != 1 || fake.rejectReqs[0].Reason != "wrong file" {
		t.Errorf("RejectImport requests = %v", fake.rejectReqs)
	}

	res = runCLI(t, addr, "import", "list")
	want := `ID  STATUS             SOURCE  FILE        CREATED               WHO        COUNTS
42  awaiting approval  upload  people.csv  2026-03-02 09:30 UTC  Ada Admin  new 30 · deactivated 12 · error 1 · warnings 2
41  applied            upload  people.csv  2026-03-02 09:30 UTC  Ada Admin  updated 4
`
	if res.code != 0 || res.stdout != want {
		t.Errorf("list: exit %d, stdout =\n%s\nwant\n%s", res.code, res.stdout, want)
	}
	res = runCLI(t, addr, "import", "list", "--json")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "[\n  {\n    \"id\": \"42\",") || !strings.Contains(res.stdout, "\"id\": \"41\"") {
		t.Errorf("list --json: exit %d, stdout =\n%s", res.code, res.stdout)
	}
}

func TestPeopleList(t *testing.T) {
	dir := &fakeDirectory{people: []*v1.Person{
		{Id: "1", FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Title: "CTO", Department: "Engineering", Active: true},
		{Id: "2", FirstName: "Robert", PreferredName: "Bob", LastName: "Stone", Email: "bob@example.com", ManagerEmail: "ann@example.com", Department: "Engineering", Active: true},
		{Id: "3", FirstName: "Cy", LastName: "Old", Email: "cy@example.com", Active: false},
	}}
	addr := startFakeServer(t, nil, dir)
	res := runCLI(t, addr, "people", "list", "--status", "all", "--department", "Engineering", "--search", "e")
	want := `NAME       EMAIL            TITLE  DEPARTMENT   MANAGER          STATUS
Ann Lee    ann@example.com  CTO    Engineering  -                active
Bob Stone  bob@example.com  -      Engineering  ann@example.com  active
Cy Old     cy@example.com   -      -            -                deactivated

3 people listed · 57 billable (active people in the company)
`
	if res.code != 0 || res.stdout != want {
		t.Errorf("exit %d, stdout =\n%s\nwant\n%s\nstderr %s", res.code, res.stdout, want, res.stderr)
	}
	if len(dir.reqs) != 2 || dir.reqs[1].PageToken != "2" || dir.reqs[0].Status != v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL || dir.reqs[0].Department != "Engineering" || dir.reqs[0].Search != "e" {
		t.Errorf("ListPeople requests = %v", dir.reqs)
	}

	res = runCLI(t, addr, "--json", "people", "list")
	for _, want := range []string{"{\n  \"people\": [\n    {\n      \"id\": \"1\",\n      \"first_name\": \"Ann\",", `"preferred_name": "Bob"`, `"manager_email": "ann@example.com"`, `"active": false`, "\"billable_count\": 57,\n  \"pending_count\": 0\n}\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("people --json lacks %q:\n%s", want, res.stdout)
		}
	}
}

func TestFileDownloads(t *testing.T) {
	addr := startFakeServer(t, &fakeImports{}, &fakeDirectory{})
	res := runCLI(t, addr, "directory", "export")
	if res.code != 0 || res.stdout != "First Name,Email\nAnn,ann@example.com\n" {
		t.Errorf("export to stdout: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	out := filepath.Join(t.TempDir(), "template.xlsx")
	res = runCLI(t, addr, "template", "--format", "xlsx", "--output", out)
	if res.code != 0 || res.stdout != "wrote "+out+" (8 bytes)\n" {
		t.Errorf("template to file: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	if got, err := os.ReadFile(out); err != nil || string(got) != "PK\x03\x04xlsx" {
		t.Errorf("written template = %q, %v", got, err)
	}
	// Not a terminal: the binary may go to a pipe.
	res = runCLI(t, addr, "template", "--format=xlsx")
	if res.code != 0 || res.stdout != "PK\x03\x04xlsx" {
		t.Errorf("template to a pipe: exit %d, stdout %q", res.code, res.stdout)
	}
	res = runCLI(t, addr, "template", "--json")
	want := "{\n  \"file_name\": \"staffsync-import-template.csv\",\n  \"content_type\": \"\",\n  \"bytes\": 21,\n  \"content\": \"Rmlyc3QgTmFtZSxMYXN0IE5hbWUK\"\n}\n"
	if res.code != 0 || res.stdout != want {
		t.Errorf("template --json: stdout %q, want %q", res.stdout, want)
	}
}
