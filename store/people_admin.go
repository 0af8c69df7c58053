package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// History kinds written by admin actions (imports write the change kinds of the plan).
const (
	HistoryUpdated       = "updated"
	HistoryDeactivated   = "deactivated"
	HistoryReactivated   = "reactivated"
	HistoryMerged        = "merged"
	HistoryDeleted       = "deleted"
	HistoryPasswordEmail = "password_email"
)

// History pseudo-fields: recorded in people_history next to the template fields.
const (
	historyMergedInto = "merged_into"
	historyMergedFrom = "merged_from"
)

// deletedPlaceholder replaces a deleted person's email wherever other records mention it.
const deletedPlaceholder = "(deleted person)"

// PersonRef names a person in answers: enough to show and link, no more.
type PersonRef struct {
	ID     int64
	Email  string
	Name   string
	Active bool
}

func refOf(p *directory.Person) PersonRef {
	return PersonRef{ID: p.ID, Email: p.Values[directory.Email], Name: personName(p.Values), Active: p.Active}
}

func personName(values [directory.NumFields]string) string {
	return strings.TrimSpace(values[directory.FirstName] + " " + values[directory.LastName])
}

// errDryRun rolls back a transaction whose outcome was only wanted as a preview.
var errDryRun = errors.New("dry run")

// directoryTx runs fn in a transaction that holds the company's row lock, the same lock an
// import's apply takes: an admin change and an apply never interleave, and an apply whose
// preview predates the change finds a newer directory version and re-previews. When fn
// reports a change the directory version is bumped.
func (s *Store) directoryTx(ctx context.Context, companyID int64, fn func(tx pgx.Tx) (changed bool, err error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `SELECT 1 FROM companies WHERE id = $1 FOR UPDATE`, companyID)
		if err != nil {
			return fmt.Errorf("lock company: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return directory.Errorf(directory.ErrNotFound, "company %d does not exist", companyID)
		}
		changed, err := fn(tx)
		if err != nil {
			return err
		}
		if changed {
			if _, err := tx.Exec(ctx, `UPDATE companies SET directory_version = directory_version + 1 WHERE id = $1`, companyID); err != nil {
				return fmt.Errorf("bump directory version: %w", err)
			}
		}
		return nil
	})
}

