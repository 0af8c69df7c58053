package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// fakePeopleAdmin answers the directory management calls from canned answers and records
// the requests.
type fakePeopleAdmin struct {
	staffsyncv1connect.UnimplementedDirectoryServiceHandler
	mu   sync.Mutex
	reqs []proto.Message
}

func (f *fakePeopleAdmin) got(m proto.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, proto.Clone(m))
}

func (f *fakePeopleAdmin) UpdatePerson(_ context.Context, req *connect.Request[v1.UpdatePersonRequest]) (*connect.Response[v1.UpdatePersonResponse], error) {
	f.got(req.Msg)
	return connect.NewResponse(&v1.UpdatePersonResponse{
		Person:  &v1.Person{Email: "bob@example.com", Title: "Head of Sales"},
		Changes: []*v1.FieldChange{{Field: "title", Old: "Seller", New: "Head of Sales"}, {Field: "team", Old: "North", New: ""}},
	}), nil
}

func (f *fakePeopleAdmin) MergePeople(_ context.Context, req *connect.Request[v1.MergePeopleRequest]) (*connect.Response[v1.MergePeopleResponse], error) {
	f.got(req.Msg)
	return connect.NewResponse(&v1.MergePeopleResponse{
		Source: &v1.PersonRef{Email: "old@example.com"}, Destination: &v1.PersonRef{Email: "new@example.com"}, DryRun: req.Msg.DryRun,
		ReportsMoved: []*v1.PersonRef{{Email: "a@example.com"}, {Email: "b@example.com"}}, CycleParticipationsMoved: 1,
		HistoryEntries: 4, SourceDeactivated: true, Warnings: []string{"new@example.com reports to old@example.com"},
	}), nil
}

func (f *fakePeopleAdmin) DeactivatePeople(_ context.Context, req *connect.Request[v1.DeactivatePeopleRequest]) (*connect.Response[v1.DeactivatePeopleResponse], error) {
	f.got(req.Msg)
	return connect.NewResponse(&v1.DeactivatePeopleResponse{Results: []*v1.StatusChange{
		{Person: &v1.PersonRef{Email: "a@example.com"}, Changed: true},
		{Person: &v1.PersonRef{Email: "b@example.com"}, Warnings: []string{"b@example.com is already deactivated; nothing changed"}},
	}}), nil
}

func (f *fakePeopleAdmin) GetPersonHistory(_ context.Context, req *connect.Request[v1.GetPersonHistoryRequest]) (*connect.Response[v1.GetPersonHistoryResponse], error) {
	f.got(req.Msg)
	at := timestamppb.New(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC))
	return connect.NewResponse(&v1.GetPersonHistoryResponse{Entries: []*v1.HistoryEntry{
		{Id: "9", At: at, Kind: "updated", Admin: "Ada", Changes: []*v1.FieldChange{{Field: "title", Old: "A", New: "B"}}},
		{Id: "3", At: at, Kind: "new", ImportId: "12", ImportSource: "upload", Admin: "Ada", Changes: []*v1.FieldChange{{Field: "first_name", New: "Bob"}}},
	}}), nil
}

func (f *fakePeopleAdmin) GetPerson(_ context.Context, req *connect.Request[v1.GetPersonRequest]) (*connect.Response[v1.GetPersonResponse], error) {
	f.got(req.Msg)
	return connect.NewResponse(&v1.GetPersonResponse{
		Person:        &v1.Person{Id: "7", FirstName: "Bob", LastName: "Lee", Email: "bob@example.com", Title: "Seller", ManagerEmail: "ann@example.com", Active: true},
		Manager:       &v1.PersonRef{Email: "ann@example.com", Name: "Ann Boss", Active: true},
		DirectReports: []*v1.PersonRef{{Email: "cy@example.com", Name: "Cy Dev"}},
		OwnedFields:   []*v1.OwnedField{{Field: "title", Integration: "BambooHR"}, {Field: "manager_email", Integration: "BambooHR"}},
	}), nil
}

type fakeRevert struct {
	staffsyncv1connect.UnimplementedImportServiceHandler
	reqs []*v1.RevertImportRequest
}

func (f *fakeRevert) RevertImport(_ context.Context, req *connect.Request[v1.RevertImportRequest]) (*connect.Response[v1.RevertImportResponse], error) {
	f.reqs = append(f.reqs, req.Msg)
	return connect.NewResponse(&v1.RevertImportResponse{Import: &v1.Import{Id: "43", Source: "revert", Status: v1.ImportStatus_IMPORT_STATUS_PREVIEWING}, KeptFields: 1}), nil
}

