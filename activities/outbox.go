package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/staffsync/staffsync/mailer"
	"github.com/staffsync/staffsync/store"
)

// CompanyRef names a company in workflow inputs.
type CompanyRef struct {
	CompanyID int64
}

// DeliverCompanyEmails sends the company's queued emails that no import queued (password
// and welcome emails an admin asked for) exactly as DeliverEmails sends an import's: marked
// sent once the server accepted them, failures recorded and retried after the rest, the
// idempotency key as Message-ID.
func (a *Activities) DeliverCompanyEmails(ctx context.Context, ref CompanyRef) (DeliverResult, error) {
	out, err := a.deliver(ctx, func(limit int) ([]store.Email, error) {
		return a.Store.UnsentCompanyEmails(ctx, ref.CompanyID, limit)
	})
	if err != nil {
		return out, err
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("%d emails of company %d could not be sent; they stay queued and are retried", out.Failed, ref.CompanyID)
	}
	return out, nil
}

// deliver sends what unsent returns, batch by batch, until nothing new is left. An email
// that fails is not tried again in the same call.
func (a *Activities) deliver(ctx context.Context, unsent func(limit int) ([]store.Email, error)) (DeliverResult, error) {
	var out DeliverResult
	if a.Mailer == nil {
		activity.GetLogger(ctx).Warn("no mail delivery configured (SMTP_URL); emails stay queued")
		out.NoMailer = true
		return out, nil
	}
	failed := map[int64]bool{}
	for {
		batch, err := unsent(deliverBatch + len(failed))
		if err != nil {
			return out, err
		}
		progressed := false
		for _, e := range batch {
			if failed[e.ID] {
				continue
			}
			progressed = true
			if err := a.Mailer.Send(ctx, mailer.Message{IdempotencyKey: e.IdempotencyKey, To: e.To, Subject: e.Subject, Body: e.Body}); err != nil {
				out.Failed++
				failed[e.ID] = true
				if err := a.Store.MarkEmailFailed(ctx, e.ID, err.Error()); err != nil {
					return out, err
				}
				continue
			}
			if err := a.Store.MarkEmailSent(ctx, e.ID); err != nil {
				return out, err
			}
			out.Sent++
			// Each send may take the mail server's full timeout: tell Temporal after each one,
			// so a slow batch is not taken for a dead worker and sent again.
			activity.RecordHeartbeat(ctx, out.Sent)
		}
		if !progressed || len(batch) < deliverBatch+len(failed) {
			return out, nil
		}
	}
}
