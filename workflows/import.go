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
)

// DefaultApprovalTimeout is how long an import waits for a decision before it expires.
const DefaultApprovalTimeout = 7 * 24 * time.Hour

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
	// ApprovalTimeout is how long to wait for approval; zero means DefaultApprovalTimeout.
	ApprovalTimeout time.Duration
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
}

// Import runs one import: parse, preview, wait for a decision, apply. If the directory
// changed between preview and apply it previews again and waits for a new approval.
func Import(ctx workflow.Context, in ImportInput) (ImportResult, error) {
	ref := activities.ImportRef{CompanyID: in.CompanyID, ImportID: in.ImportID}
	var acts *activities.Activities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
	result := ImportResult{}
	setStatus := func(s directory.ImportStatus) {
		result.Status = s
		// Search attributes are for operators; a failed upsert must not fail the import.
		_ = workflow.UpsertTypedSearchAttributes(ctx, SearchStatus.ValueSet(string(s)))
	}

	var parsed activities.ParseResult
	if err := workflow.ExecuteActivity(ctx, acts.ParseImport, ref).Get(ctx, &parsed); err != nil {
		return result, err
	}
	result.Rows = parsed.Rows
	if parsed.Failed {
		setStatus(directory.StatusFailed)
		return result, nil
	}

	timeout := in.ApprovalTimeout
	if timeout <= 0 {
		timeout = DefaultApprovalTimeout
	}
	approveCh := workflow.GetSignalChannel(ctx, SignalApprove)
	rejectCh := workflow.GetSignalChannel(ctx, SignalReject)
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	expiry := workflow.NewTimer(timerCtx, timeout)
	defer cancelTimer()

	for {
		var preview activities.PreviewResult
		if err := workflow.ExecuteActivity(ctx, acts.PreviewImport, ref).Get(ctx, &preview); err != nil {
			return result, err
		}
		result.Summary = preview.Summary
		setStatus(directory.StatusAwaitingApproval)

		decision, approvedVersion := waitForDecision(ctx, approveCh, rejectCh, expiry, preview.PreviewVersion)
		switch decision {
		case decisionRejected:
			setStatus(directory.StatusRejected)
			return result, nil
		case decisionExpired:
			if err := workflow.ExecuteActivity(ctx, acts.ExpireImport, ref).Get(ctx, nil); err != nil {
				return result, err
			}
			setStatus(directory.StatusExpired)
			return result, nil
		}

		setStatus(directory.StatusApplying)
		var applied activities.ApplyResult
		if err := workflow.ExecuteActivity(ctx, acts.ApplyImport, activities.ApplyInput{ImportRef: ref, PreviewVersion: approvedVersion}).Get(ctx, &applied); err != nil {
			return result, err
		}
		if applied.Stale {
			setStatus(directory.StatusPreviewing)
			continue
		}
		result.PeopleWritten = applied.PeopleWritten
		result.HistoryWritten = applied.HistoryWritten
		setStatus(directory.StatusApplied)
		return result, nil
	}
}

type decision int

const (
	decisionApproved decision = iota
	decisionRejected
	decisionExpired
)

// waitForDecision blocks until an approval of the current preview, a rejection, or expiry.
// An approval of an older preview cannot be valid (the API checks) and is ignored.
func waitForDecision(ctx workflow.Context, approveCh, rejectCh workflow.ReceiveChannel, expiry workflow.Future, current int64) (decision, int64) {
	for {
		var got decision = -1
		var version int64
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(approveCh, func(c workflow.ReceiveChannel, _ bool) {
			var sig ApproveSignal
			c.Receive(ctx, &sig)
			if sig.PreviewVersion == current {
				got, version = decisionApproved, sig.PreviewVersion
			}
		})
		sel.AddReceive(rejectCh, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			got = decisionRejected
		})
		sel.AddFuture(expiry, func(workflow.Future) { got = decisionExpired })
		sel.Select(ctx)
		if got >= 0 {
			return got, version
		}
	}
}
