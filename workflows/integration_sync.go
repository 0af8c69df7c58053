package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
)

// Signals and the query of the IntegrationSync workflow.
const (
	SignalPause       = "pause"
	SignalResume      = "resume"
	SignalSyncNow     = "sync_now"
	SignalReconfigure = "reconfigure"
	// SignalFetchPreview runs the integration once for a preview that never applies by
	// itself, whether automatic runs are on, off or paused.
	SignalFetchPreview = "fetch_preview"
	QueryState         = "state"
)

// Workflow version: automatic runs can be off (a new integration waits for fetch_preview or
// for its automatic runs to be turned on) and fetch_preview exists. Runs started before it
// run on their interval whatever the store says.
const (
	changeAutomaticRunsSwitch  = "automatic-runs-switch"
	versionAutomaticRunsSwitch = 1
)

// importWorkflowName is the registered name of Import (tests register a fake under it).
const importWorkflowName = "Import"

// RunsPerWorkflowRun is how many runs a sync makes before it continues as new, which keeps
// its history short however long it lives.
const RunsPerWorkflowRun = 50

// FirstRetryDelay is the wait after a first failed run; it doubles up to the interval.
const FirstRetryDelay = time.Minute

// IntegrationSyncWorkflowID is the workflow id of an integration's sync.
func IntegrationSyncWorkflowID(companyID, integrationID int64) string {
	return fmt.Sprintf("integration/%d/%d", companyID, integrationID)
}

// IntegrationSyncInput starts an IntegrationSync. Carry is set only by continue-as-new.
type IntegrationSyncInput struct {
	CompanyID     int64
	IntegrationID int64
	Carry         *SyncCarry `json:",omitempty"`
}

// SyncCarry is the state a sync hands to its next run after continue-as-new.
type SyncCarry struct {
	State  SyncState
	RunNow bool
	// PreviewOnly: the run asked for is a fetched preview (no auto-apply, never held).
	PreviewOnly bool `json:",omitempty"`
}

// PauseSignal pauses an integration with the reason the admin sees.
type PauseSignal struct {
	Reason string
}

// LastRun describes the latest finished run.
type LastRun struct {
	ImportID int64
	Result   string
	Summary  activities.SummaryCounts
	At       time.Time
}

// SyncState is what the `state` query answers.
type SyncState struct {
	Paused          bool
	PausedReason    string
	Running         bool
	CurrentImportID int64
	Failures        int
	LastError       string
	LastRun         *LastRun `json:",omitempty"`
	NextRun         time.Time
	// Runs counts the runs since the workflow last continued as new.
	Runs int
}

// Run results shown to the admin.
const (
	ResultUnchanged = "unchanged"
	ResultFailed    = "failed"
	ResultPaused    = "paused: bad credentials"
)

type syncer struct {
	ctx      workflow.Context
	in       IntegrationSyncInput
	ref      activities.IntegrationRef
	schedule activities.IntegrationSchedule
	state    SyncState
	runNow   bool
	reload   bool
	seq      int
	// switchable: this run knows automatic runs can be off (workflow version).
	switchable bool
	// previewOnly: the run asked for (or running) is a fetched preview.
	previewOnly bool

	pauseCh, resumeCh, syncNowCh, reconfigureCh, fetchCh workflow.ReceiveChannel
	// child is the running import, to pass hold/release on; nil when none runs.
	child workflow.ChildWorkflowFuture
}

