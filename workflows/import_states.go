package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
)

// Versions of the Import workflow that keep PostgreSQL and the workflow in agreement.
const (
	// changeExpiryRace: the expiry asks PostgreSQL who won. Before it, an approval that
	// reached PostgreSQL just before the timer fired left the import applying while the
	// workflow ended expired.
	changeExpiryRace  = "expiry-race-decided-in-store"
	versionExpiryRace = 1
	// changeMarkFailed: a workflow that fails or is cancelled marks its import failed with
	// the reason. Before it, such an import stayed in its last status.
	changeMarkFailed  = "mark-import-failed"
	versionMarkFailed = 1
)

// expire records the expiry in PostgreSQL, where the expiry and an admin's decision race for
// one conditional UPDATE. ended is true when the import is over (expired, rejected, or
// otherwise decided); false when an approval won, which the caller then applies.
func (r *importRun) expire(ctx, stepCtx workflow.Context) (ended bool, err error) {
	var acts *activities.Activities
	if workflow.GetVersion(ctx, changeExpiryRace, workflow.DefaultVersion, versionExpiryRace) == workflow.DefaultVersion {
		if err := workflow.ExecuteActivity(stepCtx, acts.ExpireImport, r.ref).Get(ctx, nil); err != nil {
			return true, err
		}
		r.setStatus(ctx, directory.StatusExpired, "nobody decided in time")
		return true, nil
	}
	var out activities.ExpireResult
	if err := workflow.ExecuteActivity(stepCtx, acts.ExpireImport, r.ref).Get(ctx, &out); err != nil {
		return true, err
	}
	switch out.Status {
	case directory.StatusExpired:
		r.setStatus(ctx, directory.StatusExpired, "nobody decided in time")
	case directory.StatusApplying:
		return false, nil // its signal may still be on the way; PostgreSQL has the decision
	case directory.StatusRejected:
		r.setStatus(ctx, directory.StatusRejected, "rejected by an admin")
	default:
		r.setStatus(ctx, out.Status, "ended while waiting for a decision")
	}
	return true, nil
}

// markFailed marks the import failed with the reason the workflow failed for (a step that
// failed for good, a cancellation), so the admin sees the import ended and why. It runs in a
// disconnected context: a cancelled workflow still records it. A workflow that continues as
// new has not failed. Terminated workflows run no code: see docs/decisions.md (issue 18).
func (r *importRun) markFailed(ctx workflow.Context, err error) {
	if workflow.IsContinueAsNewError(err) {
		return
	}
	if workflow.GetVersion(ctx, changeMarkFailed, workflow.DefaultVersion, versionMarkFailed) == workflow.DefaultVersion {
		return
	}
	var acts *activities.Activities
	finalCtx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	finalCtx = workflow.WithActivityOptions(finalCtx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 20},
	})
	reason := failureReason(err)
	// If even this fails (the database stays down for ten minutes), the import keeps its
	// last status; the workflow's failure in Temporal still says why.
	_ = workflow.ExecuteActivity(finalCtx, acts.FailImport, activities.FailInput{ImportRef: r.ref, Reason: reason}).Get(finalCtx, nil)
	r.setStatus(finalCtx, directory.StatusFailed, reason)
}

// failureReason is the admin-facing reason of a workflow failure. Activity messages are the
// Go error text, which holds ids and counts, never row data.
func failureReason(err error) string {
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return "the import was cancelled by an operator"
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "the import stopped: a step took too long; start the import again"
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return "the import stopped: " + app.Message()
	}
	return "the import stopped unexpectedly; start the import again"
}
