package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// RecordHistoriesEnv, when set to 1, makes TestImportHistoriesReplay write the histories it
// records into workflows/testdata/, where the workflows package replays them on every test
// run. Record again only on purpose: after a change that is guarded by workflow.GetVersion.
const RecordHistoriesEnv = "STAFFSYNC_RECORD_HISTORIES"

// TestImportHistoriesReplay runs the Import workflow's main paths on the real stack and
// replays each history against the current code.
func TestImportHistoriesReplay(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	file := readExample(t, "people.csv")
	b := func(v bool) *bool { return &v }

	paths := []struct {
		name string
		run  func(t *testing.T, tn *tenant) (workflowID string)
	}{
		{"approved_with_post_steps", func(t *testing.T, tn *tenant) string {
			im := tn.start(t, "people.csv", file, &v1.ImportOptions{SendPasswordEmails: b(true), AddNewToOpenReviewCycles: b(true), ResetReviewersAfterManagerChange: b(true)})
			im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
			tn.approve(t, im)
			return tn.workflowID(t, im.Id)
		}},
		{"rejected", func(t *testing.T, tn *tenant) string {
			im := tn.start(t, "people.csv", file, nil)
			im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
			if _, err := tn.imports.RejectImport(ctx, connect.NewRequest(&v1.RejectImportRequest{ImportId: im.Id, Reason: "wrong file"})); err != nil {
				t.Fatal(err)
			}
			return tn.workflowID(t, im.Id)
		}},
		{"stale_preview_previewed_again", func(t *testing.T, tn *tenant) string {
			first := tn.start(t, "people.csv", file, nil)
			first = tn.waitFor(t, first.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
			other := tn.start(t, "one.csv", generatedPeople(1, "stale.example"), nil)
			other = tn.waitFor(t, other.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
			tn.approve(t, other)
			if _, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: first.Id, PreviewVersion: first.PreviewVersion})); err != nil {
				t.Fatal(err)
			}
			again := tn.waitForVersion(t, first.Id, first.PreviewVersion+1)
			if done := tn.approve(t, again); done.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
				t.Fatalf("re-previewed import ended %v", done.Status)
			}
			return tn.workflowID(t, first.Id)
		}},
		{"file_failed", func(t *testing.T, tn *tenant) string {
			im := tn.start(t, "report.pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), nil)
			tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_FAILED)
			return tn.workflowID(t, im.Id)
		}},
		{"expired", func(t *testing.T, tn *tenant) string {
			// The timeout comes from the import's options, as for an integration's import.
			id := tn.startDirectWith(t, s, file, workflows.ImportInput{}, func(o *directory.Options) { o.ApprovalTimeout = 2 * time.Second })
			tn.waitFor(t, formatInt(id), v1.ImportStatus_IMPORT_STATUS_EXPIRED)
			return workflows.ImportWorkflowID(tn.companyID, id)
		}},
		{"auto_approved_held_and_released", func(t *testing.T, tn *tenant) string {
			// A real integration's run: the worker auto-approves nothing else.
			id, wid := tn.startAutoApplyRun(t, s, file)
			if err := s.temporal.SignalWorkflow(ctx, wid, "", workflows.SignalHold, nil); err != nil {
				t.Fatal(err)
			}
			waitForState(t, s.temporal, wid, func(st workflows.ImportState) bool { return st.Held && st.PreviewVersion > 0 })
			if err := s.temporal.SignalWorkflow(ctx, wid, "", workflows.SignalRelease, nil); err != nil {
				t.Fatal(err)
			}
			if im := tn.waitFor(t, formatInt(id), v1.ImportStatus_IMPORT_STATUS_APPLIED); im.DecidedBy != store.SystemDecider {
				t.Fatalf("auto-approved import decided by %q, want %q", im.DecidedBy, store.SystemDecider)
			}
			return wid
		}},
		{"auto_approve_refused_marked_failed", func(t *testing.T, tn *tenant) string {
			// An AutoApprove start for an upload (a forged start) is refused by the worker.
			id := tn.startDirect(t, s, file, workflows.ImportInput{AutoApprove: true, IntegrationID: 1})
			tn.waitFor(t, formatInt(id), v1.ImportStatus_IMPORT_STATUS_FAILED)
			return workflows.ImportWorkflowID(tn.companyID, id)
		}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			tn := s.newTenant(t, "Replay "+p.name)
			wid := p.run(t, tn)
			var result workflows.ImportResult
			// A path named *_marked_failed ends with the workflow failed.
			fails := strings.HasSuffix(p.name, "_marked_failed")
			if err := s.temporal.GetWorkflow(ctx, wid, "").Get(ctx, &result); (err != nil) != fails {
				t.Fatalf("workflow %s: %v (want it to fail: %v)", wid, err, fails)
			}
			hist := readHistory(t, s.temporal, wid)
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflow(workflows.Import)
			if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
				t.Fatalf("replay of %s against the current code: %v", p.name, err)
			}
			if os.Getenv(RecordHistoriesEnv) == "1" {
				raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("..", "workflows", "testdata", "import_"+p.name+".json")
				if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("recorded %s (%d events, result %s)", path, len(hist.Events), result.Status)
			}
		})
	}
}

