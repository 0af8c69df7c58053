package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// diagnosingImports answers DiagnoseImport for import 42 besides what fakeImports does.
type diagnosingImports struct {
	*fakeImports
	diagnosis *v1.DiagnoseImportResponse
	asked     []string
}

func (f *diagnosingImports) DiagnoseImport(_ context.Context, req *connect.Request[v1.DiagnoseImportRequest]) (*connect.Response[v1.DiagnoseImportResponse], error) {
	f.asked = append(f.asked, req.Msg.ImportId)
	return connect.NewResponse(f.diagnosis), nil
}

func TestImportShowDiagnose(t *testing.T) {
	im := importAt(v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, 3)
	im.Source = "bamboohr"
	im.Summary.Pending = 1
	fake := &diagnosingImports{fakeImports: &fakeImports{gets: []*v1.Import{im}}, diagnosis: &v1.DiagnoseImportResponse{
		FromSource: true,
		NotImported: []*v1.DiagnosedPerson{{Row: 7, Name: "Bob Doe", Email: "bob@example.com", SourceId: "41",
			Kind: v1.ChangeKind_CHANGE_KIND_ERROR, ReasonCode: "skipped_by_source", Reason: "not imported: no work email in BambooHR"}},
		NotImportedTotal: 1,
		NotInSource: []*v1.DiagnosedPerson{{Name: "Cat Doe", Email: "cat@example.com", SourceId: "77",
			Kind: v1.ChangeKind_CHANGE_KIND_DEACTIVATED, ReasonCode: "not_sent_by_source", Reason: "deactivated: not sent by the source and 'deactivate accounts not imported' is on"}},
		NotInSourceTotal: 3,
		Warnings:         []string{"BambooHR: the key cannot read supervisor"},
	}}
	mux := http.NewServeMux()
	mux.Handle(staffsyncv1connect.NewImportServiceHandler(fake))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	res := runCLI(t, srv.URL, "import", "show", "42", "--diagnose")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{
		"pending 1 (not started yet)",
		"Not imported from the source (1):",
		"Bob Doe", "41", "no work email in BambooHR",
		"In staffsync but not in the source (3):",
		"cat@example.com", "not sent by the source",
		"... and 2 more",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("import show --diagnose lacks %q:\n%s", want, res.stdout)
		}
	}
	if len(fake.asked) != 1 || fake.asked[0] != "42" {
		t.Errorf("DiagnoseImport asked for %v, want [42]", fake.asked)
	}

	res = runCLI(t, srv.URL, "--json", "import", "show", "42", "--diagnose")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var got diagnosedImportJSON
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.stdout)
	}
	d := got.Diagnosis
	if got.Import.ID != "42" || !d.FromSource || d.NotImportedTotal != 1 || d.NotInSourceTotal != 3 ||
		len(d.NotImported) != 1 || d.NotImported[0].SourceID != "41" || d.NotImported[0].ReasonCode != "skipped_by_source" ||
		len(d.NotInSource) != 1 || d.NotInSource[0].Kind != "deactivated" || len(d.Warnings) != 1 {
		t.Errorf("JSON diagnosis = %+v", got)
	}

	// Without --diagnose nothing is asked.
	fake.asked = nil
	if res := runCLI(t, srv.URL, "import", "show", "42"); res.code != exitOK || strings.Contains(res.stdout, "Not imported") || len(fake.asked) != 0 {
		t.Errorf("plain import show diagnosed: %d %v\n%s", res.code, fake.asked, res.stdout)
	}
}

func TestPeopleStatusShowsPending(t *testing.T) {
	p := &v1.Person{Email: "pat@example.com", Pending: true, HireDate: "2027-01-04"}
	if got := personStatusWord(p); got != "pending: starts 2027-01-04" {
		t.Errorf("table status %q", got)
	}
	if got := personStatus(p); !strings.HasPrefix(got, "Pending (starts on 2027-01-04") {
		t.Errorf("show status %q", got)
	}
	var out strings.Builder
	writePeopleTable(&out, []*v1.Person{p}, 10, 1)
	if !strings.Contains(out.String(), "10 billable (active people in the company) · 1 pending (not started yet)") {
		t.Errorf("people table:\n%s", out.String())
	}
}

func TestActivateOnHireDateFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want *bool
	}{{[]string{"--activate-on-hire-date"}, proto.Bool(true)}, {[]string{"--activate-on-hire-date=false"}, proto.Bool(false)}, {nil, nil}} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		addImportOptionFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		got, err := importOptions(fs)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want == nil && got != nil:
			t.Errorf("%v: options %v, want none (the server's default for the import's kind)", tc.args, got)
		case tc.want != nil && (got == nil || got.ActivateOnHireDate == nil || *got.ActivateOnHireDate != *tc.want):
			t.Errorf("%v: options %v, want activate_on_hire_date %v", tc.args, got, *tc.want)
		}
	}
}
