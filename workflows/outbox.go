package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/staffsync/staffsync/activities"
)

// SignalDeliver asks a company's OutboxDelivery to send what is queued.
const SignalDeliver = "deliver"

// OutboxLinger is how long OutboxDelivery waits for another request before it ends.
const OutboxLinger = 30 * time.Second

// OutboxWorkflowID is the workflow id of a company's email delivery.
func OutboxWorkflowID(companyID int64) string {
	return fmt.Sprintf("outbox/%d", companyID)
}

// OutboxDelivery sends the emails an admin queued for a company (password and welcome
// emails; an import's own emails go with its post-steps). The API starts it with
// SignalWithStart after queueing, so one runs per company at a time and a request made
// while it sends is picked up by another pass. Delivery is at least once: the activity
// retries without end (backoff up to 5 minutes) while the mail server refuses, and each
// message's idempotency key is its Message-ID.
func OutboxDelivery(ctx workflow.Context, ref activities.CompanyRef) (activities.DeliverResult, error) {
	var acts *activities.Activities
	actCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
	requests := workflow.GetSignalChannel(ctx, SignalDeliver)
	var total activities.DeliverResult
	more := true
	for pass := 0; more && pass < 100; pass++ {
		// Requests that arrived before this pass are served by it.
		for requests.ReceiveAsync(nil) {
		}
		var res activities.DeliverResult
		if err := workflow.ExecuteActivity(actCtx, acts.DeliverCompanyEmails, ref).Get(ctx, &res); err != nil {
			return total, err
		}
		total.Sent += res.Sent
		total.NoMailer = res.NoMailer
		if res.NoMailer {
			return total, nil
		}
		more = false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(requests, func(c workflow.ReceiveChannel, _ bool) { more = true })
		sel.AddFuture(workflow.NewTimer(ctx, OutboxLinger), func(workflow.Future) {})
		sel.Select(ctx)
	}
	// Still asked after 100 passes, or a request raced the end: a fresh run takes over, so
	// no request is lost and the history stays short.
	if more || requests.ReceiveAsync(nil) {
		return total, workflow.NewContinueAsNewError(ctx, OutboxDelivery, ref)
	}
	return total, nil
}
