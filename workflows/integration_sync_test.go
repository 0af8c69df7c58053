package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
)

var syncRef = activities.IntegrationRef{CompanyID: 3, IntegrationID: 9}

// syncRecorder fakes the integration activities and the Import child and records what
// the workflow did.
type syncRecorder struct {
	mu       sync.Mutex
	schedule activities.IntegrationSchedule
	fetches  []activities.FetchResult // answered in order; the last one repeats
	runs     []activities.RunRecord
	loads    int
	holds    int
	releases int
	children []ImportInput
	// stopAfter ends the workflow (integration deleted) after that many recorded runs.
	stopAfter int
	// importStatus is what the fake Import returns.
	importStatus directory.ImportStatus
	// importWait is how long the fake Import takes unless held.
	importWait time.Duration
	// onRun is called with the number of recorded runs as each run is recorded.
	onRun func(n int)
}

func newSyncEnv(t *testing.T, r *syncRecorder) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	env.RegisterWorkflowWithOptions(r.fakeImport, workflow.RegisterOptions{Name: importWorkflowName})
	env.RegisterWorkflow(IntegrationSync)
	var a *activities.Activities
	if r.schedule.Interval == 0 {
		r.schedule = activities.IntegrationSchedule{Kind: "https", Interval: 2 * time.Hour, AutoApply: true}
	}
	if r.importStatus == "" {
		r.importStatus = directory.StatusApplied
	}
	env.OnActivity(a.LoadIntegration, mock.Anything, syncRef).Return(func(context.Context, activities.IntegrationRef) (activities.IntegrationSchedule, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.loads++
		return r.schedule, nil
	})
	env.OnActivity(a.FetchIntegration, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FetchInput) (activities.FetchResult, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if in.IntegrationRef != syncRef || in.RunKey == "" {
			return activities.FetchResult{}, errors.New("bad fetch input")
		}
		out := r.fetches[0]
		if len(r.fetches) > 1 {
			r.fetches = r.fetches[1:]
		}
		return out, nil
	})
	env.OnActivity(a.FinishIntegrationRun, mock.Anything, mock.Anything).Return(func(_ context.Context, rec activities.RunRecord) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.stopAfter > 0 && len(r.runs) >= r.stopAfter {
			return temporal.NewNonRetryableApplicationError("integration 9 does not exist", activities.ErrorTypeNotFound, nil)
		}
		r.runs = append(r.runs, rec)
		if r.onRun != nil {
			r.onRun(len(r.runs))
		}
		return nil
	})
	env.OnActivity(a.ScheduleIntegration, mock.Anything, mock.Anything).Return(nil)
	return env
}

// fakeImport stands in for Import: it honours hold/release like the real one.
func (r *syncRecorder) fakeImport(ctx workflow.Context, in ImportInput) (ImportResult, error) {
	r.mu.Lock()
	r.children = append(r.children, in)
	wait := r.importWait
	status := r.importStatus
	r.mu.Unlock()
	hold := workflow.GetSignalChannel(ctx, SignalHold)
	release := workflow.GetSignalChannel(ctx, SignalRelease)
	held := false
	timer := workflow.NewTimer(ctx, wait)
	done := false
	for !done || held {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(hold, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			held = true
			r.mu.Lock()
			r.holds++
			r.mu.Unlock()
		})
		sel.AddReceive(release, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			held = false
			r.mu.Lock()
			r.releases++
			r.mu.Unlock()
		})
		if !done {
			sel.AddFuture(timer, func(workflow.Future) { done = true })
		}
		sel.Select(ctx)
	}
	return ImportResult{Status: status, Summary: activities.SummaryCounts{New: 2}}, nil
}

func runSync(t *testing.T, env *testsuite.TestWorkflowEnvironment) {
	t.Helper()
	env.ExecuteWorkflow(IntegrationSync, IntegrationSyncInput{CompanyID: syncRef.CompanyID, IntegrationID: syncRef.IntegrationID})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
}

