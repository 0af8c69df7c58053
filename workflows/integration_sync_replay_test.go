package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedIntegrationSyncHistories replays IntegrationSync histories recorded on a
// real Temporal server (e2e TestHTTPSIntegrationSyncsPausesAndResumes with
// STAFFSYNC_RECORD_HISTORIES=1): a change that would break running syncs fails here.
func TestReplayRecordedIntegrationSyncHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "integration_sync_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded IntegrationSync history in testdata/")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflow(IntegrationSync)
			replayer.RegisterWorkflow(Import)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
				t.Fatalf("replay %s: %v", path, err)
			}
		})
	}
}
