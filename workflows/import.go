// Package workflows orchestrates imports and syncs. Workflow code is deterministic: no I/O,
// no clocks but workflow.Now, no goroutines, no map iteration; payloads carry ids and counts.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
)

// TaskQueue is the task queue of every staffsync workflow and activity.
const TaskQueue = "staffsync"

// Signal names of the Import workflow.
const (
	SignalApprove = "approve"
	SignalReject  = "reject"
	// SignalHold stops an import before apply (its integration was paused); it waits,
	// approved or not, until SignalRelease.
	SignalHold    = "hold"
	SignalRelease = "release"
)

// QueryImportState answers the workflow's ImportState.
const QueryImportState = "state"

// DefaultApprovalTimeout is how long an import waits for a decision before it expires.
const DefaultApprovalTimeout = directory.DefaultApprovalTimeout

// Search attributes operators filter on in the Temporal UI.
var (
	SearchCompany = temporal.NewSearchAttributeKeyKeyword("StaffsyncCompany")
	SearchSource  = temporal.NewSearchAttributeKeyKeyword("StaffsyncSource")
	SearchStatus  = temporal.NewSearchAttributeKeyKeyword("StaffsyncStatus")
)

// ImportWorkflowID is the workflow id of an import.
func ImportWorkflowID(companyID, importID int64) string {
	return fmt.Sprintf("import/%d/%d", companyID, importID)
}

// ImportInput starts an Import workflow.
type ImportInput struct {
	CompanyID int64
	ImportID  int64
	// ApprovalTimeout is how long to wait for approval; zero means the import's options say
	// (DefaultApprovalTimeout unless set).
	ApprovalTimeout time.Duration
	// AutoApprove (scheduled syncs) applies without waiting for an admin, unless the
	// preview's safety guard tripped: then the import waits for a decision like an upload.
	AutoApprove bool
	// IntegrationID is the integration whose sync started the import; 0 for uploads.
	IntegrationID int64
	// Held carries a hold across continue-as-new; callers leave it false.
	Held bool
}

// ApproveSignal approves the preview the admin saw.
type ApproveSignal struct {
	PreviewVersion int64
}

// ImportResult is the workflow's result: the final status and counts.
type ImportResult struct {
	Status         directory.ImportStatus
	Rows           int
	Summary        activities.SummaryCounts
	PeopleWritten  int64
	HistoryWritten int64
	// Previews counts the previews made; more than one means the directory changed
	// between preview and apply.
	Previews     int
	AutoApproved bool
	PostSteps    PostStepCounts
}

// PostStepCounts reports the post-steps of an applied import. Failed names the post-steps
// that still failed after their retries; the import stays applied.
type PostStepCounts struct {
	ObjectivesJoined   int64
	ReviewCyclesJoined int64
	ReviewersReset     int64
	EmailsQueued       int64
	EmailsSent         int64
	Failed             []string
}

// ImportState is what the state query answers.
type ImportState struct {
	Status         directory.ImportStatus
	Held           bool
	PreviewVersion int64
	GuardTripped   bool
}

// Activity options. Apply heartbeats every few seconds, so a worker that dies in the middle
// is noticed within applyHeartbeatTimeout and the apply runs again on another worker.
const (
	applyHeartbeatTimeout = 10 * time.Second
	stepHeartbeatTimeout  = 2 * time.Minute
)

// activityOptions retry without end, at least every 10 s: the steps fail for database or
// network outages, and an import should go on soon after the database is back. Errors that
// retrying cannot fix are non-retryable and end the workflow at once.
func activityOptions(ctx workflow.Context, heartbeat time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    heartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
		},
	})
}

// postStepOptions retry for about an hour, then give up: the import is applied already and
// a post-step that keeps failing (the mail server is down) must not keep it open forever.
func postStepOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    stepHeartbeatTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			MaximumAttempts:    20,
		},
	})
}

// changeSinglePassPreview: PreviewImport reads the file itself, so a run no longer parses it
// in a ParseImport step first (one read of the file instead of two, and no staged rows).
const (
	changeSinglePassPreview  = "single-pass-preview"
	versionSinglePassPreview = 1
	// changeTimeoutFromOptions: without a timeout in its input, an import waits as long as
	// its own options say (PreviewResult.ApprovalTimeout), which is also the deadline admins
	// are shown. Before it, such an import (an integration's) always waited 7 days.
	changeTimeoutFromOptions  = "approval-timeout-from-options"
	versionTimeoutFromOptions = 1
)

