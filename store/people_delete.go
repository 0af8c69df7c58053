package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// DeleteResult says what DeletePerson erased.
type DeleteResult struct {
	PersonID int64
	// HistoryErased counts the person's history rows whose values were erased.
	HistoryErased int64
	// ReportsUnassigned counts people who had the person as (secondary) manager.
	ReportsUnassigned int64
	// FilesDeleted counts uploaded files of finished imports that contained the person.
	FilesDeleted int64
}

// DeletePerson erases a deactivated person and their personal data. The caller must pass
// the person's login email as confirmation. Their history keeps kinds, times, actors and
// field names without values, plus a 'deleted' tombstone; their email is replaced by
// "(deleted person)" in other people's history and in import previews, their rows in
// stored imports are blanked, and the uploaded files of finished imports that contained
// them are deleted. This cannot be undone.
func (s *Store) DeletePerson(ctx context.Context, p Principal, ref, confirmation string) (DeleteResult, error) {
	var out DeleteResult
	err := s.directoryTx(ctx, p.CompanyID, func(tx pgx.Tx) (bool, error) {
		id, err := resolvePerson(ctx, tx, p.CompanyID, ref)
		if err != nil {
			return false, err
		}
		person, err := loadPerson(ctx, tx, p.CompanyID, id, true)
		if err != nil {
			return false, err
		}
		email := person.Values[directory.Email]
		if person.Active {
			return false, directory.Errorf(directory.ErrPrecondition, "%s is active; deactivate them first, then delete", email)
		}
		if directory.NormalizeEmail(confirmation) != directory.NormalizeEmail(email) {
			return false, directory.Errorf(directory.ErrInvalid, "to confirm the deletion, type the person's login email exactly; deleting erases all their data and cannot be undone")
		}
		out.PersonID = id
		for _, f := range []directory.Field{directory.ManagerEmail, directory.SecondaryManagerEmail} {
			column := "manager_id"
			if f == directory.SecondaryManagerEmail {
				column = "secondary_manager_id"
			}
			reports, err := queryRefs(ctx, tx, `
				UPDATE people SET `+column+` = NULL, updated_at = now() WHERE company_id = $1 AND `+column+` = $2
				RETURNING id, email, first_name, last_name, active`, p.CompanyID, id)
			if err != nil {
				return false, fmt.Errorf("unassign reports: %w", err)
			}
			for _, r := range reports {
				if err := writeHistory(ctx, tx, p.CompanyID, r.ID, p.AdminID, HistoryUpdated,
					[]storedFieldChange{{Field: f.Key(), Old: deletedPlaceholder, New: ""}}); err != nil {
					return false, err
				}
			}
			out.ReportsUnassigned += int64(len(reports))
		}
		tag, err := tx.Exec(ctx, `
			UPDATE people_history SET erased = true, former_person_id = person_id, person_id = NULL, created = NULL,
				changes = (SELECT coalesce(jsonb_agg(jsonb_build_object('field', e->>'field', 'old', '', 'new', '') ORDER BY ord), '[]'::jsonb)
					FROM jsonb_array_elements(staffsync_history_changes(changes, created)) WITH ORDINALITY AS x(e, ord))
			WHERE person_id = $1`, id)
		if err != nil {
			return false, fmt.Errorf("erase history: %w", err)
		}
		out.HistoryErased = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `
			UPDATE people_history SET changes = staffsync_scrub_changes(staffsync_history_changes(changes, created), $2, $3), created = NULL
			WHERE company_id = $1 AND position(lower($2) in lower(coalesce(created::text, changes::text))) > 0`, p.CompanyID, email, deletedPlaceholder); err != nil {
			return false, fmt.Errorf("scrub history: %w", err)
		}
		if err := scrubImports(ctx, tx, p.CompanyID, id, email, &out); err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE person_id = $1`, id); err != nil {
			return false, fmt.Errorf("delete queued emails: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO people_history (company_id, person_id, former_person_id, admin_id, kind, changes, erased)
			VALUES ($1, NULL, $2, NULLIF($3, 0), $4, '[]', true)`, p.CompanyID, id, p.AdminID, HistoryDeleted); err != nil {
			return false, fmt.Errorf("write tombstone: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
			return false, fmt.Errorf("delete person: %w", err)
		}
		return true, nil
	})
	if err != nil {
		return DeleteResult{}, fmt.Errorf("delete person: %w", unavailable(err))
	}
	return out, nil
}