func startPeopleServer(t *testing.T, dir *fakePeopleAdmin, imports *fakeRevert) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(staffsyncv1connect.NewDirectoryServiceHandler(dir))
	mux.Handle(staffsyncv1connect.NewImportServiceHandler(imports))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPeopleCommands(t *testing.T) {
	dir := &fakePeopleAdmin{}
	imports := &fakeRevert{}
	addr := startPeopleServer(t, dir, imports)
	cases := []struct {
		name    string
		args    []string
		code    int
		stdout  string
		stderr  string
		request proto.Message
	}{
		{
			name: "update", args: []string{"people", "update", "bob@example.com", "--set", "title=Head of Sales", "--set", "team="},
			stdout:  "updated bob@example.com:\n  Title: \"Seller\" → \"Head of Sales\"\n  Team: \"North\" → \"\"\n",
			request: &v1.UpdatePersonRequest{Person: "bob@example.com", Fields: []*v1.FieldValue{{Field: "title", Value: "Head of Sales"}, {Field: "team", Clear: true}}},
		},
		{name: "update without --set", args: []string{"people", "update", "bob@example.com"}, code: exitUsage, stderr: "staffsyncctl: missing --set FIELD=VALUE\n"},
		{name: "update with a bad --set", args: []string{"people", "update", "bob@example.com", "--set", "title"}, code: exitUsage,
			stderr: "staffsyncctl: invalid value \"title\" for flag -set: \"title\" is not FIELD=VALUE, e.g. title=\"Head of Sales\"\n"},
		{
			name: "merge dry run", args: []string{"people", "merge", "old@example.com", "new@example.com", "--dry-run"},
			stdout: "dry run: merging old@example.com into new@example.com would\n" +
				"  move 2 direct reports to new@example.com: a@example.com, b@example.com\n" +
				"  move 1 cycle participation and 0 reviewer roles\n" +
				"  show 4 history entries of old@example.com in the history of new@example.com\n" +
				"  deactivate old@example.com\n" +
				"warning: new@example.com reports to old@example.com\n" +
				"nothing was changed; run again without --dry-run to merge\n",
			request: &v1.MergePeopleRequest{Source: "old@example.com", Destination: "new@example.com", DryRun: true},
		},
		{name: "merge needs two people", args: []string{"people", "merge", "old@example.com"}, code: exitUsage,
			stderr: "staffsyncctl: give the SOURCE account that goes away and the DEST account that stays\n"},
		{
			name: "deactivate", args: []string{"people", "deactivate", "a@example.com", "b@example.com"},
			stdout:  "deactivated a@example.com\nwarning: b@example.com is already deactivated; nothing changed\n",
			request: &v1.DeactivatePeopleRequest{People: []string{"a@example.com", "b@example.com"}},
		},
		{name: "delete without confirmation", args: []string{"people", "delete", "a@example.com"}, code: exitUsage,
			stderr: "staffsyncctl: deleting erases all of the person's data and cannot be undone: confirm with --confirm EMAIL\n"},
		{
			name: "history", args: []string{"people", "history", "bob@example.com"},
			stdout: "WHEN                  KIND     BY\n" +
				"2026-11-20 09:30 UTC  updated  Ada\n" +
				"    Title: \"A\" → \"B\"\n" +
				"2026-11-20 09:30 UTC  new      import 12 (upload), approved by Ada\n" +
				"    First Name: \"\" → \"Bob\"\n",
			request: &v1.GetPersonHistoryRequest{Person: "bob@example.com", PageSize: 100},
		},
		{
			name: "show", args: []string{"people", "show", "bob@example.com"},
			stdout: "Bob Lee <bob@example.com> (id 7)\n\n" +
				"  First Name:                Bob\n  Last Name:                 Lee\n  Gender:                    -\n  Title:                     Seller\n" +
				"  Login Email:               bob@example.com\n  Manager Email:             ann@example.com\n  Department:                -\n" +
				"  Team:                      -\n  Location:                  -\n  Employee ID:               -\n  Hiring Date:               -\n" +
				"  Alternative Email:         -\n  Secondary Manager Email:   -\n  Preferred Name:            -\n  Leaving Date:              -\n" +
				"  Termination Type:          -\n  Employment Type:           -\n  Active / Account Status:   Active\n\n" +
				"Manager:            Ann Boss <ann@example.com>\nSecondary manager:  -\nDirect reports:     1\n  Cy Dev <cy@example.com> (deactivated)\n" +
				"Password email:     not sent yet\nManaged by \"BambooHR\" (not editable here): Title, Manager Email\n",
			request: &v1.GetPersonRequest{Person: "bob@example.com"},
		},
		{name: "revert", args: []string{"import", "revert", "42"}, stdout: "43\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir.mu.Lock()
			dir.reqs = nil
			dir.mu.Unlock()
			res := runCLI(t, addr, tc.args...)
			if res.code != tc.code || res.stdout != tc.stdout || (tc.stderr != "" && !strings.HasPrefix(res.stderr, tc.stderr)) {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s\nstderr starting %q", res.code, res.stdout, res.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if tc.request != nil {
				if len(dir.reqs) != 1 || !proto.Equal(dir.reqs[0], tc.request) {
					t.Fatalf("requests = %v, want %v", dir.reqs, tc.request)
				}
			}
		})
	}
	if len(imports.reqs) != 1 || imports.reqs[0].ImportId != "42" {
		t.Fatalf("revert requests = %v", imports.reqs)
	}
}

func TestPeopleCommandsPrintJSON(t *testing.T) {
	addr := startPeopleServer(t, &fakePeopleAdmin{}, &fakeRevert{})
	res := runCLI(t, addr, "--json", "people", "deactivate", "a@example.com")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var out struct {
		Results []struct {
			Person struct {
				Email string `json:"email"`
			} `json:"person"`
			Changed  bool     `json:"changed"`
			Warnings []string `json:"warnings"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.stdout)
	}
	if len(out.Results) != 2 || out.Results[0].Person.Email != "a@example.com" || !out.Results[0].Changed || out.Results[1].Warnings[0] == "" {
		t.Fatalf("JSON = %+v", out)
	}
}