// IntegrationSync keeps one integration in step: it sleeps until the next run, fetches
// (activity FetchIntegration), runs an Import child, records the outcome, and handles
// pause, resume, sync_now and reconfigure. It ends when the integration is deleted.
func IntegrationSync(ctx workflow.Context, in IntegrationSyncInput) error {
	s := &syncer{
		ctx:           ctx,
		in:            in,
		ref:           activities.IntegrationRef{CompanyID: in.CompanyID, IntegrationID: in.IntegrationID},
		pauseCh:       workflow.GetSignalChannel(ctx, SignalPause),
		resumeCh:      workflow.GetSignalChannel(ctx, SignalResume),
		syncNowCh:     workflow.GetSignalChannel(ctx, SignalSyncNow),
		reconfigureCh: workflow.GetSignalChannel(ctx, SignalReconfigure),
		fetchCh:       workflow.GetSignalChannel(ctx, SignalFetchPreview),
	}
	if in.Carry != nil {
		s.state, s.runNow, s.previewOnly = in.Carry.State, in.Carry.RunNow, in.Carry.PreviewOnly
		s.state.Runs = 0
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (SyncState, error) { return s.state, nil }); err != nil {
		return err
	}
	if ok, err := s.load(); err != nil || !ok {
		return err
	}
	s.switchable = workflow.GetVersion(ctx, changeAutomaticRunsSwitch, workflow.DefaultVersion, versionAutomaticRunsSwitch) >= versionAutomaticRunsSwitch
	// PostgreSQL holds what the admin last decided; at start it wins over carried state.
	s.state.Paused, s.state.PausedReason = s.schedule.Paused, s.schedule.PausedReason
	if in.Carry == nil {
		s.state.Failures = s.schedule.Failures
		s.state.NextRun = s.schedule.NextRunAt
		if s.state.NextRun.IsZero() {
			s.state.NextRun = workflow.Now(ctx)
		}
	}
	for {
		if s.state.Runs >= RunsPerWorkflowRun {
			s.drainSignals()
			return workflow.NewContinueAsNewError(ctx, IntegrationSync, IntegrationSyncInput{
				CompanyID: in.CompanyID, IntegrationID: in.IntegrationID,
				Carry: &SyncCarry{State: s.state, RunNow: s.runNow, PreviewOnly: s.previewOnly},
			})
		}
		ok, err := s.waitUntilDue()
		if err != nil || !ok {
			return err
		}
		if ok, err := s.run(); err != nil || !ok {
			return err
		}
	}
}

// automatic says whether scheduled runs happen.
func (s *syncer) automatic() bool {
	return !s.switchable || !s.schedule.ManualOnly
}

func (s *syncer) activityCtx(timeout time.Duration, attempts int32) workflow.Context {
	return workflow.WithActivityOptions(s.ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    attempts,
		},
	})
}

// load reads the integration's schedule; ok is false when it has been deleted.
func (s *syncer) load() (bool, error) {
	var acts *activities.Activities
	// Decoded into a fresh value: a field a payload leaves out must not keep its old value.
	var schedule activities.IntegrationSchedule
	err := workflow.ExecuteActivity(s.activityCtx(time.Minute, 0), acts.LoadIntegration, s.ref).Get(s.ctx, &schedule)
	if isNotFound(err) {
		return false, nil
	}
	if err == nil {
		s.schedule = schedule
	}
	return err == nil, err
}

func isNotFound(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == activities.ErrorTypeNotFound
}

// onSignal applies one signal to the state (and to a running import).
func (s *syncer) onSignal(name string, c workflow.ReceiveChannel, more bool) {
	switch name {
	case SignalPause:
		var sig PauseSignal
		c.Receive(s.ctx, &sig)
		s.state.Paused, s.state.PausedReason = true, sig.Reason
		if !s.previewOnly {
			s.tellChild(SignalHold)
		}
	case SignalResume:
		c.Receive(s.ctx, nil)
		wasPaused := s.state.Paused
		s.state.Paused, s.state.PausedReason = false, ""
		s.tellChild(SignalRelease)
		if wasPaused && !s.state.Running && s.automatic() {
			s.runNow = true
		}
	case SignalSyncNow:
		c.Receive(s.ctx, nil)
		if !s.state.Running && !s.state.Paused {
			s.runNow = true
		}
	case SignalFetchPreview:
		c.Receive(s.ctx, nil)
		if !s.state.Running {
			s.runNow, s.previewOnly = true, true
		}
	case SignalReconfigure:
		c.Receive(s.ctx, nil)
		s.reload = true
	}
}

func (s *syncer) tellChild(signal string) {
	if s.child == nil {
		return
	}
	// Best effort: if the import has just ended the signal has nothing left to do.
	s.child.SignalChildWorkflow(s.ctx, signal, nil)
}

