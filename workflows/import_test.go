package workflows

import (
	"context"
	"errors"
	"reflect"
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

var acts *activities.Activities

var testRef = activities.ImportRef{CompanyID: 7, ImportID: 42}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	env.RegisterWorkflow(Import)
	return env
}

func summary(newPeople int) activities.SummaryCounts {
	return activities.SummaryCounts{New: newPeople, Unchanged: 10 - newPeople}
}

// parsedAndPreviewed answers the first preview (which reads the file); apply, post-steps and
// the rest are per test. ParseImport is not mocked: new runs must not call it.
func parsedAndPreviewed(env *testsuite.TestWorkflowEnvironment, guard bool) {
	env.OnActivity(acts.PreviewImport, mock.Anything, testRef).Return(activities.PreviewResult{PreviewVersion: 1, Summary: summary(3), GuardTripped: guard, Rows: 10}, nil).Once()
}

func applied(plan activities.PostStepPlan) activities.ApplyResult {
	return activities.ApplyResult{Applied: true, PeopleWritten: 3, HistoryWritten: 3, PostSteps: plan}
}

func approveAt(env *testsuite.TestWorkflowEnvironment, after time.Duration, version int64) {
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalApprove, ApproveSignal{PreviewVersion: version})
	}, after)
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) ImportResult {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var got ImportResult
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestImportApprovedRunsPostSteps(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.ApplyImport, mock.Anything, activities.ApplyInput{ImportRef: testRef, PreviewVersion: 1}).
		Return(applied(activities.PostStepPlan{NewPeople: 3, JoinReviewCycles: true, ResetReviewers: true, SendPasswordEmails: true}), nil).Once()
	env.OnActivity(acts.JoinObjectivesCycles, mock.Anything, testRef).Return(int64(3), nil).Once()
	env.OnActivity(acts.JoinReviewCycles, mock.Anything, testRef).Return(int64(6), nil).Once()
	env.OnActivity(acts.ResetReviewers, mock.Anything, testRef).Return(int64(2), nil).Once()
	env.OnActivity(acts.QueuePasswordEmails, mock.Anything, testRef).Return(int64(3), nil).Once()
	env.OnActivity(acts.DeliverEmails, mock.Anything, testRef).Return(activities.DeliverResult{Sent: 3}, nil).Once()
	// An approval of a preview that is not the current one is ignored.
	approveAt(env, time.Hour, 99)
	approveAt(env, 2*time.Hour, 1)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})

	got := result(t, env)
	want := ImportResult{
		Status: directory.StatusApplied, Rows: 10, Summary: summary(3), PeopleWritten: 3, HistoryWritten: 3, Previews: 1,
		PostSteps: PostStepCounts{ObjectivesJoined: 3, ReviewCyclesJoined: 6, ReviewersReset: 2, EmailsQueued: 3, EmailsSent: 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("result = %+v\nwant     %+v", got, want)
	}
	env.AssertExpectations(t)
}

func TestImportOptionalPostStepsAreSkipped(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(applied(activities.PostStepPlan{NewPeople: 3}), nil).Once()
	env.OnActivity(acts.JoinObjectivesCycles, mock.Anything, testRef).Return(int64(3), nil).Once()
	approveAt(env, time.Minute, 1)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	got := result(t, env)
	if !reflect.DeepEqual(got.PostSteps, PostStepCounts{ObjectivesJoined: 3}) {
		t.Fatalf("post-steps = %+v, want only 3 objectives memberships", got.PostSteps)
	}
	env.AssertExpectations(t) // mocks of other post-steps were not set: calling one would fail the test
}

func TestImportRejected(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalReject, nil) }, 3*time.Hour)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	if got := result(t, env); got.Status != directory.StatusRejected || got.PeopleWritten != 0 {
		t.Fatalf("result = %+v, want rejected with nothing written", got)
	}
}

func TestImportExpires(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default 7 days", 0, DefaultApprovalTimeout},
		{"option of 2 hours", 2 * time.Hour, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			parsedAndPreviewed(env, false)
			start := env.Now()
			var expiredAt time.Time
			env.OnActivity(acts.ExpireImport, mock.Anything, testRef).Return(func(_ context.Context, _ activities.ImportRef) (activities.ExpireResult, error) {
				expiredAt = env.Now()
				return activities.ExpireResult{Status: directory.StatusExpired}, nil
			}).Once()
			env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, ApprovalTimeout: tc.timeout})
			if got := result(t, env); got.Status != directory.StatusExpired {
				t.Fatalf("status = %s, want expired", got.Status)
			}
			if waited := expiredAt.Sub(start); waited < tc.want || waited > tc.want+time.Minute {
				t.Fatalf("expired after %v, want %v", waited, tc.want)
			}
		})
	}
}