func formatInt(id int64) string { return fmt.Sprint(id) }

func (tn *tenant) workflowID(t *testing.T, importID string) string {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(importID, &id); err != nil {
		t.Fatal(err)
	}
	return workflows.ImportWorkflowID(tn.companyID, id)
}

// startDirect creates an import and starts its workflow with in (company and import ids
// filled in), as an integration sync does.
func (tn *tenant) startDirect(t *testing.T, s *stack, content []byte, in workflows.ImportInput) int64 {
	t.Helper()
	return tn.startDirectWith(t, s, content, in, func(*directory.Options) {})
}

// startDirectWith is startDirect with the import's options changed by set.
func (tn *tenant) startDirectWith(t *testing.T, s *stack, content []byte, in workflows.ImportInput, set func(*directory.Options)) int64 {
	t.Helper()
	ctx := context.Background()
	opts := directory.DefaultOptions()
	set(&opts)
	id, err := s.store.CreateImport(ctx, store.NewImport{CompanyID: tn.companyID, Source: directory.SourceUpload,
		FileName: "people.csv", Content: content, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	in.CompanyID, in.ImportID = tn.companyID, id
	if _, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ImportWorkflowID(tn.companyID, id), TaskQueue: workflows.TaskQueue,
	}, workflows.Import, in); err != nil {
		t.Fatal(err)
	}
	return id
}

// waitForVersion waits until the import awaits approval of at least the given preview version.
func (tn *tenant) waitForVersion(t *testing.T, id string, version int64) *v1.Import {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		im := tn.waitFor(t, id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_PREVIEWING, v1.ImportStatus_IMPORT_STATUS_APPLYING)
		if im.Status == v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL && im.PreviewVersion >= version {
			return im
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s is %v at preview %d, waited for preview %d", id, im.Status, im.PreviewVersion, version)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitForState(t *testing.T, tc client.Client, wid string, ok func(workflows.ImportState) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var st workflows.ImportState
	for time.Now().Before(deadline) {
		v, err := tc.QueryWorkflow(context.Background(), wid, "", workflows.QueryImportState)
		if err == nil && v.Get(&st) == nil && ok(st) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("workflow %s state = %+v, never reached the awaited state", wid, st)
}

func readHistory(t *testing.T, tc client.Client, wid string) *historypb.History {
	t.Helper()
	hist := &historypb.History{}
	iter := tc.GetWorkflowHistory(context.Background(), wid, "", false, 0)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("read history of %s: %v", wid, err)
		}
		hist.Events = append(hist.Events, ev)
	}
	return hist
}