// scrubImports takes a deleted person out of the company's stored imports: their parsed
// rows are blanked, their preview rows lose name, email and values, and their email is
// replaced where others' rows name them as manager. The uploaded files of finished imports
// that contained them are deleted (a file cannot be edited); imports still in progress keep
// theirs.
func scrubImports(ctx context.Context, tx pgx.Tx, companyID, personID int64, email string, out *DeleteResult) error {
	emailCol, managerCol, secondaryCol := int(directory.Email)+1, int(directory.ManagerEmail)+1, int(directory.SecondaryManagerEmail)+1
	tag, err := tx.Exec(ctx, `
		DELETE FROM import_files f USING imports i
		WHERE f.import_id = i.id AND i.company_id = $1 AND i.status IN ('applied', 'rejected', 'expired', 'failed')
			AND EXISTS (SELECT 1 FROM import_rows r WHERE r.import_id = i.id AND lower(r.cells[$3]) = lower($2))`,
		companyID, email, emailCol)
	if err != nil {
		return fmt.Errorf("delete uploaded files: %w", err)
	}
	out.FilesDeleted = tag.RowsAffected()
	if _, err := tx.Exec(ctx, fmt.Sprintf(`
		UPDATE import_rows r SET
			cells = CASE WHEN lower(r.cells[%[1]d]) = lower($2) THEN array_fill(NULL::text, ARRAY[%[2]d]) ELSE r.cells END,
			problems = CASE WHEN lower(r.cells[%[1]d]) = lower($2) THEN NULL ELSE r.problems END
		FROM imports i
		WHERE r.import_id = i.id AND i.company_id = $1 AND lower(r.cells[%[1]d]) = lower($2)`, emailCol, int(directory.NumFields)),
		companyID, email); err != nil {
		return fmt.Errorf("blank import rows: %w", err)
	}
	for _, col := range []int{managerCol, secondaryCol} {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`
			UPDATE import_rows r SET cells[%[1]d] = $3 FROM imports i
			WHERE r.import_id = i.id AND i.company_id = $1 AND lower(r.cells[%[1]d]) = lower($2)`, col),
			companyID, email, deletedPlaceholder); err != nil {
			return fmt.Errorf("scrub import rows: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `
		UPDATE import_changes c SET email = '', name = $4, fields = NULL, errors = NULL, warnings = NULL, after = NULL
		FROM imports i
		WHERE c.import_id = i.id AND i.company_id = $1 AND (c.person_id = $2 OR lower(c.email) = lower($3))`,
		companyID, personID, email, deletedPlaceholder); err != nil {
		return fmt.Errorf("scrub previews: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE import_changes c SET
			fields = CASE WHEN c.fields IS NULL THEN NULL ELSE staffsync_scrub_changes(c.fields, $2, $3) END,
			after = (SELECT array_to_string(array_agg(CASE WHEN lower(a) = lower($2) THEN $3 ELSE a END ORDER BY ord), `+afterSeparatorSQL+`)
				FROM unnest(string_to_array(c.after, `+afterSeparatorSQL+`)) WITH ORDINALITY AS x(a, ord))
		FROM imports i
		WHERE c.import_id = i.id AND i.company_id = $1
			AND (position(lower($2) in lower(coalesce(c.fields::text, ''))) > 0 OR lower($2) = ANY(SELECT lower(a) FROM unnest(string_to_array(c.after, `+afterSeparatorSQL+`)) a))`,
		companyID, email, deletedPlaceholder); err != nil {
		return fmt.Errorf("scrub previews: %w", err)
	}
	return nil
}
