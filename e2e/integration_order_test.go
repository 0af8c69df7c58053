package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// enableAutomaticRuns is the deliberate step that turns an integration's scheduled runs on.
func (tn *integrationTenant) enableAutomaticRuns(t *testing.T, id string) *v1.Integration {
	t.Helper()
	resp, err := tn.integrations.SetAutomaticRuns(context.Background(), connect.NewRequest(&v1.SetAutomaticRunsRequest{Id: id, Enabled: true}))
	if err != nil {
		t.Fatalf("turn automatic runs on: %v", err)
	}
	if !resp.Msg.Integration.AutomaticRuns {
		t.Fatalf("automatic runs still off: %+v", resp.Msg.Integration)
	}
	return resp.Msg.Integration
}

// fetchPreview fetches and waits for the preview it makes.
func (tn *integrationTenant) fetchPreview(t *testing.T, id string) *v1.Import {
	t.Helper()
	if _, err := tn.integrations.FetchPreview(context.Background(), connect.NewRequest(&v1.FetchPreviewRequest{Id: id})); err != nil {
		t.Fatalf("fetch: %v", err)
	}
	in := tn.waitIntegration(t, id, "a fetched preview", func(in *v1.Integration) bool { return in.CurrentImportId != "" })
	return tn.waitFor(t, in.CurrentImportId, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
}

// The seeds' order: save the integration without automatic imports, Fetch a preview (which
// never applies by itself, paused or not), approve it, and only then turn automatic runs on.
func TestIntegrationFollowsTheSeedsOrder(t *testing.T) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "https-order")
	var downloads atomic.Int64
	var file atomic.Value
	file.Store(peopleCSV("https-order.example", "Engineer"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		_, _ = w.Write(file.Load().([]byte))
	}))
	defer srv.Close()
	ctx := context.Background()

	// auto_apply is asked for, but applies to automatic runs only, which are off.
	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "https", Name: "HR export", AutoApply: true, Settings: map[string]string{"url": srv.URL + "/people.csv"},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	in := created.Msg.Integration
	if in.AutomaticRuns || in.NextRunAt != nil {
		t.Fatalf("a new integration has automatic runs on (next run %v)", in.NextRunAt)
	}
	time.Sleep(1500 * time.Millisecond)
	if n := downloads.Load(); n != 0 {
		t.Fatalf("a new integration downloaded the file %d times before anyone asked", n)
	}

	// Fetch: a preview that waits for an admin even though auto_apply is set.
	im := tn.fetchPreview(t, in.Id)
	time.Sleep(500 * time.Millisecond)
	if got := tn.titles(t); len(got) != 0 {
		t.Fatalf("a fetched preview applied by itself: %v", got)
	}
	if _, err := tn.integrations.FetchPreview(ctx, connect.NewRequest(&v1.FetchPreviewRequest{Id: in.Id})); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("fetch while a preview waits = %v, want FailedPrecondition", err)
	}
	tn.approve(t, im)
	first := tn.waitRun(t, in.Id, "", "applied")
	if got := tn.titles(t); got["p0@https-order.example"] != "Engineer" {
		t.Fatalf("after approving the fetched preview: %v", got)
	}

	// Paused, a fetch still previews, and the admin's approval applies it.
	if _, err := tn.integrations.PauseIntegration(ctx, connect.NewRequest(&v1.PauseIntegrationRequest{Id: in.Id, Reason: "review season"})); err != nil {
		t.Fatal(err)
	}
	file.Store(peopleCSV("https-order.example", "Staff Engineer", "Designer"))
	im = tn.fetchPreview(t, in.Id)
	if im.Summary.New != 1 || im.Summary.Updated != 1 {
		t.Fatalf("paused fetch summary = %v, want 1 new and 1 updated", im.Summary)
	}
	tn.approve(t, im)
	second := tn.waitRun(t, in.Id, first.LastImportId, "applied")
	if got := tn.titles(t); got["p0@https-order.example"] != "Staff Engineer" || len(got) != 2 {
		t.Fatalf("after approving the paused fetch: %v", got)
	}
	if _, err := tn.integrations.ResumeIntegration(ctx, connect.NewRequest(&v1.ResumeIntegrationRequest{Id: in.Id})); err != nil {
		t.Fatal(err)
	}
	// Resumed, but automatic runs are still off: nothing runs by itself.
	before := downloads.Load()
	time.Sleep(1500 * time.Millisecond)
	if downloads.Load() != before {
		t.Fatal("resuming an integration without automatic runs ran it")
	}

	// The deliberate step: automatic runs on. The next due run applies by itself.
	file.Store(peopleCSV("https-order.example", "Principal Engineer", "Designer"))
	enabled := tn.enableAutomaticRuns(t, in.Id)
	if !enabled.AutoApply || enabled.NextRunAt == nil {
		t.Fatalf("enabled: %+v", enabled)
	}
	if _, err := tn.integrations.SyncNow(ctx, connect.NewRequest(&v1.SyncNowRequest{Id: in.Id})); err != nil {
		t.Fatal(err)
	}
	tn.waitRun(t, in.Id, second.LastImportId, "applied")
	if got := tn.titles(t); got["p0@https-order.example"] != "Principal Engineer" {
		t.Fatalf("after the automatic run: %v", got)
	}
	replaySyncHistory(t, s, tn.companyID, in.Id, "fetch_preview_then_automatic")
	if _, err := tn.integrations.DeleteIntegration(ctx, connect.NewRequest(&v1.DeleteIntegrationRequest{Id: in.Id})); err != nil {
		t.Fatal(err)
	}
}