// writeHistory records one admin action on one person.
func writeHistory(ctx context.Context, tx pgx.Tx, companyID, personID, adminID int64, kind string, changes []storedFieldChange) error {
	if changes == nil {
		changes = []storedFieldChange{}
	}
	raw, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO people_history (company_id, person_id, admin_id, kind, changes)
		VALUES ($1, $2, NULLIF($3, 0), $4, $5)`, companyID, personID, adminID, kind, json.RawMessage(raw))
	if err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}

// resolvePerson finds a person of the company by login email or id. Another company's
// person is not found, with the same message as a person who does not exist.
func resolvePerson(ctx context.Context, q pgx.Tx, companyID int64, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, directory.Errorf(directory.ErrInvalid, "name the person by login email or id")
	}
	var id int64
	var err error
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = q.QueryRow(ctx, `SELECT id FROM people WHERE company_id = $1 AND id = $2`, companyID, n).Scan(&id)
	} else {
		err = q.QueryRow(ctx, `SELECT id FROM people WHERE company_id = $1 AND lower(email) = lower($2)`, companyID, ref).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, directory.Errorf(directory.ErrNotFound, "there is no person %q in your directory", directory.Clip(ref))
	}
	if err != nil {
		return 0, fmt.Errorf("find person: %w", err)
	}
	return id, nil
}

// resolvePeople resolves several references at once; unknown ones are reported together
// and nothing is changed.
func resolvePeople(ctx context.Context, tx pgx.Tx, companyID int64, refs []string) ([]int64, error) {
	if len(refs) == 0 {
		return nil, directory.Errorf(directory.ErrInvalid, "name at least one person by login email or id")
	}
	var ids []int64
	var unknown []string
	seen := map[int64]bool{}
	for _, ref := range refs {
		id, err := resolvePerson(ctx, tx, companyID, ref)
		if errors.Is(err, directory.ErrNotFound) {
			unknown = append(unknown, strconv.Quote(directory.Clip(strings.TrimSpace(ref))))
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(unknown) > 0 {
		return nil, directory.Errorf(directory.ErrNotFound, "not in your directory: %s; nothing was changed", strings.Join(unknown, ", "))
	}
	return ids, nil
}

// loadPerson reads one person of the company; forUpdate locks their row.
func loadPerson(ctx context.Context, q pgx.Tx, companyID, id int64, forUpdate bool) (directory.Person, error) {
	query := `SELECT ` + personColumns + ` WHERE p.company_id = $1 AND p.id = $2`
	if forUpdate {
		query += ` FOR UPDATE OF p`
	}
	var p directory.Person
	err := scanPerson(q.QueryRow(ctx, query, companyID, id), &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, directory.Errorf(directory.ErrNotFound, "person %d is not in your directory", id)
	}
	if err != nil {
		return p, fmt.Errorf("load person %d: %w", id, err)
	}
	return p, nil
}

// queryRefs runs a query selecting id, email, first_name, last_name, active.
func queryRefs(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]PersonRef, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonRef
	for rows.Next() {
		var r PersonRef
		var first, last string
		if err := rows.Scan(&r.ID, &r.Email, &first, &last, &r.Active); err != nil {
			return nil, err
		}
		r.Name = strings.TrimSpace(first + " " + last)
		out = append(out, r)
	}
	return out, rows.Err()
}

// maxChain bounds a walk up the reporting lines (no real company is this deep).
const maxChain = 10_000

// refuseLoop fails when following column (manager_id or secondary_manager_id) upward from
// any of the people comes back to them, naming the loop.
func refuseLoop(ctx context.Context, tx pgx.Tx, column string, ids ...int64) error {
	var start int64
	err := tx.QueryRow(ctx, `
		WITH RECURSIVE walk(start, id, depth) AS (
			SELECT p.id, p.`+column+`, 1 FROM people p WHERE p.id = ANY($1) AND p.`+column+` IS NOT NULL
			UNION ALL
			SELECT w.start, p.`+column+`, w.depth + 1 FROM walk w JOIN people p ON p.id = w.id
			WHERE p.`+column+` IS NOT NULL AND w.id <> w.start AND w.depth < $2)
		SELECT start FROM walk WHERE id = start LIMIT 1`, ids, maxChain).Scan(&start)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check reporting loops: %w", err)
	}
	rows, err := tx.Query(ctx, `
		WITH RECURSIVE walk(id, depth) AS (
			SELECT $1::bigint, 0
			UNION ALL
			SELECT p.`+column+`, w.depth + 1 FROM walk w JOIN people p ON p.id = w.id
			WHERE p.`+column+` IS NOT NULL AND (w.depth = 0 OR w.id <> $1) AND w.depth < $2)
		SELECT p.email FROM walk w JOIN people p ON p.id = w.id ORDER BY w.depth`, start, maxChain)
	if err != nil {
		return fmt.Errorf("describe reporting loop: %w", err)
	}
	emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("describe reporting loop: %w", err)
	}
	what := "manager"
	if column == "secondary_manager_id" {
		what = "secondary manager"
	}
	return directory.Errorf(directory.ErrPrecondition, "this would make a reporting loop (%s: %s); choose another %s",
		what, strings.Join(emails, " → "), what)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// refEmails lists up to limit emails, then how many more.
func refEmails(refs []PersonRef, limit int) string {
	var emails []string
	for i, r := range refs {
		if i == limit {
			emails = append(emails, fmt.Sprintf("and %d more", len(refs)-limit))
			break
		}
		emails = append(emails, r.Email)
	}
	return strings.Join(emails, ", ")
}

// ResolvePerson returns the id of a person of the company named by login email or id.
func (s *Store) ResolvePerson(ctx context.Context, companyID int64, ref string) (int64, error) {
	var id int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		id, err = resolvePerson(ctx, tx, companyID, ref)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("find person: %w", unavailable(err))
	}
	return id, nil
}
