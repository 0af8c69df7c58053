package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

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
		// Lock the company first: one apply per company at a time, and no edit in between.
		var companyVersion int64
		if err := tx.QueryRow(ctx, `SELECT directory_version FROM companies WHERE id = $1 FOR UPDATE`, companyID).Scan(&companyVersion); err != nil {
			return fmt.Errorf("lock company: %w", err)
		}
		var status string
		var importPreview, importDirectory int64
		err := tx.QueryRow(ctx, `SELECT status, preview_version, directory_version FROM imports WHERE company_id = $1 AND id = $2 FOR UPDATE`,
			companyID, importID).Scan(&status, &importPreview, &importDirectory)
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
			_, err := tx.Exec(ctx, `UPDATE imports SET status = 'previewing', decided_by = NULL, decided_at = NULL, updated_at = now() WHERE id = $1`, importID)
			return err
		}
		if err := applyChanges(ctx, tx, companyID, importID, &out); err != nil {
			return err
		}
		if out.PeopleWritten > 0 {
			if _, err := tx.Exec(ctx, `UPDATE companies SET directory_version = directory_version + 1 WHERE id = $1`, companyID); err != nil {
				return fmt.Errorf("bump directory version: %w", err)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE imports SET status = 'applied', applied_at = now(), updated_at = now() WHERE id = $1`, importID)
		return err
	})
	if err != nil {
		if isUniqueViolation(err) {
			return ApplyOutcome{}, fmt.Errorf("apply import %d: %w", importID,
				directory.Errorf(directory.ErrConflict, "an email or employee id of this import was taken by another change meanwhile; start the import again"))
		}
		return ApplyOutcome{}, fmt.Errorf("apply import %d: %w", importID, unavailable(err))
	}
	return out, nil
}

// applyChanges runs the set-based statements. Arrays are 1-based: after[f+1] is field f.
// New people carry the ids SavePlan reserved, so they are inserted with their reporting
// lines in one statement and nothing is written twice; updated people get their fields and
// reporting lines in one UPDATE.
func applyChanges(ctx context.Context, tx pgx.Tx, companyID, importID int64, out *ApplyOutcome) error {
	col := func(f directory.Field) string { return fmt.Sprintf("c.after[%d]", int(f)+1) }
	date := func(f directory.Field) string { return fmt.Sprintf("NULLIF(%s, '')::date", col(f)) }
	active := col(directory.Status) + " <> 'Inactive'"

	// Sorting a whole import's changes by seq must not spill to disk.
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
		return fmt.Errorf("set work_mem: %w", err)
	}
	// The import's changes were just written and have no statistics yet: the planner would
	// guess a handful of rows and join them with nested loops over whole tables.
	if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
		return fmt.Errorf("plan the insert: %w", err)
	}
	inserted, err := tx.Exec(ctx, `
		WITH c AS MATERIALIZED (
			SELECT seq, person_id, after, source_id,
				lower(NULLIF(after[`+fmt.Sprint(int(directory.ManagerEmail)+1)+`], '')) AS manager,
				lower(NULLIF(after[`+fmt.Sprint(int(directory.SecondaryManagerEmail)+1)+`], '')) AS secondary
			FROM import_changes WHERE import_id = $2 AND kind = 'new'),
		ids AS MATERIALIZED (
			SELECT lower(`+col(directory.Email)+`) AS email, c.person_id AS id FROM c
			UNION ALL
			SELECT lower(p.email), p.id FROM people p WHERE p.company_id = $1)
		INSERT INTO people (id, company_id, first_name, last_name, gender, title, email, department, team, location,
			employee_id, hire_date, alt_email, preferred_name, leaving_date, termination_type, employment_type, active, source_id,
			manager_id, secondary_manager_id)
		SELECT c.person_id, $1, `+col(directory.FirstName)+`, `+col(directory.LastName)+`, `+col(directory.Gender)+`, `+col(directory.Title)+`,
			`+col(directory.Email)+`, `+col(directory.Department)+`, `+col(directory.Team)+`, `+col(directory.Location)+`,
			`+col(directory.EmployeeID)+`, `+date(directory.HireDate)+`, `+col(directory.AltEmail)+`, `+col(directory.PreferredName)+`,
			`+date(directory.LeavingDate)+`, `+col(directory.TerminationType)+`, `+col(directory.EmploymentType)+`, `+active+`, c.source_id,
			m.id, sm.id
		FROM c LEFT JOIN ids m ON m.email = c.manager LEFT JOIN ids sm ON sm.email = c.secondary
		ORDER BY c.seq`, companyID, importID)
	if err != nil {
		return fmt.Errorf("insert new people: %w", err)
	}
	if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = on`); err != nil {
		return fmt.Errorf("plan the updates: %w", err)
	}
	updated, err := tx.Exec(ctx, `
		UPDATE people p SET first_name = `+col(directory.FirstName)+`, last_name = `+col(directory.LastName)+`,
			gender = `+col(directory.Gender)+`, title = `+col(directory.Title)+`, department = `+col(directory.Department)+`,
			team = `+col(directory.Team)+`, location = `+col(directory.Location)+`, employee_id = `+col(directory.EmployeeID)+`,
			hire_date = `+date(directory.HireDate)+`, alt_email = `+col(directory.AltEmail)+`, preferred_name = `+col(directory.PreferredName)+`,
			leaving_date = `+date(directory.LeavingDate)+`, termination_type = `+col(directory.TerminationType)+`,
			employment_type = `+col(directory.EmploymentType)+`, active = `+active+`,
			source_id = CASE WHEN c.source_id <> '' THEN c.source_id ELSE p.source_id END,
			manager_id = m.id, secondary_manager_id = sm.id, updated_at = now()
		FROM import_changes c
		LEFT JOIN people m ON m.company_id = $1 AND lower(m.email) = lower(NULLIF(`+col(directory.ManagerEmail)+`, ''))
		LEFT JOIN people sm ON sm.company_id = $1 AND lower(sm.email) = lower(NULLIF(`+col(directory.SecondaryManagerEmail)+`, ''))
		WHERE c.import_id = $2 AND c.kind IN ('updated', 'reactivated', 'deactivated') AND p.id = c.person_id AND p.company_id = $1`,
		companyID, importID)
	if err != nil {
		return fmt.Errorf("update people: %w", err)
	}
	history, err := tx.Exec(ctx, `
		INSERT INTO people_history (company_id, person_id, import_id, admin_id, kind, changes)
		SELECT $1, c.person_id, $2, i.decided_by, c.kind, c.fields
		FROM import_changes c JOIN imports i ON i.id = c.import_id
		WHERE c.import_id = $2 AND c.kind = ANY($3) AND c.fields IS NOT NULL
		ORDER BY c.seq`, companyID, importID, writeKinds)
	if err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	out.PeopleWritten = inserted.RowsAffected() + updated.RowsAffected()
	out.HistoryWritten = history.RowsAffected()
	return nil
}
