// Package activities is the glue between workflows and the outside world: each activity
// reads ids from its input, does its work through store, importfile and directory, and
// returns ids and counts only, never rows, file bytes, emails or secrets.
package activities

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/mailer"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/store"
)

// Activities holds what the activities need; register a *Activities with a worker.
type Activities struct {
	Store *store.Store
	// Mailer delivers queued emails; nil leaves them queued in the outbox.
	Mailer mailer.Sender
	// SignInURL is where password emails send new people.
	SignInURL string
	// Secrets opens integration credentials; nil means STAFFSYNC_SECRET_KEY is not set and
	// integrations with secrets fail with that message.
	Secrets *secrets.Box
	// Network is the policy for outgoing source connections (private networks allowed or not).
	Network sources.Network
	// Log receives operational messages (never secrets or rows); nil uses slog.Default.
	Log *slog.Logger
	// Now is the clock that decides today's date for activate_on_hire_date (UTC); nil
	// uses time.Now. Tests set it to plan a given day.
	Now func() time.Time
}

// ImportRef names an import.
type ImportRef struct {
	CompanyID int64
	ImportID  int64
}

// Error types of non-retryable activity failures, for workflows and operators.
const (
	ErrorTypeInvalid      = "Invalid"
	ErrorTypeNotFound     = "NotFound"
	ErrorTypePrecondition = "Precondition"
)

// permanentOrRetryable turns a classified error into a non-retryable application error
// (bad input, missing data, failed preconditions: retrying cannot help) and leaves every
// other error retryable. The message carries the Go error text, which holds no row data.
func permanentOrRetryable(err error) error {
	if err == nil {
		return nil
	}
	for _, c := range []struct {
		class error
		kind  string
	}{
		{directory.ErrInvalid, ErrorTypeInvalid},
		{directory.ErrNotFound, ErrorTypeNotFound},
		{directory.ErrPrecondition, ErrorTypePrecondition},
	} {
		if errors.Is(err, c.class) {
			return temporal.NewNonRetryableApplicationError(err.Error(), c.kind, nil)
		}
	}
	return err
}

// SummaryCounts is a plan summary in activity results and workflow results.
type SummaryCounts struct {
	New, Updated, Unchanged, Deactivated, Reactivated, Error, Warning int
}

func countsOf(s directory.Summary) SummaryCounts {
	return SummaryCounts{New: s.New, Updated: s.Updated, Unchanged: s.Unchanged, Deactivated: s.Deactivated,
		Reactivated: s.Reactivated, Error: s.Error, Warning: s.Warning}
}

// ExpireResult is the import's status after an expiry: expired if the expiry won, else the
// decision that won the race (applying: an approval, to be applied).
type ExpireResult struct {
	Status directory.ImportStatus
}

// ExpireImport marks an import whose approval never came as expired, unless a decision
// won the race in PostgreSQL; the result says which.
func (a *Activities) ExpireImport(ctx context.Context, ref ImportRef) (ExpireResult, error) {
	status, err := a.Store.ExpireImport(ctx, ref.CompanyID, ref.ImportID)
	return ExpireResult{Status: status}, permanentOrRetryable(err)
}

// FailInput names the import a failed workflow leaves and why it failed.
type FailInput struct {
	ImportRef
	Reason string
}

// FailImport marks the import of a workflow that failed or was cancelled as failed with
// the reason, unless it already ended.
func (a *Activities) FailImport(ctx context.Context, in FailInput) error {
	return permanentOrRetryable(a.Store.FailImport(ctx, in.CompanyID, in.ImportID, in.Reason))
}