func TestImportStalePreviewIsPreviewedAgain(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.ApplyImport, mock.Anything, activities.ApplyInput{ImportRef: testRef, PreviewVersion: 1}).Return(activities.ApplyResult{Stale: true}, nil).Once()
	env.OnActivity(acts.PreviewImport, mock.Anything, testRef).Return(activities.PreviewResult{PreviewVersion: 2, Summary: summary(2)}, nil).Once()
	env.OnActivity(acts.ApplyImport, mock.Anything, activities.ApplyInput{ImportRef: testRef, PreviewVersion: 2}).Return(applied(activities.PostStepPlan{}), nil).Once()
	approveAt(env, time.Hour, 1)
	// The second preview needs its own approval; an approval of version 1 again is ignored.
	approveAt(env, 2*time.Hour, 1)
	approveAt(env, 3*time.Hour, 2)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	got := result(t, env)
	if got.Status != directory.StatusApplied || got.Previews != 2 || got.Summary != summary(2) {
		t.Fatalf("result = %+v, want applied after 2 previews with the second summary", got)
	}
	env.AssertExpectations(t)
}

func TestImportAutoApprove(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.AutoApproveImport, mock.Anything, activities.AutoApproveInput{ImportRef: testRef, PreviewVersion: 1}).Return(true, nil).Once()
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(applied(activities.PostStepPlan{}), nil).Once()
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true, IntegrationID: 5})
	got := result(t, env)
	if got.Status != directory.StatusApplied || !got.AutoApproved {
		t.Fatalf("result = %+v, want applied by auto-approval", got)
	}
	env.AssertExpectations(t)
}

func TestImportGuardTrippedWaitsForAdminDespiteAutoApprove(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, true)
	var appliedAt time.Time
	start := env.Now()
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.ApplyInput) (activities.ApplyResult, error) {
		appliedAt = env.Now()
		return applied(activities.PostStepPlan{}), nil
	}).Once()
	approveAt(env, 5*time.Hour, 1)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true, IntegrationID: 5})
	got := result(t, env)
	if got.Status != directory.StatusApplied || got.AutoApproved {
		t.Fatalf("result = %+v, want applied by an admin", got)
	}
	if appliedAt.Sub(start) < 5*time.Hour {
		t.Fatalf("applied %v after start, before the admin approved at 5h", appliedAt.Sub(start))
	}
	env.AssertExpectations(t) // AutoApproveImport is not mocked: it must not run
}

func TestImportHoldStopsBeforeApplyUntilRelease(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(acts.PreviewImport, mock.Anything, testRef).Return(func(_ context.Context, _ activities.ImportRef) (activities.PreviewResult, error) {
		return activities.PreviewResult{PreviewVersion: 1, Summary: summary(3)}, nil
	}).After(time.Minute).Once()
	env.OnActivity(acts.AutoApproveImport, mock.Anything, mock.Anything).Return(true, nil).Once()
	start := env.Now()
	var appliedAt time.Time
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.ApplyInput) (activities.ApplyResult, error) {
		appliedAt = env.Now()
		return applied(activities.PostStepPlan{}), nil
	}).Once()
	var heldState ImportState
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalHold, nil) }, 10*time.Second)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryImportState)
		if err != nil {
			t.Errorf("query state: %v", err)
			return
		}
		if err := v.Get(&heldState); err != nil {
			t.Errorf("decode state: %v", err)
		}
	}, 24*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalRelease, nil) }, 48*time.Hour)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true, IntegrationID: 5})
	got := result(t, env)
	if got.Status != directory.StatusApplied {
		t.Fatalf("status = %s, want applied", got.Status)
	}
	if !heldState.Held || heldState.Status != directory.StatusAwaitingApproval {
		t.Fatalf("state while held = %+v, want held, awaiting approval", heldState)
	}
	if d := appliedAt.Sub(start); d < 48*time.Hour {
		t.Fatalf("applied %v after start, before the release at 48h", d)
	}
}

func TestImportHoldAfterManualApproval(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	start := env.Now()
	var appliedAt time.Time
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.ApplyInput) (activities.ApplyResult, error) {
		appliedAt = env.Now()
		return applied(activities.PostStepPlan{}), nil
	}).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalHold, nil) }, time.Hour)
	approveAt(env, 2*time.Hour, 1)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalRelease, nil) }, 10*time.Hour)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	if got := result(t, env); got.Status != directory.StatusApplied {
		t.Fatalf("status = %s, want applied", got.Status)
	}
	if d := appliedAt.Sub(start); d < 10*time.Hour {
		t.Fatalf("applied %v after start, before the release at 10h", d)
	}
}

