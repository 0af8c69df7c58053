package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// defaultsFake keeps one company's import configuration.
type defaultsFake struct {
	fakeImports
	saved   *v1.ImportOptions
	updates []*v1.ImportOptions
}

func (f *defaultsFake) GetImportDefaults(_ context.Context, req *connect.Request[v1.GetImportDefaultsRequest]) (*connect.Response[v1.GetImportDefaultsResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.GetImportDefaultsResponse{Defaults: &v1.ImportDefaults{Options: f.saved, Saved: true, UpdatedBy: "Ada"}}), nil
}

func (f *defaultsFake) UpdateImportDefaults(_ context.Context, req *connect.Request[v1.UpdateImportDefaultsRequest]) (*connect.Response[v1.UpdateImportDefaultsResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	f.updates = append(f.updates, req.Msg.Options)
	f.saved = req.Msg.Options
	return connect.NewResponse(&v1.UpdateImportDefaultsResponse{Defaults: &v1.ImportDefaults{Options: f.saved, Saved: true, UpdatedBy: "Ada"}}), nil
}

func TestImportDefaultsSetChangesOnlyTheFlagsGiven(t *testing.T) {
	b := func(v bool) *bool { return &v }
	fake := &defaultsFake{saved: &v1.ImportOptions{DeactivateMissing: b(true), AddNewToOpenReviewCycles: b(true), Delimiter: "semicolon"}}
	mux := http.NewServeMux()
	mux.Handle(staffsyncv1connect.NewImportServiceHandler(fake))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res := runCLI(t, srv.URL, "import", "defaults", "set", "--deactivate-missing=false", "--send-password-emails")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got := fake.updates[0]
	if got.GetDeactivateMissing() || !got.GetSendPasswordEmails() || !got.GetAddNewToOpenReviewCycles() || got.GetDelimiter() != "semicolon" {
		t.Fatalf("sent %v; want the two flags changed and the saved options kept", got)
	}
	if !strings.Contains(res.stdout, "Import configuration, saved") || !strings.Contains(res.stdout, "deactivate-missing") {
		t.Fatalf("stdout:\n%s", res.stdout)
	}

	res = runCLI(t, srv.URL, "import", "defaults", "set", "--reset", "--send-password-emails")
	if res.code != 0 || fake.updates[1].GetAddNewToOpenReviewCycles() || fake.updates[1].DeactivateMissing != nil || !fake.updates[1].GetSendPasswordEmails() {
		t.Fatalf("reset: exit %d, sent %v", res.code, fake.updates[1])
	}
	for _, args := range [][]string{{"import", "defaults", "set"}, {"import", "defaults", "set", "--sheet", "People"}} {
		if res := runCLI(t, srv.URL, args...); res.code != 2 || len(fake.updates) != 2 {
			t.Fatalf("%v: exit %d (%s), %d updates; want a usage error and nothing sent", args, res.code, res.stderr, len(fake.updates))
		}
	}
	if res := runCLI(t, srv.URL, "import", "defaults", "show"); res.code != 0 || !strings.Contains(res.stdout, "Uploads without option flags use these") {
		t.Fatalf("show: exit %d\n%s", res.code, res.stdout)
	}
}
