package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedImportHistories replays histories recorded on a real Temporal server
// (e2e.TestImportHistoriesReplay with STAFFSYNC_RECORD_HISTORIES=1) against the current
// code: a change that would break running imports fails here. Guard such a change with
// workflow.GetVersion, then record again.
func TestReplayRecordedImportHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "import_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"approved_with_post_steps", "rejected", "stale_preview_previewed_again", "file_failed", "expired", "auto_approved_held_and_released"}
	// Every main path is recorded by the current code and by the code before each version
	// change (runs of it may still be open when a worker is upgraded): before
	// versionExpiryRace and versionMarkFailed (consistent states), before
	// versionTimeoutFromOptions and before versionSinglePassPreview.
	var want []string
	for _, generation := range []string{"", "before_consistent_states_", "before_options_timeout_", "before_single_pass_"} {
		for _, p := range paths {
			want = append(want, generation+p)
		}
	}
	// Paths recorded since versionMarkFailed only.
	want = append(want, "auto_approve_refused_marked_failed")
	if len(files) != len(want) {
		t.Fatalf("found %d recorded histories %v, want the %d main paths of each generation %v", len(files), files, len(want), want)
	}
	for _, name := range want {
		path := filepath.Join("testdata", "import_"+name+".json")
		t.Run(name, func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflow(Import)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
				t.Fatalf("replay %s: %v", path, err)
			}
		})
	}
}