func TestImportRetriesFailingApply(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(activities.ApplyResult{}, errors.New("connection refused")).Twice()
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(applied(activities.PostStepPlan{}), nil).Once()
	approveAt(env, time.Minute, 1)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	if got := result(t, env); got.Status != directory.StatusApplied {
		t.Fatalf("status %s, want applied after 2 failed attempts", got.Status)
	}
	env.AssertExpectations(t)
}

func TestImportPermanentApplyErrorFailsWorkflow(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).
		Return(activities.ApplyResult{}, temporal.NewNonRetryableApplicationError("import 42 is rejected, not approved", activities.ErrorTypePrecondition, nil)).Once()
	approveAt(env, time.Minute, 1)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.ErrorTypePrecondition {
		t.Fatalf("workflow error = %v, want the Precondition application error", err)
	}
	env.AssertExpectations(t)
}

func TestImportFileErrorEndsFailed(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(acts.PreviewImport, mock.Anything, testRef).Return(activities.PreviewResult{Failed: true}, nil).Once()
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	if got := result(t, env); got.Status != directory.StatusFailed || got.Previews != 0 {
		t.Fatalf("result = %+v, want failed without a preview", got)
	}
	env.AssertExpectations(t)
}

func TestImportFailedPostStepKeepsImportApplied(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(applied(activities.PostStepPlan{NewPeople: 3, SendPasswordEmails: true}), nil).Once()
	env.OnActivity(acts.JoinObjectivesCycles, mock.Anything, testRef).Return(int64(3), nil).Once()
	env.OnActivity(acts.QueuePasswordEmails, mock.Anything, testRef).Return(int64(3), nil).Once()
	env.OnActivity(acts.DeliverEmails, mock.Anything, testRef).
		Return(activities.DeliverResult{}, temporal.NewNonRetryableApplicationError("mail server refused the sender", "Invalid", nil)).Once()
	approveAt(env, time.Minute, 1)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42})
	got := result(t, env)
	want := PostStepCounts{ObjectivesJoined: 3, EmailsQueued: 3, Failed: []string{"deliver password emails"}}
	if got.Status != directory.StatusApplied || !reflect.DeepEqual(got.PostSteps, want) {
		t.Fatalf("result = %+v, want applied with post-steps %+v", got, want)
	}
}

func TestImportKeepsGoingStaleContinuesAsNew(t *testing.T) {
	env := newEnv(t)
	for v := int64(1); v <= 3; v++ {
		env.OnActivity(acts.PreviewImport, mock.Anything, testRef).Return(activities.PreviewResult{PreviewVersion: v, Summary: summary(3)}, nil).Once()
		env.OnActivity(acts.AutoApproveImport, mock.Anything, activities.AutoApproveInput{ImportRef: testRef, PreviewVersion: v}).Return(true, nil).Once()
	}
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(activities.ApplyResult{Stale: true}, nil).Times(3)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalHold, nil) }, 0)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalRelease, nil) }, time.Hour)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow error = %v, want continue-as-new after 3 stale previews", err)
	}
	var next ImportInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next != (ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true}) {
		t.Fatalf("continued with %+v, want the same input, not held (released at 1h)", next)
	}
	env.AssertExpectations(t)
}

func TestImportHoldDuringAutoApprovalStopsApply(t *testing.T) {
	env := newEnv(t)
	parsedAndPreviewed(env, false)
	start := env.Now()
	env.OnActivity(acts.AutoApproveImport, mock.Anything, mock.Anything).Return(true, nil).After(time.Minute).Once()
	var appliedAt time.Time
	env.OnActivity(acts.ApplyImport, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.ApplyInput) (activities.ApplyResult, error) {
		appliedAt = env.Now()
		return applied(activities.PostStepPlan{}), nil
	}).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalHold, nil) }, 30*time.Second)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalRelease, nil) }, 5*time.Hour)
	env.ExecuteWorkflow(Import, ImportInput{CompanyID: 7, ImportID: 42, AutoApprove: true, IntegrationID: 5})
	if got := result(t, env); got.Status != directory.StatusApplied || !got.AutoApproved {
		t.Fatalf("result = %+v, want applied by auto-approval", got)
	}
	if d := appliedAt.Sub(start); d < 5*time.Hour {
		t.Fatalf("applied %v after start, before the release at 5h", d)
	}
}
