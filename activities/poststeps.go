package activities

import (
	"context"
	"fmt"

	"github.com/staffsync/staffsync/mailer"
	"github.com/staffsync/staffsync/store"
)

// The post-steps run after an import is applied. Each is idempotent: running it again after
// a crash or a lost completion adds, resets or queues nothing twice.

// JoinObjectivesCycles adds the import's new active people to open objectives cycles that
// are open to everyone. It returns how many memberships were added.
func (a *Activities) JoinObjectivesCycles(ctx context.Context, ref ImportRef) (int64, error) {
	n, err := a.Store.JoinOpenObjectivesCycles(ctx, ref.CompanyID, ref.ImportID)
	return n, permanentOrRetryable(err)
}

// JoinReviewCycles adds the import's new active people to open review and 360 cycles
// (option add_new_to_open_review_cycles).
func (a *Activities) JoinReviewCycles(ctx context.Context, ref ImportRef) (int64, error) {
	n, err := a.Store.JoinOpenReviewCycles(ctx, ref.CompanyID, ref.ImportID)
	return n, permanentOrRetryable(err)
}

// ResetReviewers sets reviewers in open review and 360 cycles to the current manager for
// the people whose manager the import changed (option reset_reviewers_after_manager_change).
func (a *Activities) ResetReviewers(ctx context.Context, ref ImportRef) (int64, error) {
	n, err := a.Store.ResetReviewersAfterImport(ctx, ref.CompanyID, ref.ImportID)
	return n, permanentOrRetryable(err)
}

// QueuePasswordEmails writes a password email for each new active person into the outbox
// (option send_password_emails). It returns how many were queued now.
func (a *Activities) QueuePasswordEmails(ctx context.Context, ref ImportRef) (int64, error) {
	n, err := a.Store.QueuePasswordEmails(ctx, ref.CompanyID, ref.ImportID, func(r store.PasswordRecipient) (string, string, string) {
		return mailer.PasswordEmail(mailer.Recipient{
			FirstName: r.FirstName, PreferredName: r.PreferredName, Gender: r.Gender,
			Email: r.Email, AltEmail: r.AltEmail, CompanyName: r.CompanyName,
		}, a.signInURL())
	})
	return n, permanentOrRetryable(err)
}

// DefaultSignInURL is where password emails point when Activities.SignInURL is empty.
const DefaultSignInURL = "http://127.0.0.1:8080/sign-in"

func (a *Activities) signInURL() string {
	if a.SignInURL != "" {
		return a.SignInURL
	}
	return DefaultSignInURL
}

// DeliverResult counts what DeliverEmails did.
type DeliverResult struct {
	Sent   int64
	Failed int64
	// NoMailer: no mail delivery is configured, the emails stay queued.
	NoMailer bool
}

// deliverBatch is how many outbox rows DeliverEmails reads at a time.
const deliverBatch = 200

// DeliverEmails sends the import's queued emails and marks each sent. A failed delivery
// stays queued with its error, and the activity fails (to be retried with backoff) after
// trying the rest. A crash between sending and marking can send one email twice; its
// idempotency key travels as Message-ID so receivers can drop the duplicate.
func (a *Activities) DeliverEmails(ctx context.Context, ref ImportRef) (DeliverResult, error) {
	out, err := a.deliver(ctx, func(limit int) ([]store.Email, error) {
		return a.Store.UnsentEmails(ctx, ref.ImportID, limit)
	})
	if err != nil {
		return out, err
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("%d emails of import %d could not be sent; they stay queued and are retried", out.Failed, ref.ImportID)
	}
	return out, nil
}