// gaps returns the delay from each run to the next one it scheduled.
func (r *syncRecorder) results() []string {
	var out []string
	for _, run := range r.runs {
		out = append(out, run.Result)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSyncRunsImportEveryInterval(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{ImportID: 100}, {ImportID: 101}, {Unchanged: true}}, stopAfter: 3}
	env := newSyncEnv(t, r)
	start := env.Now()
	runSync(t, env)
	if want := []string{"applied", "applied", ResultUnchanged}; !equalStrings(r.results(), want) {
		t.Fatalf("results %v, want %v", r.results(), want)
	}
	if len(r.children) != 2 || r.children[0].ImportID != 100 || !r.children[0].AutoApprove || r.children[0].IntegrationID != 9 {
		t.Fatalf("children %+v", r.children)
	}
	for i, run := range r.runs {
		if run.Failed || run.NextRunAt.Sub(start) < time.Duration(i+1)*2*time.Hour {
			t.Fatalf("run %d: %+v (start %v)", i, run, start)
		}
	}
	if r.runs[0].ImportID != 100 || r.runs[0].Summary.New != 2 {
		t.Fatalf("first run %+v", r.runs[0])
	}
}

func TestSyncAutoApplyOffPassesToImport(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{ImportID: 5}}, stopAfter: 1,
		schedule: activities.IntegrationSchedule{Interval: time.Hour, AutoApply: false}, importStatus: directory.StatusRejected}
	env := newSyncEnv(t, r)
	runSync(t, env)
	if len(r.children) == 0 || r.children[0].AutoApprove {
		t.Fatalf("children %+v", r.children)
	}
	if r.runs[0].Result != "rejected" || r.runs[0].Failed {
		t.Fatalf("run %+v", r.runs[0])
	}
}

func TestSyncFailedRunsBackOffThenFailingAtInterval(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{Failed: true, Error: "example.com answered 500"}}, stopAfter: 5}
	env := newSyncEnv(t, r)
	runSync(t, env)
	var gaps []time.Duration
	prev := r.runs[0].NextRunAt
	gaps = append(gaps, 0)
	for _, run := range r.runs[1:] {
		gaps = append(gaps, run.NextRunAt.Sub(prev))
		prev = run.NextRunAt
	}
	// Run 1 fails -> retry after 1 min; run 2 -> 2 min; run 3 makes it failing -> interval.
	want := []time.Duration{0, 2 * time.Minute, 2 * time.Hour, 2 * time.Hour, 2 * time.Hour}
	for i := range want {
		if gaps[i] != want[i] {
			t.Fatalf("gaps %v, want %v", gaps, want)
		}
	}
	for _, run := range r.runs {
		if !run.Failed || run.Error != "example.com answered 500" {
			t.Fatalf("run %+v", run)
		}
	}
}

func TestSyncBadCredentialsPauseUntilResume(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{AuthFailed: true, Error: "paused: example.com answered 401"}, {ImportID: 7}}, stopAfter: 2}
	env := newSyncEnv(t, r)
	var stateWhilePaused SyncState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		if err != nil {
			t.Errorf("query: %v", err)
			return
		}
		_ = v.Get(&stateWhilePaused)
		if len(r.runs) != 1 {
			t.Errorf("runs while paused: %d", len(r.runs))
		}
		env.SignalWorkflow(SignalResume, nil)
	}, 30*24*time.Hour)
	runSync(t, env)
	if !stateWhilePaused.Paused || stateWhilePaused.PausedReason != "paused: example.com answered 401" {
		t.Fatalf("state while paused %+v", stateWhilePaused)
	}
	if want := []string{ResultPaused, "applied"}; !equalStrings(r.results(), want) {
		t.Fatalf("results %v", r.results())
	}
}

func TestSyncPauseDuringRunHoldsImportUntilResume(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{ImportID: 1}}, stopAfter: 1, importWait: 10 * time.Minute}
	env := newSyncEnv(t, r)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPause, PauseSignal{Reason: "review season"}) }, time.Minute)
	var during SyncState
	env.RegisterDelayedCallback(func() {
		v, _ := env.QueryWorkflow(QueryState)
		_ = v.Get(&during)
		env.SignalWorkflow(SignalResume, nil)
	}, 5*time.Hour)
	runSync(t, env)
	if r.holds != 1 || r.releases != 1 {
		t.Fatalf("holds %d releases %d", r.holds, r.releases)
	}
	if !during.Running || during.CurrentImportID != 1 || !during.Paused || during.PausedReason != "review season" {
		t.Fatalf("state during hold %+v", during)
	}
	// The held import finished only after the resume.
	if len(r.runs) != 1 || r.runs[0].NextRunAt.Sub(env.Now()) > 2*time.Hour {
		t.Fatalf("runs %+v", r.runs)
	}
}