func (s *syncer) addSignals(sel workflow.Selector) {
	for _, c := range []struct {
		name string
		ch   workflow.ReceiveChannel
	}{{SignalPause, s.pauseCh}, {SignalResume, s.resumeCh}, {SignalSyncNow, s.syncNowCh}, {SignalReconfigure, s.reconfigureCh}, {SignalFetchPreview, s.fetchCh}} {
		name := c.name
		sel.AddReceive(c.ch, func(ch workflow.ReceiveChannel, more bool) { s.onSignal(name, ch, more) })
	}
}

// drainSignals applies every signal already received, so none is lost by continue-as-new.
func (s *syncer) drainSignals() {
	for {
		sel := workflow.NewSelector(s.ctx)
		s.addSignals(sel)
		if !sel.HasPending() {
			return
		}
		sel.Select(s.ctx)
	}
}

// waitUntilDue sleeps until the next run is due or a signal asks for one; ok is false when
// the integration has been deleted.
func (s *syncer) waitUntilDue() (bool, error) {
	for {
		if s.switchable {
			// Take every signal already received before deciding: "automatic runs on"
			// (reconfigure) and a sync_now sent right after it arrive together, and the
			// run must see the new schedule.
			s.drainSignals()
		}
		if s.reload {
			s.reload = false
			if ok, err := s.load(); err != nil || !ok {
				return ok, err
			}
			s.reschedule()
		}
		now := workflow.Now(s.ctx)
		if s.runNow && (s.previewOnly || !s.automatic()) {
			// A fetched preview runs even when paused; without automatic runs a run asked
			// for (sync_now) is a preview too. Decided here, after a pending reload.
			s.runNow, s.previewOnly = false, true
			return true, nil
		}
		if !s.state.Paused && (s.runNow || (s.automatic() && !now.Before(s.state.NextRun))) {
			s.runNow = false
			return true, nil
		}
		sel := workflow.NewSelector(s.ctx)
		timerCtx, cancelTimer := workflow.WithCancel(s.ctx)
		if !s.state.Paused && s.automatic() {
			sel.AddFuture(workflow.NewTimer(timerCtx, s.state.NextRun.Sub(now)), func(workflow.Future) {})
		}
		s.addSignals(sel)
		sel.Select(s.ctx)
		cancelTimer()
	}
}

// reschedule moves the next run after a new interval: one interval after the last run.
func (s *syncer) reschedule() {
	if s.state.LastRun == nil || s.state.Failures > 0 {
		return
	}
	next := s.state.LastRun.At.Add(s.schedule.Interval)
	if next.Before(s.state.NextRun) || next.After(s.state.NextRun) {
		s.state.NextRun = next
		var acts *activities.Activities
		// Only for display; the timer uses the workflow's own state.
		_ = workflow.ExecuteActivity(s.activityCtx(time.Minute, 3), acts.ScheduleIntegration,
			activities.ScheduleInput{IntegrationRef: s.ref, NextRunAt: next}).Get(s.ctx, nil)
	}
}

// await waits for f while handling signals.
func (s *syncer) await(f workflow.Future) {
	done := false
	for !done {
		sel := workflow.NewSelector(s.ctx)
		sel.AddFuture(f, func(workflow.Future) { done = true })
		s.addSignals(sel)
		sel.Select(s.ctx)
	}
}

// run makes one run; ok is false when the integration has been deleted.
func (s *syncer) run() (bool, error) {
	var acts *activities.Activities
	s.seq++
	s.state.Running = true
	defer func() { s.state.Running, s.state.CurrentImportID, s.child, s.previewOnly = false, 0, nil, false }()

	info := workflow.GetInfo(s.ctx)
	fetchIn := activities.FetchInput{IntegrationRef: s.ref, RunKey: fmt.Sprintf("%s/%d", info.WorkflowExecution.RunID, s.seq)}
	fetch := workflow.ExecuteActivity(s.activityCtx(15*time.Minute, 5), acts.FetchIntegration, fetchIn)
	s.await(fetch)
	var fetched activities.FetchResult
	outcome := activities.RunRecord{IntegrationRef: s.ref}
	err := fetch.Get(s.ctx, &fetched)
	switch {
	case isNotFound(err):
		return false, nil
	case err != nil:
		outcome.Result, outcome.Failed, outcome.Error = ResultFailed, true, "the fetch failed: "+errorText(err)
	case fetched.AuthFailed:
		s.state.Paused, s.state.PausedReason = true, fetched.Error
		outcome.Result = ResultPaused
	case fetched.Failed:
		outcome.Result, outcome.Failed, outcome.Error = ResultFailed, true, fetched.Error
	case fetched.Unchanged:
		outcome.Result = ResultUnchanged
	default:
		outcome.ImportID = fetched.ImportID
		if ok, err := s.runImport(fetched.ImportID, &outcome); err != nil || !ok {
			return ok, err
		}
	}
	return s.finish(outcome)
}

