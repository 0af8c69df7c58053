package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/staffsync/staffsync/directory"
)

// ApplyOutcome says what ApplyImport did.
type ApplyOutcome struct {
	// AlreadyApplied: an earlier run applied this import; nothing was written now.
	AlreadyApplied bool
	// Stale: the directory changed since the preview; nothing was written and the import
	// needs a new preview.
	Stale bool
	// PeopleWritten and HistoryWritten count the rows written.
	PeopleWritten  int64
	HistoryWritten int64
}

// writeKinds are the change kinds that write people.
var writeKinds = []string{string(directory.KindNew), string(directory.KindUpdated), string(directory.KindReactivated), string(directory.KindDeactivated)}

// ApplyImport applies an approved preview in one transaction: it checks the directory
// version the preview was made on, inserts and updates people set-based from the stored
// changes, sets reporting lines, writes people_history and marks the import applied.
// Running it again after success changes nothing.
func (s *Store) ApplyImport(ctx context.Context, companyID, importID, previewVersion int64) (ApplyOutcome, error) {
	var out ApplyOutcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.setLongTimeouts(ctx, tx); err != nil {
			return err
		}
		// Lock the company first: one apply per company at a time, and no edit in between.
		var companyVersion int64
		if err := tx.QueryRow(ctx, `SELECT directory_version FROM companies WHERE id = $1 FOR UPDATE`, companyID).Scan(&companyVersion); err != nil {
			return fmt.Errorf("lock company: %w", err)
		}
		var status string
		var importPreview, importDirectory int64
		var counts writeCounts
		err := tx.QueryRow(ctx, `
			SELECT status, preview_version, directory_version, coalesce((summary->>'New')::int, 0),
				coalesce((summary->>'Updated')::int, 0) + coalesce((summary->>'Deactivated')::int, 0) + coalesce((summary->>'Reactivated')::int, 0)
			FROM imports WHERE company_id = $1 AND id = $2 FOR UPDATE`,
			companyID, importID).Scan(&status, &importPreview, &importDirectory, &counts.inserts, &counts.updates)
		if errors.Is(err, pgx.ErrNoRows) {
			return directory.Errorf(directory.ErrNotFound, "import %d does not exist", importID)
		}
		if err != nil {
			return fmt.Errorf("lock import: %w", err)
		}
		switch {
		case directory.ImportStatus(status) == directory.StatusApplied:
			out.AlreadyApplied = true
			return nil
		case directory.ImportStatus(status) != directory.StatusApplying:
			return directory.Errorf(directory.ErrPrecondition, "import %d is %s, not approved", importID, status)
		case importPreview != previewVersion:
			return directory.Errorf(directory.ErrPrecondition, "import %d: approved preview %d is not the current preview %d", importID, previewVersion, importPreview)
		case importDirectory != companyVersion:
			out.Stale = true
			_, err := tx.Exec(ctx, `UPDATE imports SET status = 'previewing', decided_by = NULL, decided_at = NULL, updated_at = now() WHERE id = $1 AND status = 'applying'`, importID)
			return err
		}
		if err := applyChanges(ctx, tx, companyID, importID, counts, &out); err != nil {
			return err
		}
		if out.PeopleWritten > 0 {
			if _, err := tx.Exec(ctx, `UPDATE companies SET directory_version = directory_version + 1 WHERE id = $1`, companyID); err != nil {
				return fmt.Errorf("bump directory version: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE imports SET status = 'applied', applied_at = now(), updated_at = now() WHERE id = $1 AND status = 'applying'`, importID); err != nil {
			return err
		}
		writes := counts.inserts + counts.updates
		return setProgress(ctx, tx, importID, ImportProgress{Phase: ProgressApplied, Processed: writes, Total: writes})
	})
	if err != nil {
		if isUniqueViolation(err) {
			return ApplyOutcome{}, fmt.Errorf("apply import %d: %w", importID,
				directory.Errorf(directory.ErrConflict, "an email or employee id of this import was taken by another change meanwhile; start the import again"))
		}
		return ApplyOutcome{}, fmt.Errorf("apply import %d: %w", importID, unavailable(err))
	}
	if out.PeopleWritten >= analyzeAfterWrites {
		// The post-steps join people right away; autovacuum would refresh the statistics
		// only a minute later, and until then the planner takes a company that just grew by
		// 100,000 people for one. Statistics are an optimisation: a failure is not the apply's.
		_, _ = s.pool.Exec(ctx, `ANALYZE people`)
	}
	return out, nil
}

// analyzeAfterWrites is how many people an apply writes before it refreshes the statistics.
const analyzeAfterWrites = 10_000

// writeCounts are the preview's people to insert and to update.
type writeCounts struct{ inserts, updates int }

