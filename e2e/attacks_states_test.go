package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// startAutoApplyRun creates the import of an integration run, as a scheduled sync of an
// integration with auto-apply on does, and starts its workflow with AutoApprove.
func (tn *tenant) startAutoApplyRun(t *testing.T, s *stack, content []byte) (importID int64, workflowID string) {
	t.Helper()
	ctx := context.Background()
	integration, err := s.store.CreateIntegration(ctx, tn.companyID, store.IntegrationConfig{Kind: store.KindHTTPS, Name: "nightly file",
		Settings: map[string]string{"url": "https://hr.example/people.csv"}, Interval: time.Hour, Options: directory.DefaultOptions(), AutoApply: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	importID, err = s.store.CreateRunImport(ctx, store.RunImport{CompanyID: tn.companyID, IntegrationID: integration, RunKey: "e2e",
		Source: store.KindHTTPS, FileName: "people.csv", Content: content, Options: directory.DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	workflowID = workflows.ImportWorkflowID(tn.companyID, importID)
	if _, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflowID, TaskQueue: workflows.TaskQueue}, workflows.Import,
		workflows.ImportInput{CompanyID: tn.companyID, ImportID: importID, AutoApprove: true, IntegrationID: integration}); err != nil {
		t.Fatal(err)
	}
	return importID, workflowID
}

// TestAttackForgedAutoApprove: whoever reaches Temporal starts an Import workflow with
// AutoApprove for an uploaded import awaiting an admin. Nothing is applied: the worker
// checks in PostgreSQL that the import is an auto-apply integration's run, refuses, and
// the import ends failed with the reason.
func TestAttackForgedAutoApprove(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	tn := s.newTenant(t, "Forged Start Target")
	im := tn.start(t, "people.csv", readExample(t, "people.csv"), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	var id int64
	fmt.Sscan(im.Id, &id)
	forged, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "forged-" + im.Id, TaskQueue: workflows.TaskQueue}, workflows.Import,
		workflows.ImportInput{CompanyID: tn.companyID, ImportID: id, AutoApprove: true, IntegrationID: 1})
	if err != nil {
		t.Fatal(err)
	}
	var result workflows.ImportResult
	if err := forged.Get(ctx, &result); err == nil {
		t.Fatalf("the forged workflow succeeded (%+v); want it refused", result)
	}
	got := tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if !strings.Contains(got.ErrorMessage, "cannot be approved automatically") {
		t.Errorf("the import failed with %q; want the refusal's reason", got.ErrorMessage)
	}
	if got.DecidedBy != "" || len(tn.allPeople(t)) != 0 {
		t.Errorf("decided by %q with %d people in the directory; want nothing decided or applied", got.DecidedBy, len(tn.allPeople(t)))
	}
}

// TestAttackApproveExpireRace approves imports exactly as their approval timeout ends, many
// at once: each import ends either applied (the approval won; the API said yes) or expired
// (the expiry won; the API said failed_precondition), never applying or a mix.
func TestAttackApproveExpireRace(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	const imports = 12
	const timeout = 3 * time.Second
	var wg sync.WaitGroup
	type outcome struct {
		tn       *tenant
		id       string
		approval error
	}
	outcomes := make([]outcome, imports)
	for i := range imports {
		tn := s.newTenant(t, fmt.Sprintf("Race %d", i))
		id := tn.startDirectWith(t, s, generatedPeople(2, fmt.Sprintf("race%d.example", i)), workflows.ImportInput{},
			func(o *directory.Options) { o.ApprovalTimeout = timeout })
		outcomes[i] = outcome{tn: tn, id: formatInt(id)}
	}
	for i := range outcomes {
		o := &outcomes[i]
		im := o.tn.waitFor(t, o.id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_EXPIRED)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Approve around the deadline: some before, some after, some at the same moment.
			deadline := im.GetApprovalExpiresAt().AsTime()
			time.Sleep(time.Until(deadline) + time.Duration(i%6-1)*300*time.Millisecond)
			_, o.approval = o.tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: o.id, PreviewVersion: im.PreviewVersion}))
		}()
	}
	wg.Wait()
	applied, expired := 0, 0
	for _, o := range outcomes {
		final := o.tn.waitFor(t, o.id, v1.ImportStatus_IMPORT_STATUS_APPLIED, v1.ImportStatus_IMPORT_STATUS_EXPIRED, v1.ImportStatus_IMPORT_STATUS_FAILED)
		var result workflows.ImportResult
		if err := s.temporal.GetWorkflow(ctx, o.tn.workflowID(t, o.id), "").Get(ctx, &result); err != nil {
			t.Fatalf("workflow of import %s: %v", o.id, err)
		}
		switch {
		case o.approval == nil && final.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED && result.Status == directory.StatusApplied:
			applied++
		case connect.CodeOf(o.approval) == connect.CodeFailedPrecondition && final.Status == v1.ImportStatus_IMPORT_STATUS_EXPIRED && result.Status == directory.StatusExpired:
			expired++
			if !strings.Contains(o.approval.Error(), "expired") {
				t.Errorf("the late approval of import %s says %q; want it to say the import expired", o.id, o.approval)
			}
		default:
			t.Errorf("import %s: approval answered %v, the import is %v and its workflow ended %s; want one winner everywhere",
				o.id, o.approval, final.Status, result.Status)
		}
	}
	t.Logf("%d imports: the approval won %d times, the expiry %d", imports, applied, expired)
	if applied+expired != imports {
		t.Fatal(errors.New("not every import had one winner"))
	}
}

