package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// PasswordEmailsResult says whom SendPasswordEmails queued an email for.
type PasswordEmailsResult struct {
	Queued   []PersonRef
	Warnings []string
}

// SendPasswordEmails queues an email with a link to set a password in the outbox, to the
// alternative email when the person has one. With no people named it emails every active
// person who has never been sent one; named people get one even if they had one before.
// Deactivated people cannot log in and are skipped with a warning.
func (s *Store) SendPasswordEmails(ctx context.Context, p Principal, refs []string) (PasswordEmailsResult, error) {
	var out PasswordEmailsResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = PasswordEmailsResult{}
		people, requestID, err := invitationRecipients(ctx, tx, p.CompanyID, refs)
		if err != nil {
			return err
		}
		for i := range people {
			person := &people[i]
			if !person.Active {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s is deactivated and cannot log in; reactivate them first", person.Values[directory.Email]))
				continue
			}
			to := person.Values[directory.AltEmail]
			if to == "" {
				to = person.Values[directory.Email]
			}
			first := person.Values[directory.PreferredName]
			if first == "" {
				first = person.Values[directory.FirstName]
			}
			body := fmt.Sprintf("Hello %s,\n\nyour staffsync account is ready and your login is %s.\nChoose your password with \"Forgot password\" on the staffsync sign-in page.\n",
				first, person.Values[directory.Email])
			key := fmt.Sprintf("password/admin/%s/%d", requestID, person.ID)
			if err := queueInvitation(ctx, tx, p, person.ID, key, EmailKindPassword, to, "Set your staffsync password", body); err != nil {
				return err
			}
			out.Queued = append(out.Queued, refOf(person))
		}
		return nil
	})
	if err != nil {
		return PasswordEmailsResult{}, fmt.Errorf("send password emails: %w", unavailable(err))
	}
	return out, nil
}

// queueInvitation puts one welcome or password email an admin asked for in the outbox and
// records it in the person's history, in the caller's transaction.
func queueInvitation(ctx context.Context, tx pgx.Tx, p Principal, personID int64, key, kind, to, subject, body string) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO outbox (company_id, person_id, idempotency_key, kind, to_address, subject, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.CompanyID, personID, key, kind, to, subject, body); err != nil {
		return fmt.Errorf("queue %s email: %w", kind, err)
	}
	return writeHistory(ctx, tx, p.CompanyID, personID, p.AdminID, HistoryPasswordEmail, nil)
}

// invitationRecipients loads the people an invitation request is for: the named people, or,
// with none named, every active person who never got a welcome or password email. It also
// numbers the request, as each request queues its own emails (asking again sends again).
func invitationRecipients(ctx context.Context, tx pgx.Tx, companyID int64, refs []string) (people []directory.Person, requestID string, err error) {
	if len(refs) == 0 {
		rows, err := tx.Query(ctx, `SELECT `+personColumns+`
			WHERE p.company_id = $1 AND p.active
				AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.person_id = p.id AND o.kind LIKE 'password%')
			ORDER BY p.last_name, p.first_name, p.id`, companyID)
		if err != nil {
			return nil, "", fmt.Errorf("find people not yet invited: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			people = append(people, directory.Person{})
			if err := scanPerson(rows, &people[len(people)-1]); err != nil {
				return nil, "", err
			}
		}
		if err := rows.Err(); err != nil {
			return nil, "", err
		}
		rows.Close()
	} else {
		ids, err := resolvePeople(ctx, tx, companyID, refs)
		if err != nil {
			return nil, "", err
		}
		for _, id := range ids {
			person, err := loadPerson(ctx, tx, companyID, id, false)
			if err != nil {
				return nil, "", err
			}
			people = append(people, person)
		}
	}
	if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()::text`).Scan(&requestID); err != nil {
		return nil, "", fmt.Errorf("number the request: %w", err)
	}
	return people, requestID, nil
}
