package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// PasswordRecipient is a new person who gets an email to set their password.
type PasswordRecipient struct {
	PersonID      int64
	FirstName     string
	PreferredName string
	LastName      string
	Gender        string
	Email         string
	AltEmail      string
	CompanyName   string
}

// Email is one message of the outbox.
type Email struct {
	ID             int64
	IdempotencyKey string
	To             string
	Subject        string
	Body           string
}

// EmailKind is the kind of the emails QueuePasswordEmails writes.
const EmailKindPassword = "password"

// PasswordEmailKey is the idempotency key of a person's password email for an import.
func PasswordEmailKey(importID, personID int64) string {
	return fmt.Sprintf("password/%d/%d", importID, personID)
}

// queueBatch is how many emails one INSERT writes.
const queueBatch = 2000

// QueuePasswordEmails writes one password email per new active person of an applied import
// into the outbox; compose writes its subject and body. Running it again queues nothing
// new: each email has the idempotency key PasswordEmailKey. It returns how many were queued now.
func (s *Store) QueuePasswordEmails(ctx context.Context, companyID, importID int64, compose func(PasswordRecipient) (to, subject, body string)) (int64, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT p.id, p.first_name, p.preferred_name, p.last_name, p.gender, p.email, p.alt_email, co.name
		FROM import_changes c
		JOIN imports i ON i.id = c.import_id AND i.status = 'applied'
		JOIN companies co ON co.id = i.company_id
		JOIN people p ON p.id = c.person_id AND p.company_id = i.company_id AND p.active
		WHERE i.company_id = $1 AND c.import_id = $2 AND (c.kind = 'new' OR c.reason_code = 'pending_started')
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = format('password/%s/%s', $2::bigint, p.id))
		ORDER BY c.seq`, companyID, importID)
	if err != nil {
		return 0, fmt.Errorf("find new people of import %d: %w", importID, unavailable(err))
	}
	recipients, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PasswordRecipient, error) {
		var r PasswordRecipient
		err := row.Scan(&r.PersonID, &r.FirstName, &r.PreferredName, &r.LastName, &r.Gender, &r.Email, &r.AltEmail, &r.CompanyName)
		return r, err
	})
	if err != nil {
		return 0, fmt.Errorf("find new people of import %d: %w", importID, unavailable(err))
	}
	var queued int64
	for start := 0; start < len(recipients); start += queueBatch {
		batch := recipients[start:min(start+queueBatch, len(recipients))]
		keys := make([]string, len(batch))
		people := make([]int64, len(batch))
		to := make([]string, len(batch))
		subjects := make([]string, len(batch))
		bodies := make([]string, len(batch))
		for i, r := range batch {
			keys[i], people[i] = PasswordEmailKey(importID, r.PersonID), r.PersonID
			to[i], subjects[i], bodies[i] = compose(r)
		}
		tag, err := s.pool.Exec(ctx, `
			INSERT INTO outbox (company_id, import_id, person_id, idempotency_key, kind, to_address, subject, body)
			SELECT $1, $2, m.person_id, m.key, $3, m.to_address, m.subject, m.body
			FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[]) AS m(person_id, key, to_address, subject, body)
			ON CONFLICT (idempotency_key) DO NOTHING`,
			companyID, importID, EmailKindPassword, people, keys, to, subjects, bodies)
		if err != nil {
			return queued, fmt.Errorf("queue password emails of import %d: %w", importID, unavailable(err))
		}
		queued += tag.RowsAffected()
	}
	return queued, nil
}

// UnsentEmails returns up to limit emails of an import that were not sent yet, oldest first.
func (s *Store) UnsentEmails(ctx context.Context, importID int64, limit int) ([]Email, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, idempotency_key, to_address, subject, body FROM outbox
		WHERE import_id = $1 AND sent_at IS NULL ORDER BY id LIMIT $2`, importID, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox of import %d: %w", importID, unavailable(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Email, error) {
		var e Email
		err := row.Scan(&e.ID, &e.IdempotencyKey, &e.To, &e.Subject, &e.Body)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox of import %d: %w", importID, unavailable(err))
	}
	return out, nil
}

// MarkEmailSent records that the mail server accepted an email.
func (s *Store) MarkEmailSent(ctx context.Context, emailID int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = '' WHERE id = $1 AND sent_at IS NULL`, emailID); err != nil {
		return fmt.Errorf("mark email %d sent: %w", emailID, unavailable(err))
	}
	return nil
}

// MarkEmailFailed records a failed delivery attempt; the email stays queued.
func (s *Store) MarkEmailFailed(ctx context.Context, emailID int64, reason string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, emailID, reason); err != nil {
		return fmt.Errorf("record failed email %d: %w", emailID, unavailable(err))
	}
	return nil
}

// OutboxCounts counts an import's queued and sent emails.
func (s *Store) OutboxCounts(ctx context.Context, importID int64) (queued, sent int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*), count(sent_at) FROM outbox WHERE import_id = $1`, importID).Scan(&queued, &sent)
	if err != nil {
		return 0, 0, fmt.Errorf("count emails of import %d: %w", importID, unavailable(err))
	}
	return queued, sent, nil
}
