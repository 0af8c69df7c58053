package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
)

// TestImportExpiryLosesToApproval: the timer fires, but PostgreSQL says an admin's approval
// won the conditional UPDATE (its signal is still on the way): the import is applied, not
// expired, so PostgreSQL and the workflow agree. A decision that won otherwise ends the run
// as that decision.
func TestImportExpiryLosesToApproval(t *testing.T) {
	for _, tc := range []struct {
		name    string
		inStore directory.ImportStatus
		want    directory.ImportStatus
	}{
		{"approval won", directory.StatusApplying, directory.StatusApplied},
		{"rejection won", directory.StatusRejected, directory.StatusRejected},
		{"expiry won", directory.StatusExpired, directory.StatusExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			parsedAndPreviewed(env, false)
			env.OnActivity(acts.ExpireImport, mock.Anything, testRef).Return(activities.ExpireResult{Status: tc.inStore}, nil).Once()
			if tc.want == directory.StatusApplied {
				env.OnActivity(acts.ApplyImport, mock.Anything, activities.ApplyInput{ImportRef: testRef, PreviewVersion: 1}).
					Return(applied(activities.PostStepPlan{}), nil).Once()
			}
			env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, ApprovalTimeout: time.Hour})
			if got := result(t, env); got.Status != tc.want {
				t.Fatalf("status = %s, want %s", got.Status, tc.want)
			}
			env.AssertExpectations(t)
		})
	}
}

// TestImportFailureMarksImportFailed: a step that fails for good fails the workflow, and the
// import is marked failed with the step's message first.
func TestImportFailureMarksImportFailed(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	refused := temporal.NewNonRetryableApplicationError("import 42 of company 7 is not the current run of one of its integrations", activities.ErrorTypePrecondition, nil)
	env.OnActivity(acts.AutoApproveImport, mock.Anything, mock.Anything).Return(false, refused).Once()
	var reason string
	env.OnActivity(acts.FailImport, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FailInput) error {
		reason = in.Reason
		return nil
	}).Once()
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true})
	if env.GetWorkflowError() == nil {
		t.Fatal("the workflow succeeded; want it failed")
	}
	if want := "the import stopped: import 42 of company 7 is not the current run of one of its integrations"; reason != want {
		t.Fatalf("import marked failed with %q, want %q", reason, want)
	}
	env.AssertExpectations(t)
}