// maxPreviewsPerRun bounds the previews of one run; each adds about 15 history events.
const maxPreviewsPerRun = 3

// importRun is one execution of the Import workflow.
type importRun struct {
	in     ImportInput
	ref    activities.ImportRef
	result ImportResult
	state  ImportState

	approveCh, rejectCh, holdCh, releaseCh workflow.ReceiveChannel
}

// Import runs one import: parse, preview, wait for a decision (or auto-approve), apply,
// post-steps. If the directory changed between preview and apply it previews again and
// waits for a new decision (a scheduled sync re-plans and continues under the same guard).
func Import(ctx workflow.Context, in ImportInput) (ImportResult, error) {
	r := &importRun{
		in:        in,
		ref:       activities.ImportRef{CompanyID: in.CompanyID, ImportID: in.ImportID},
		approveCh: workflow.GetSignalChannel(ctx, SignalApprove),
		rejectCh:  workflow.GetSignalChannel(ctx, SignalReject),
		holdCh:    workflow.GetSignalChannel(ctx, SignalHold),
		releaseCh: workflow.GetSignalChannel(ctx, SignalRelease),
	}
	r.state.Held = in.Held
	if err := workflow.SetQueryHandler(ctx, QueryImportState, func() (ImportState, error) { return r.state, nil }); err != nil {
		return r.result, err
	}
	result, err := r.run(ctx)
	if err != nil {
		r.markFailed(ctx, err)
	}
	return result, err
}

func (r *importRun) run(ctx workflow.Context) (ImportResult, error) {
	var acts *activities.Activities
	stepCtx := activityOptions(ctx, stepHeartbeatTimeout)
	r.setStatus(ctx, directory.StatusParsing, "reading the file")

	// Runs started before versionSinglePassPreview read the file in a step of its own.
	if workflow.GetVersion(ctx, changeSinglePassPreview, workflow.DefaultVersion, versionSinglePassPreview) == workflow.DefaultVersion {
		var parsed activities.ParseResult
		if err := workflow.ExecuteActivity(stepCtx, acts.ParseImport, r.ref).Get(ctx, &parsed); err != nil {
			return r.result, err
		}
		r.result.Rows = parsed.Rows
		if parsed.Failed {
			return r.fileRefused(ctx)
		}
	}

	for {
		r.setStatus(ctx, directory.StatusPreviewing, "computing the preview")
		var preview activities.PreviewResult
		if err := workflow.ExecuteActivity(stepCtx, acts.PreviewImport, r.ref).Get(ctx, &preview); err != nil {
			return r.result, err
		}
		if preview.Failed {
			return r.fileRefused(ctx)
		}
		if preview.Rows > 0 {
			r.result.Rows = preview.Rows
		}
		r.result.Previews++
		r.result.Summary = preview.Summary
		r.state.PreviewVersion, r.state.GuardTripped = preview.PreviewVersion, preview.GuardTripped

		approved := false
		if r.in.AutoApprove && !preview.GuardTripped {
			// A paused integration holds the run before anything is decided.
			r.setStatus(ctx, directory.StatusAwaitingApproval, "scheduled sync: approving automatically")
			r.waitWhileHeld(ctx)
			if err := workflow.ExecuteActivity(stepCtx, acts.AutoApproveImport,
				activities.AutoApproveInput{ImportRef: r.ref, PreviewVersion: preview.PreviewVersion}).Get(ctx, &approved); err != nil {
				return r.result, err
			}
			r.result.AutoApproved = approved
		}
		if !approved {
			why := "waiting for an admin to approve or reject"
			if preview.GuardTripped {
				why = "the safety guard tripped: waiting for an admin to approve or reject"
			}
			r.setStatus(ctx, directory.StatusAwaitingApproval, why)
			switch r.waitForDecision(ctx, preview.PreviewVersion, preview.ApprovalTimeout) {
			case decisionRejected:
				r.setStatus(ctx, directory.StatusRejected, "rejected by an admin")
				return r.result, nil
			case decisionExpired:
				ended, err := r.expire(ctx, stepCtx)
				if err != nil || ended {
					return r.result, err
				}
				// An admin's approval won the race in PostgreSQL: apply it.
			}
		}
		r.drainHold()
		if r.state.Held {
			r.setStatus(ctx, directory.StatusApplying, "approved; held until the integration is resumed")
			r.waitWhileHeld(ctx)
		}

		r.setStatus(ctx, directory.StatusApplying, "applying the changes")
		var applied activities.ApplyResult
		if err := workflow.ExecuteActivity(activityOptions(ctx, applyHeartbeatTimeout), acts.ApplyImport,
			activities.ApplyInput{ImportRef: r.ref, PreviewVersion: preview.PreviewVersion}).Get(ctx, &applied); err != nil {
			return r.result, err
		}
		if applied.Stale {
			if r.result.Previews >= maxPreviewsPerRun {
				// Keep the history small when the directory keeps changing under the import:
				// start afresh (parsing is skipped, the rows are stored) and carry the hold over.
				r.drainHold()
				next := r.in
				next.Held = r.state.Held
				return r.result, workflow.NewContinueAsNewError(ctx, Import, next)
			}
			continue
		}
		r.result.PeopleWritten = applied.PeopleWritten
		r.result.HistoryWritten = applied.HistoryWritten
		r.setStatus(ctx, directory.StatusApplied, "applied; running post-steps")
		r.runPostSteps(ctx, applied.PostSteps)
		r.setStatus(ctx, directory.StatusApplied, "applied")
		return r.result, nil
	}
}