// applyChanges runs the set-based statements, skipping those with nothing to do. Arrays are
// 1-based: a[f+1] is field f. New people carry the ids SavePlan reserved and every reporting
// line is stored as ids, so each statement reads one import's rows and joins nothing.

func applyChanges(ctx context.Context, tx pgx.Tx, companyID, importID int64, counts writeCounts, out *ApplyOutcome) error {
	col := func(f directory.Field) string { return fmt.Sprintf("c.a[%d]", int(f)+1) }
	// changes splits the stored after values once per row; OFFSET 0 keeps the planner from
	// pulling the subquery up and splitting once per field.
	changes := func(kinds string) string {
		return `(SELECT c.*, string_to_array(c.after, ` + afterSeparatorSQL + `) AS a FROM import_changes c
			WHERE c.import_id = $2 AND c.kind IN (` + kinds + `) OFFSET 0) c`
	}
	date := func(f directory.Field) string { return fmt.Sprintf("NULLIF(%s, '')::date", col(f)) }
	active := col(directory.Status) + " NOT IN ('Inactive', 'Pending')"
	pending := col(directory.Status) + " = 'Pending'"

	var inserted, updated pgconn.CommandTag
	var err error
	if counts.inserts > 0 {
		inserted, err = tx.Exec(ctx, `
		INSERT INTO people (id, company_id, first_name, last_name, gender, title, email, department, team, location,
			employee_id, hire_date, alt_email, preferred_name, leaving_date, termination_type, employment_type, active, pending, source_id,
			manager_id, secondary_manager_id)
		SELECT c.person_id, $1, `+col(directory.FirstName)+`, `+col(directory.LastName)+`, `+col(directory.Gender)+`, `+col(directory.Title)+`,
			`+col(directory.Email)+`, `+col(directory.Department)+`, `+col(directory.Team)+`, `+col(directory.Location)+`,
			`+col(directory.EmployeeID)+`, `+date(directory.HireDate)+`, `+col(directory.AltEmail)+`, `+col(directory.PreferredName)+`,
			`+date(directory.LeavingDate)+`, `+col(directory.TerminationType)+`, `+col(directory.EmploymentType)+`, `+active+`, `+pending+`, c.source_id,
			c.manager_id, c.secondary_manager_id
		FROM `+changes(`'new'`)+`
		ORDER BY c.seq`, companyID, importID)
		if err != nil {
			return fmt.Errorf("insert new people: %w", err)
		}
	}
	if counts.updates > 0 {
		// People inserted a moment ago (this transaction, or an import autovacuum has not
		// analysed yet) make the planner guess one person per company and rescan the
		// preview once per person in a nested loop: 100,000 x 100,000. A hash join is right
		// for any size.
		if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
			return fmt.Errorf("plan the updates: %w", err)
		}
		updated, err = tx.Exec(ctx, `
		UPDATE people p SET first_name = `+col(directory.FirstName)+`, last_name = `+col(directory.LastName)+`,
			gender = `+col(directory.Gender)+`, title = `+col(directory.Title)+`, department = `+col(directory.Department)+`,
			team = `+col(directory.Team)+`, location = `+col(directory.Location)+`, employee_id = `+col(directory.EmployeeID)+`,
			hire_date = `+date(directory.HireDate)+`, alt_email = `+col(directory.AltEmail)+`, preferred_name = `+col(directory.PreferredName)+`,
			leaving_date = `+date(directory.LeavingDate)+`, termination_type = `+col(directory.TerminationType)+`,
			employment_type = `+col(directory.EmploymentType)+`, active = `+active+`, pending = `+pending+`,
			source_id = CASE WHEN c.source_id <> '' THEN c.source_id ELSE p.source_id END,
			manager_id = c.manager_id, secondary_manager_id = c.secondary_manager_id, updated_at = now()
		FROM `+changes(`'updated', 'reactivated', 'deactivated'`)+`
		WHERE p.id = c.person_id AND p.company_id = $1`,
			companyID, importID)
		if err != nil {
			return fmt.Errorf("update people: %w", err)
		}
		if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = on`); err != nil {
			return fmt.Errorf("plan the history: %w", err)
		}
	}
	// A new person's history keeps the values they were created with (people_history.created).
	history, err := tx.Exec(ctx, `
		INSERT INTO people_history (company_id, person_id, import_id, admin_id, kind, changes, created)
		SELECT $1, c.person_id, $2, i.decided_by, c.kind,
			CASE WHEN c.kind = 'new' THEN '[]'::jsonb ELSE c.fields END,
			CASE WHEN c.kind = 'new' THEN c.after END
		FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE c.import_id = $2 AND c.kind = ANY($3) AND (c.fields IS NOT NULL OR c.kind = 'new')
		ORDER BY c.seq`, companyID, importID, writeKinds)
	if err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	out.PeopleWritten = inserted.RowsAffected() + updated.RowsAffected()
	out.HistoryWritten = history.RowsAffected()
	return nil
}
