package api

import (
	"context"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// defaultReconcileAfter is how long an import must have stood still before a read asks
// Temporal whether its workflow still runs.
const defaultReconcileAfter = time.Minute

// reconcile catches the imports whose workflow closed without ending them: a workflow
// terminated by an operator runs no code of its own, so it cannot mark its import failed as a
// failed or cancelled one does. A read of an import that is not final and has not changed
// for a while asks Temporal; if the workflow has closed, the import is marked failed with
// the reason and read again. Any trouble asking leaves the import as it is.
func (s *ImportServer) reconcile(ctx context.Context, im store.Import) store.Import {
	after := s.ReconcileAfter
	if after <= 0 {
		after = defaultReconcileAfter
	}
	if im.Status.Final() || time.Since(im.UpdatedAt) < after || s.Temporal == nil {
		return im
	}
	desc, err := s.Temporal.DescribeWorkflowExecution(ctx, workflows.ImportWorkflowID(im.CompanyID, im.ID), "")
	if err != nil {
		return im // not started yet, or Temporal is away: nothing to conclude
	}
	reason := ""
	switch desc.GetWorkflowExecutionInfo().GetStatus() {
	case enums.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		reason = "the import was stopped by an operator in Temporal (terminated); start it again"
	case enums.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		reason = "the import ran out of time in Temporal; start it again"
	case enums.WORKFLOW_EXECUTION_STATUS_FAILED, enums.WORKFLOW_EXECUTION_STATUS_CANCELED, enums.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		reason = "the import's workflow ended without finishing it; start it again"
	default:
		return im
	}
	if err := s.Store.FailImport(ctx, im.CompanyID, im.ID, reason); err != nil {
		s.Log.WarnContext(ctx, "could not mark an import of a closed workflow failed", "import", im.ID, "error", err)
		return im
	}
	if again, err := s.Store.GetImport(ctx, im.CompanyID, im.ID); err == nil {
		return again
	}
	return im
}