// fileRefused ends an import whose file could not be read.
func (r *importRun) fileRefused(ctx workflow.Context) (ImportResult, error) {
	r.setStatus(ctx, directory.StatusFailed, "the file could not be read; the reason is in `staffsyncctl import show`")
	return r.result, nil
}

// runPostSteps runs the post-steps side by side; each is its own retried activity. A
// post-step that fails for good is reported in the result, and the import stays applied.
func (r *importRun) runPostSteps(ctx workflow.Context, plan activities.PostStepPlan) {
	if plan.NewPeople == 0 && !plan.ResetReviewers {
		return
	}
	var acts *activities.Activities
	postCtx := postStepOptions(ctx)
	type step struct {
		name   string
		future workflow.Future
		into   *int64
	}
	var steps []step
	add := func(name string, fn any, into *int64) {
		steps = append(steps, step{name, workflow.ExecuteActivity(postCtx, fn, r.ref), into})
	}
	counts := &r.result.PostSteps
	if plan.NewPeople > 0 {
		add("join objectives cycles", acts.JoinObjectivesCycles, &counts.ObjectivesJoined)
		if plan.JoinReviewCycles {
			add("join review cycles", acts.JoinReviewCycles, &counts.ReviewCyclesJoined)
		}
	}
	if plan.ResetReviewers {
		add("reset reviewers", acts.ResetReviewers, &counts.ReviewersReset)
	}
	var emails workflow.Future
	if plan.NewPeople > 0 && plan.SendPasswordEmails {
		// Delivery follows queueing; it does not wait for the other post-steps.
		emails = workflow.ExecuteActivity(postCtx, acts.QueuePasswordEmails, r.ref)
	}
	for _, s := range steps {
		if err := s.future.Get(ctx, s.into); err != nil {
			counts.Failed = append(counts.Failed, s.name)
		}
	}
	if emails == nil {
		return
	}
	if err := emails.Get(ctx, &counts.EmailsQueued); err != nil {
		counts.Failed = append(counts.Failed, "queue password emails")
		return
	}
	var delivered activities.DeliverResult
	if err := workflow.ExecuteActivity(postCtx, acts.DeliverEmails, r.ref).Get(ctx, &delivered); err != nil {
		counts.Failed = append(counts.Failed, "deliver password emails")
	}
	counts.EmailsSent = delivered.Sent
}

// setStatus keeps the StaffsyncStatus search attribute and the Temporal UI's summary current.
func (r *importRun) setStatus(ctx workflow.Context, s directory.ImportStatus, what string) {
	if r.result.Status != s {
		// Search attributes are for operators; a failed upsert must not fail the import.
		_ = workflow.UpsertTypedSearchAttributes(ctx, SearchStatus.ValueSet(string(s)))
	}
	r.result.Status, r.state.Status = s, s
	workflow.SetCurrentDetails(ctx, r.details(what))
}