// TestTerminatedWorkflowMarksImportFailed: an operator terminates an import's workflow,
// which runs no code of its own; the next read of the import notices and marks it failed
// with the reason instead of leaving it awaiting approval forever.
func TestTerminatedWorkflowMarksImportFailed(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewHTTPServer(api.NewHandler(api.Config{Store: s.store, Temporal: s.temporal, ReconcileAfter: time.Millisecond}), api.ServerTimeouts{})
	go func() { _ = srv.Serve(listener) }()
	t.Cleanup(func() { _ = srv.Close() })
	tn := s.newTenant(t, "Terminated Workflow Ltd")
	var read, approved *v1.Import
	for _, im := range []**v1.Import{&read, &approved} {
		*im = tn.start(t, "people.csv", readExample(t, "people.csv"), nil)
		*im = tn.waitFor(t, (*im).Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
		if err := s.temporal.TerminateWorkflow(ctx, tn.workflowID(t, (*im).Id), "", "operator cleanup"); err != nil {
			t.Fatal(err)
		}
	}
	// A read notices.
	reader := staffsyncv1connect.NewImportServiceClient(http.DefaultClient, "http://"+listener.Addr().String(), connect.WithInterceptors(bearer(tn.apiToken)))
	resp, err := reader.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: read.Id}))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Msg.Import; got.Status != v1.ImportStatus_IMPORT_STATUS_FAILED || !strings.Contains(got.ErrorMessage, "terminated") {
		t.Fatalf("after the workflow was terminated the import is %v (%q); want failed, saying it was terminated", got.Status, got.ErrorMessage)
	}
	// So does an approval, which cannot reach the workflow: the admin is told why, and
	// nothing stays approved.
	_, err = tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: approved.Id, PreviewVersion: approved.PreviewVersion}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || !strings.Contains(err.Error(), "terminated") {
		t.Errorf("approval after the workflow was terminated: %v; want failed_precondition saying it was terminated", err)
	}
	if got := tn.waitFor(t, approved.Id, v1.ImportStatus_IMPORT_STATUS_FAILED); got.DecidedBy != "" {
		t.Errorf("the refused approval is still recorded: decided by %q", got.DecidedBy)
	}
}
