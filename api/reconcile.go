package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/staffsync/staffsync/directory"

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

// approvalNotDelivered explains an approval whose signal failed (the approval is undone):
// if the import's workflow has closed, the import is marked failed and the admin learns
// why; otherwise Temporal is unavailable and trying again may work.
func (s *ImportServer) approvalNotDelivered(ctx context.Context, companyID, importID int64, signalErr error) error {
	var notFound *serviceerror.NotFound
	if !errors.As(signalErr, &notFound) {
		return fmt.Errorf("signal approval: %w: %w", directory.ErrUnavailable, signalErr)
	}
	im, err := s.Store.GetImport(ctx, companyID, importID)
	if err != nil {
		return err
	}
	im.UpdatedAt = time.Time{} // the approval just touched it; its workflow is gone all the same
	if im = s.reconcile(ctx, im); im.ErrorMessage == "" {
		im.ErrorMessage = "start the import again"
	}
	return directory.Errorf(directory.ErrPrecondition, "import %d cannot be approved: its workflow has ended (%s)", importID, im.ErrorMessage)
}
