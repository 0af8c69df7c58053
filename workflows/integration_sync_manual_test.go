package workflows

import (
	"testing"
	"time"

	"github.com/staffsync/staffsync/activities"
)

// Without automatic runs nothing runs by itself; a fetch_preview runs once without
// auto-apply, also while paused, and is never held.
func TestSyncWithoutAutomaticRunsOnlyFetches(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{ImportID: 40}, {ImportID: 41}}, stopAfter: 1,
		schedule:   activities.IntegrationSchedule{Kind: "bamboohr", Interval: time.Hour, AutoApply: true, ManualOnly: true},
		importWait: time.Minute}
	env := newSyncEnv(t, r)
	env.RegisterDelayedCallback(func() {
		if len(r.runs) != 0 {
			t.Errorf("%d runs after 5 hours without automatic runs", len(r.runs))
		}
		env.SignalWorkflow(SignalFetchPreview, nil)
	}, 5*time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPause, PauseSignal{Reason: "review season"})
	}, 6*time.Hour)
	env.RegisterDelayedCallback(func() {
		// sync_now while paused is ignored; fetch_preview is not.
		env.SignalWorkflow(SignalSyncNow, nil)
		env.SignalWorkflow(SignalFetchPreview, nil)
	}, 7*time.Hour)
	runSync(t, env)
	if len(r.children) != 2 {
		t.Fatalf("children %+v, want the two fetched previews", r.children)
	}
	for _, c := range r.children {
		if c.AutoApprove {
			t.Fatalf("a fetched preview auto-approves: %+v", c)
		}
	}
	if r.holds != 0 {
		t.Fatalf("a fetched preview was held %d times", r.holds)
	}
}

// With automatic runs (the default, and every run from before the switch) a fetch_preview
// still never auto-applies, while the scheduled runs do.
func TestSyncFetchPreviewNeverAutoApplies(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{ImportID: 50}, {ImportID: 51}}, stopAfter: 2}
	env := newSyncEnv(t, r)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalFetchPreview, nil) }, time.Hour)
	runSync(t, env)
	if len(r.children) < 2 || !r.children[0].AutoApprove || r.children[1].AutoApprove {
		t.Fatalf("children %+v, want the scheduled run auto-approved and the fetch not", r.children)
	}
}