// details is the summary the Temporal UI shows: counts only, never names or emails.
func (r *importRun) details(what string) string {
	source := "upload"
	if r.in.IntegrationID != 0 {
		source = fmt.Sprintf("integration %d", r.in.IntegrationID)
	}
	text := fmt.Sprintf("**Import %d** of company %d (%s): **%s**, %s.\n\n", r.in.ImportID, r.in.CompanyID, source, r.result.Status, what)
	if r.result.Rows > 0 {
		text += fmt.Sprintf("Rows: %d. ", r.result.Rows)
	}
	if r.result.Previews > 0 {
		s := r.result.Summary
		text += fmt.Sprintf("Preview %d: %d new, %d updated, %d deactivated, %d reactivated, %d unchanged, %d errors, %d with warnings.",
			r.state.PreviewVersion, s.New, s.Updated, s.Deactivated, s.Reactivated, s.Unchanged, s.Error, s.Warning)
	}
	if r.state.Held {
		text += " Held: its integration is paused."
	}
	if r.result.Status == directory.StatusApplied {
		p := r.result.PostSteps
		text += fmt.Sprintf("\n\nWritten: %d people, %d history rows. Post-steps: %d joined objectives cycles, %d joined review cycles, %d reviewers reset, %d emails queued, %d sent.",
			r.result.PeopleWritten, r.result.HistoryWritten, p.ObjectivesJoined, p.ReviewCyclesJoined, p.ReviewersReset, p.EmailsQueued, p.EmailsSent)
		if len(p.Failed) > 0 {
			text += fmt.Sprintf(" Failed: %v.", p.Failed)
		}
	}
	return text
}

// drainHold applies hold and release signals that arrived, without blocking.
func (r *importRun) drainHold() {
	for {
		switch {
		case r.holdCh.ReceiveAsync(nil):
			r.state.Held = true
		case r.releaseCh.ReceiveAsync(nil):
			r.state.Held = false
		default:
			return
		}
	}
}

// waitWhileHeld returns once the import is not held.
func (r *importRun) waitWhileHeld(ctx workflow.Context) {
	r.drainHold()
	if r.state.Held {
		workflow.SetCurrentDetails(ctx, r.details("held until the integration is resumed"))
	}
	for r.state.Held {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(r.holdCh, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); r.state.Held = true })
		sel.AddReceive(r.releaseCh, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); r.state.Held = false })
		sel.Select(ctx)
	}
}

type decision int

const (
	decisionApproved decision = iota
	decisionRejected
	decisionExpired
)

// waitForDecision blocks until an approval of the current preview, a rejection, or expiry
// (after the input's timeout, else the import's own, optionsTimeout), keeping track of hold
// and release meanwhile. An approval of an older preview cannot be valid (the API checks)
// and is ignored.
func (r *importRun) waitForDecision(ctx workflow.Context, current int64, optionsTimeout time.Duration) decision {
	timeout := r.in.ApprovalTimeout
	if timeout <= 0 && workflow.GetVersion(ctx, changeTimeoutFromOptions, workflow.DefaultVersion, versionTimeoutFromOptions) >= versionTimeoutFromOptions {
		timeout = optionsTimeout
	}
	if timeout <= 0 {
		timeout = DefaultApprovalTimeout
	}
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	expiry := workflow.NewTimer(timerCtx, timeout)
	for {
		got := decision(-1)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(r.approveCh, func(c workflow.ReceiveChannel, _ bool) {
			var sig ApproveSignal
			c.Receive(ctx, &sig)
			if sig.PreviewVersion == current {
				got = decisionApproved
			}
		})
		sel.AddReceive(r.rejectCh, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			got = decisionRejected
		})
		sel.AddReceive(r.holdCh, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); r.state.Held = true })
		sel.AddReceive(r.releaseCh, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil); r.state.Held = false })
		sel.AddFuture(expiry, func(workflow.Future) { got = decisionExpired })
		sel.Select(ctx)
		if got >= 0 {
			return got
		}
	}
}
