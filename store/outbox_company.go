package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// MaxBulkPeople is how many people one welcome-email request may name.
const MaxBulkPeople = 1000

// EmailKindWelcome is the kind of the welcome emails an admin sends; like every kind that
// starts with "password" it counts as an invitation.
const EmailKindWelcome = "password_welcome"

// UnsentCompanyEmails returns up to limit emails of the company that no import queued (an
// admin's password or welcome emails) and that were not sent yet, oldest first. An import's
// own emails are delivered by its workflow.
func (s *Store) UnsentCompanyEmails(ctx context.Context, companyID int64, limit int) ([]Email, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, idempotency_key, to_address, subject, body FROM outbox
		WHERE company_id = $1 AND import_id IS NULL AND sent_at IS NULL ORDER BY id LIMIT $2`, companyID, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox of company %d: %w", companyID, unavailable(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Email, error) {
		var e Email
		err := row.Scan(&e.ID, &e.IdempotencyKey, &e.To, &e.Subject, &e.Body)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox of company %d: %w", companyID, unavailable(err))
	}
	return out, nil
}

// WelcomeEmailsResult says whom SendWelcomeEmails queued an email for.
type WelcomeEmailsResult struct {
	Queued   []PersonRef
	Skipped  []PersonRef
	Warnings []string
}

// SendWelcomeEmails queues the welcome email (set your password) for the named people, or,
// with notYetInvited, for every active person who never got a welcome or password email;
// compose writes each email. Deactivated people are skipped with a warning. Each request
// queues its own emails (idempotency key password/welcome/<request>/<person>), and every
// queued email is recorded in the person's history.
func (s *Store) SendWelcomeEmails(ctx context.Context, p Principal, refs []string, notYetInvited bool, compose func(PasswordRecipient) (to, subject, body string)) (WelcomeEmailsResult, error) {
	if notYetInvited == (len(refs) > 0) {
		return WelcomeEmailsResult{}, directory.Errorf(directory.ErrInvalid, "name the people to invite, or ask for everyone not yet invited, not both")
	}
	if len(refs) > MaxBulkPeople {
		return WelcomeEmailsResult{}, directory.Errorf(directory.ErrInvalid, "at most %d people at once, not %d", MaxBulkPeople, len(refs))
	}
	var out WelcomeEmailsResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = WelcomeEmailsResult{}
		var company string
		if err := tx.QueryRow(ctx, `SELECT name FROM companies WHERE id = $1`, p.CompanyID).Scan(&company); err != nil {
			return fmt.Errorf("read company: %w", err)
		}
		// notYetInvited means no refs (checked above): the helper then finds everyone not yet invited.
		people, requestID, err := invitationRecipients(ctx, tx, p.CompanyID, refs)
		if err != nil {
			return err
		}
		for i := range people {
			person := &people[i]
			if !person.Active {
				out.Skipped = append(out.Skipped, refOf(person))
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s is deactivated and cannot log in; reactivate them first", person.Values[directory.Email]))
				continue
			}
			v := &person.Values
			to, subject, body := compose(PasswordRecipient{
				PersonID: person.ID, FirstName: v[directory.FirstName], PreferredName: v[directory.PreferredName],
				LastName: v[directory.LastName], Gender: v[directory.Gender], Email: v[directory.Email],
				AltEmail: v[directory.AltEmail], CompanyName: company,
			})
			key := fmt.Sprintf("password/welcome/%s/%d", requestID, person.ID)
			if err := queueInvitation(ctx, tx, p, person.ID, key, EmailKindWelcome, to, subject, body); err != nil {
				return err
			}
			out.Queued = append(out.Queued, refOf(person))
		}
		return nil
	})
	if err != nil {
		return WelcomeEmailsResult{}, fmt.Errorf("send welcome emails: %w", unavailable(err))
	}
	return out, nil
}

// InvitedAmong says which of the people ever got a welcome or password email queued.
func (s *Store) InvitedAmong(ctx context.Context, companyID int64, ids []int64) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT person_id FROM outbox
		WHERE company_id = $1 AND person_id = ANY($2) AND kind LIKE 'password%'`, companyID, ids)
	if err != nil {
		return nil, fmt.Errorf("read invitations: %w", unavailable(err))
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("read invitations: %w", unavailable(err))
	}
	out := make(map[int64]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}