func TestSyncPausedSleepsNoRunUntilResumeThenRunsAtOnce(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{ImportID: 1}, {ImportID: 2}}, stopAfter: 2}
	env := newSyncEnv(t, r)
	var resumedAt time.Time
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPause, PauseSignal{Reason: "holiday"}) }, time.Hour)
	env.RegisterDelayedCallback(func() {
		if len(r.runs) != 1 {
			t.Errorf("%d runs while paused, want 1", len(r.runs))
		}
		resumedAt = env.Now()
		env.SignalWorkflow(SignalResume, nil)
	}, 10*24*time.Hour)
	runSync(t, env)
	if len(r.runs) != 2 {
		t.Fatalf("runs %d", len(r.runs))
	}
	if next := r.runs[1].NextRunAt; next.Sub(resumedAt) != 2*time.Hour {
		t.Fatalf("second run was not right after resume: next %v, resumed %v", next, resumedAt)
	}
}

func TestSyncNowRunsEarly(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{Unchanged: true}}, stopAfter: 2}
	env := newSyncEnv(t, r)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalSyncNow, nil) }, 10*time.Minute)
	start := env.Now()
	runSync(t, env)
	if got := r.runs[1].NextRunAt.Sub(start); got != 10*time.Minute+2*time.Hour {
		t.Fatalf("second run scheduled the next at +%v, want +2h10m", got)
	}
}

func TestSyncReconfigureReloadsInterval(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{Unchanged: true}}, stopAfter: 2}
	env := newSyncEnv(t, r)
	start := env.Now()
	env.RegisterDelayedCallback(func() {
		r.mu.Lock()
		r.schedule.Interval = 30 * time.Minute
		r.mu.Unlock()
		env.SignalWorkflow(SignalReconfigure, nil)
	}, 10*time.Minute)
	runSync(t, env)
	if r.loads != 2 {
		t.Fatalf("loads %d", r.loads)
	}
	// Run 1 at start; after reconfigure the next is 30 min after it, then 30 min more.
	if got := r.runs[1].NextRunAt.Sub(start); got != time.Hour {
		t.Fatalf("second run scheduled next at +%v, want +1h", got)
	}
}

func TestSyncContinuesAsNewKeepingPendingSignals(t *testing.T) {
	r := &syncRecorder{fetches: []activities.FetchResult{{Unchanged: true}}}
	env := newSyncEnv(t, r)
	// The pause arrives while run 50 is being recorded, outside any wait that handles
	// signals: only the drain before continue-as-new can see it.
	r.onRun = func(n int) {
		if n == RunsPerWorkflowRun {
			env.SignalWorkflow(SignalPause, PauseSignal{Reason: "carried"})
		}
	}
	env.ExecuteWorkflow(IntegrationSync, IntegrationSyncInput{CompanyID: syncRef.CompanyID, IntegrationID: syncRef.IntegrationID})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("err = %v, want continue-as-new", err)
	}
	if len(r.runs) != RunsPerWorkflowRun {
		t.Fatalf("runs %d", len(r.runs))
	}
	var next IntegrationSyncInput
	if err := converterDecode(can, &next); err != nil {
		t.Fatal(err)
	}
	if next.Carry == nil || !next.Carry.State.Paused || next.Carry.State.PausedReason != "carried" || next.Carry.State.LastRun == nil {
		t.Fatalf("carry %+v", next.Carry)
	}
}

func TestSyncEndsWhenIntegrationDeleted(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	env.RegisterWorkflow(IntegrationSync)
	var a *activities.Activities
	env.OnActivity(a.LoadIntegration, mock.Anything, syncRef).Return(activities.IntegrationSchedule{},
		temporal.NewNonRetryableApplicationError("integration 9 does not exist", activities.ErrorTypeNotFound, nil))
	runSync(t, env)
}

func converterDecode(can *workflow.ContinueAsNewError, out *IntegrationSyncInput) error {
	return converter.GetDefaultDataConverter().FromPayloads(can.Input, out)
}