// runImport runs the Import child of a run and fills the outcome from its result.
func (s *syncer) runImport(importID int64, outcome *activities.RunRecord) (bool, error) {
	s.state.CurrentImportID = importID
	childCtx := workflow.WithChildOptions(s.ctx, workflow.ChildWorkflowOptions{
		WorkflowID: ImportWorkflowID(s.in.CompanyID, importID),
		// An import waiting for approval stays approvable even if the integration is deleted.
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			SearchCompany.ValueSet(fmt.Sprint(s.in.CompanyID)),
			SearchSource.ValueSet(s.schedule.Kind),
			SearchStatus.ValueSet(string(directory.StatusParsing)),
		),
	})
	child := workflow.ExecuteChildWorkflow(childCtx, importWorkflowName, ImportInput{
		CompanyID: s.in.CompanyID, ImportID: importID, AutoApprove: s.schedule.AutoApply && !s.previewOnly, IntegrationID: s.in.IntegrationID,
	})
	s.await(child.GetChildWorkflowExecution())
	if err := child.GetChildWorkflowExecution().Get(s.ctx, nil); err != nil {
		outcome.Result, outcome.Failed, outcome.Error = ResultFailed, true, "the import could not start: "+errorText(err)
		return true, nil
	}
	s.child = child
	if s.state.Paused && !s.previewOnly {
		// Paused while fetching: the import previews but does not apply until resume. A
		// fetched preview is never held: only an admin's approval applies it.
		s.tellChild(SignalHold)
	}
	s.await(child)
	var result ImportResult
	if err := child.Get(s.ctx, &result); err != nil {
		outcome.Result, outcome.Failed, outcome.Error = ResultFailed, true, "the import failed: "+errorText(err)
		return true, nil
	}
	outcome.Result = string(result.Status)
	outcome.Summary = result.Summary
	outcome.Failed = result.Status == directory.StatusFailed
	return true, nil
}

// finish records the outcome and schedules the next run: one interval later, or after a
// failure 1 min doubling up to the interval, and the interval again once it is failing.
func (s *syncer) finish(outcome activities.RunRecord) (bool, error) {
	var acts *activities.Activities
	interval := s.schedule.Interval
	failures := s.state.Failures
	if outcome.Failed {
		failures++
	} else {
		failures = 0
	}
	delay := interval
	if outcome.Failed && failures < activities.FailingAfter {
		delay = FirstRetryDelay << (failures - 1)
		if delay > interval {
			delay = interval
		}
	}
	now := workflow.Now(s.ctx)
	outcome.NextRunAt = now.Add(delay)
	err := workflow.ExecuteActivity(s.activityCtx(time.Minute, 0), acts.FinishIntegrationRun, outcome).Get(s.ctx, nil)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.state.Failures = failures
	if outcome.Failed {
		s.state.LastError = outcome.Error
	} else {
		s.state.LastError = ""
	}
	s.state.LastRun = &LastRun{ImportID: outcome.ImportID, Result: outcome.Result, Summary: outcome.Summary, At: now}
	s.state.NextRun = outcome.NextRunAt
	s.state.Runs++
	return true, nil
}

// errorText is the message of the innermost cause, without Temporal's wrapping.
func errorText(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// TestIntegrationConnection runs the connection test of an integration in the worker, where
// its secrets may be decrypted, and returns the admin-facing outcome.
func TestIntegrationConnection(ctx workflow.Context, ref activities.IntegrationRef) (activities.TestResult, error) {
	var acts *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2},
	})
	var out activities.TestResult
	err := workflow.ExecuteActivity(ctx, acts.TestIntegration, ref).Get(ctx, &out)
	return out, err
}
