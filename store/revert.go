package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// RevertWindow is how long after its apply an import can be reverted.
const RevertWindow = 30 * 24 * time.Hour

// SourceRevert is the source of an import that undoes another one.
const SourceRevert = "revert"

// RevertCreated describes the import CreateRevertImport made.
type RevertCreated struct {
	ImportID int64
	// Rows is the number of people the revert touches.
	Rows int
	// Kept counts fields left alone because someone changed them after the reverted import.
	Kept int
	// Skipped counts people of the reverted import who were deleted since.
	Skipped int
	// KeptFields lists every kept field (Kept counts them).
	KeptFields []KeptField
	// HROwned lists the HR integrations that own fields the revert sets.
	HROwned []HROwnedRevert
	// CheckOnly: nothing was stored (PlanRevert with checkOnly); ImportID is 0.
	CheckOnly bool
}

// revertTarget is one person's history row of the import being reverted.
type revertTarget struct {
	historyID int64
	personID  int64
	kind      string
	changes   []storedFieldChange
}

// laterEdit is the latest change of one field after the reverted import.
type laterEdit struct {
	at    time.Time
	actor string
}

// CreateRevertImport builds the inverse of an applied import as a new import (source
// "revert") whose rows are already stored, in status previewing; the caller starts the
// Import workflow, which skips parsing and previews, waits for approval and applies like
// any import. The inverse restores every field the import changed to its old value,
// reactivates people it deactivated, deactivates people it created and deactivates again
// people it reactivated. A field changed after the import (by an admin or another import)
// is kept and reported on the person's row as a warning "kept: edited since by ...".
// Only an applied import of the last 30 days (RevertWindow, counted from now) can be
// reverted, and only one revert of it can be in progress.
func (s *Store) CreateRevertImport(ctx context.Context, p Principal, importID int64, now time.Time) (RevertCreated, error) {
	return s.PlanRevert(ctx, p, importID, now, false)
}

// PlanRevert is CreateRevertImport; with checkOnly it works out the same answer (kept
// fields, HR-owned fields) and stores nothing.
func (s *Store) PlanRevert(ctx context.Context, p Principal, importID int64, now time.Time, checkOnly bool) (RevertCreated, error) {
	var out RevertCreated
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = RevertCreated{}
		if err := s.setLongTimeouts(ctx, tx); err != nil {
			return err
		}
		// Directory changes wait while the revert reads history and people, so both agree.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM companies WHERE id = $1 FOR SHARE`, p.CompanyID); err != nil {
			return fmt.Errorf("lock company: %w", err)
		}
		var status string
		var appliedAt *time.Time
		err := tx.QueryRow(ctx, `SELECT status, applied_at FROM imports WHERE company_id = $1 AND id = $2 FOR UPDATE`,
			p.CompanyID, importID).Scan(&status, &appliedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return directory.Errorf(directory.ErrNotFound, "import %d does not exist", importID)
		}
		if err != nil {
			return fmt.Errorf("read import: %w", err)
		}
		if directory.ImportStatus(status) != directory.StatusApplied || appliedAt == nil {
			return directory.Errorf(directory.ErrPrecondition, "import %d is %s; only an applied import can be reverted", importID, status)
		}
		if now.Sub(*appliedAt) > RevertWindow {
			return directory.Errorf(directory.ErrPrecondition, "import %d was applied on %s, more than %d days ago; it can no longer be reverted. Import a corrected file instead",
				importID, appliedAt.UTC().Format(time.DateOnly), int(RevertWindow.Hours()/24))
		}
		var pendingID int64
		var pendingStatus string
		err = tx.QueryRow(ctx, `
			SELECT id, status FROM imports WHERE company_id = $1 AND reverts_import_id = $2
				AND status NOT IN ('applied', 'rejected', 'expired', 'failed') ORDER BY id LIMIT 1`,
			p.CompanyID, importID).Scan(&pendingID, &pendingStatus)
		if err == nil {
			return directory.Errorf(directory.ErrPrecondition, "import %d already reverts import %d and is %s; approve or reject it first",
				pendingID, importID, pendingStatus)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("find pending revert: %w", err)
		}

		targets, err := loadRevertTargets(ctx, tx, p.CompanyID, importID)
		if err != nil {
			return err
		}
		if len(targets) == 0 {
			return directory.Errorf(directory.ErrPrecondition, "import %d changed nobody; there is nothing to revert", importID)
		}
		records, err := buildRevertRecords(ctx, tx, p.CompanyID, targets, &out)
		if err != nil {
			return err
		}
		out.Rows = len(records)
		if out.HROwned, err = hrOwnedByRevert(ctx, tx, p.CompanyID, records); err != nil {
			return err
		}
		if checkOnly {
			out.CheckOnly = true
			return errCheckOnly
		}
		warnings := []string{fmt.Sprintf("this import undoes import %d, applied on %s", importID, appliedAt.UTC().Format(time.DateOnly))}
		if out.Kept > 0 {
			warnings = append(warnings, fmt.Sprintf("%d %s kept because someone changed them after import %d; each is listed as a warning on its person",
				out.Kept, plural(out.Kept, "field is", "fields are"), importID))
		}
		if out.Skipped > 0 {
			warnings = append(warnings, fmt.Sprintf("%d %s changed by import %d %s deleted since and %s skipped",
				out.Skipped, plural(out.Skipped, "person", "people"), importID, plural(out.Skipped, "was", "were"), plural(out.Skipped, "is", "are")))
		}
		options, err := json.Marshal(directory.DefaultOptions())
		if err != nil {
			return fmt.Errorf("encode options: %w", err)
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO imports (company_id, source, file_name, created_by, status, options, rows_total, file_warnings, reverts_import_id)
			VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8, $9) RETURNING id`,
			p.CompanyID, SourceRevert, fmt.Sprintf("revert of import %d", importID), p.AdminID, directory.StatusPreviewing,
			options, len(records), warnings, importID).Scan(&out.ImportID); err != nil {
			return fmt.Errorf("insert revert import: %w", err)
		}
		return copyRecords(ctx, tx, out.ImportID, records)
	})
	if errors.Is(err, errCheckOnly) {
		return out, nil
	}
	if err != nil {
		return RevertCreated{}, fmt.Errorf("revert import %d: %w", importID, unavailable(err))
	}
	return out, nil
}

func loadRevertTargets(ctx context.Context, tx pgx.Tx, companyID, importID int64) ([]revertTarget, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, coalesce(person_id, 0), kind, staffsync_history_changes(changes, created) FROM people_history
		WHERE company_id = $1 AND import_id = $2 ORDER BY id`, companyID, importID)
	if err != nil {
		return nil, fmt.Errorf("read the import's history: %w", err)
	}
	defer rows.Close()
	var out []revertTarget
	for rows.Next() {
		var t revertTarget
		var raw []byte
		if err := rows.Scan(&t.historyID, &t.personID, &t.kind, &raw); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &t.changes); err != nil {
			return nil, fmt.Errorf("decode history entry %d: %w", t.historyID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// buildRevertRecords turns the reverted import's history into records that, imported
// with the default options (match on email, reactivate matching), restore the old values.
func buildRevertRecords(ctx context.Context, tx pgx.Tx, companyID int64, targets []revertTarget, out *RevertCreated) ([]directory.Record, error) {
	var ids []int64
	for _, t := range targets {
		if t.personID != 0 {
			ids = append(ids, t.personID)
		}
	}
	people, err := peopleByID(ctx, tx, companyID, ids)
	if err != nil {
		return nil, err
	}
	later, err := laterEdits(ctx, tx, companyID, targets)
	if err != nil {
		return nil, err
	}
	existing, err := existingManagers(ctx, tx, companyID, targets)
	if err != nil {
		return nil, err
	}

	var records []directory.Record
	for _, t := range targets {
		person, ok := people[t.personID]
		if !ok {
			out.Skipped++
			continue
		}
		email := person.Values[directory.Email]
		rec := directory.Record{Row: len(records) + 2}
		rec.Cells.Set(directory.Email, directory.SetValue(email))
		keep := func(f directory.Field, c storedFieldChange, edit laterEdit) {
			out.Kept++
			out.KeptFields = append(out.KeptFields, keptField(&person, f, c.Old, edit))
			rec.Problems = append(rec.Problems, directory.Problem{
				Severity: directory.SeverityWarning, Code: "revert_kept", Field: f, Value: directory.Clip(c.New),
				Message: fmt.Sprintf("kept: edited since by %s on %s; %s stays as it is now (the reverted import changed it from %q to %q)",
					edit.actor, edit.at.UTC().Format(time.DateOnly), f.Header(), directory.Clip(c.Old), directory.Clip(c.New)),
			})
		}
		if t.kind == string(directory.KindNew) {
			// The import created the person: deactivate them (their data stays).
			c := storedFieldChange{Field: directory.Status.Key(), Old: "", New: directory.StatusActive}
			for _, fc := range t.changes {
				if fc.Field == c.Field {
					c = fc
				}
			}
			if edit, edited := later[t.personID][c.Field]; edited {
				keep(directory.Status, c, edit)
				rec.Cells.Set(directory.Status, directory.SetValue(person.Values[directory.Status]))
			} else if c.New != directory.StatusInactive {
				rec.Cells.Set(directory.Status, directory.SetValue(directory.StatusInactive))
			}
			records = append(records, rec)
			continue
		}
		statusRestored := false
		for _, c := range t.changes {
			f, known := directory.FieldByKey(c.Field)
			if !known || f == directory.Email {
				// Imports never change login emails; nothing else is a template field.
				continue
			}
			if f == directory.Status {
				statusRestored = true
			}
			if edit, edited := later[t.personID][c.Field]; edited {
				keep(f, c, edit)
				if f == directory.Status {
					// Blank would mean Active: keep the status it has now.
					rec.Cells.Set(f, directory.SetValue(person.Values[f]))
				}
				continue
			}
			if (f == directory.ManagerEmail || f == directory.SecondaryManagerEmail) && c.Old != "" && !existing[directory.NormalizeEmail(c.Old)] {
				out.Kept++
				out.KeptFields = append(out.KeptFields, keptField(&person, f, c.Old, laterEdit{actor: "nobody: the former manager is gone"}))
				rec.Problems = append(rec.Problems, directory.Problem{
					Severity: directory.SeverityWarning, Code: "revert_manager_gone", Field: f, Value: directory.Clip(c.Old),
					Message: fmt.Sprintf("kept: the former %s %s is no longer in the directory, so %s stays as it is now",
						f.Header(), directory.Clip(c.Old), f.Header()),
				})
				continue
			}
			if c.Old == "" {
				rec.Cells.Set(f, directory.Value{Op: directory.Clear})
			} else {
				rec.Cells.Set(f, directory.SetValue(c.Old))
			}
		}
		if !statusRestored {
			// A blank status means Active to the planner: say the status it has now, so a
			// revert never reactivates (or deactivates) someone whose status the import
			// did not change, e.g. a person deactivated by hand since.
			keepStatus(&rec, &person, later[t.personID], out)
		}
		records = append(records, rec)
	}
	return records, nil
}

// laterEdits finds, per person and field, the latest change after the reverted import.
func laterEdits(ctx context.Context, tx pgx.Tx, companyID int64, targets []revertTarget) (map[int64]map[string]laterEdit, error) {
	after := map[int64]int64{}
	var ids []int64
	minID := int64(1<<63 - 1)
	for _, t := range targets {
		if t.personID == 0 {
			continue
		}
		after[t.personID] = t.historyID
		ids = append(ids, t.personID)
		minID = min(minID, t.historyID)
	}
	out := map[int64]map[string]laterEdit{}
	rows, err := tx.Query(ctx, `
		SELECT h.id, h.person_id, staffsync_history_changes(h.changes, h.created), h.created_at, coalesce(a.name, ''), coalesce(h.import_id, 0), coalesce(i.source, '')
		FROM people_history h
		LEFT JOIN admins a ON a.id = h.admin_id
		LEFT JOIN imports i ON i.id = h.import_id
		WHERE h.company_id = $1 AND h.person_id = ANY($2) AND h.id > $3
		ORDER BY h.id`, companyID, ids, minID)
	if err != nil {
		return nil, fmt.Errorf("read later history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, personID, importID int64
		var raw []byte
		var at time.Time
		var admin, source string
		if err := rows.Scan(&id, &personID, &raw, &at, &admin, &importID, &source); err != nil {
			return nil, err
		}
		if id <= after[personID] {
			continue
		}
		var changes []storedFieldChange
		if err := json.Unmarshal(raw, &changes); err != nil {
			return nil, fmt.Errorf("decode history entry %d: %w", id, err)
		}
		actor := "an admin"
		switch {
		case importID != 0:
			actor = fmt.Sprintf("import %d (%s)", importID, source)
		case admin != "":
			actor = admin
		}
		for _, c := range changes {
			if out[personID] == nil {
				out[personID] = map[string]laterEdit{}
			}
			out[personID][c.Field] = laterEdit{at: at, actor: actor}
		}
	}
	return out, rows.Err()
}

// existingManagers returns which of the old manager emails still belong to a person of the company.
func existingManagers(ctx context.Context, tx pgx.Tx, companyID int64, targets []revertTarget) (map[string]bool, error) {
	seen := map[string]bool{}
	for _, t := range targets {
		for _, c := range t.changes {
			if (c.Field == directory.ManagerEmail.Key() || c.Field == directory.SecondaryManagerEmail.Key()) && c.Old != "" {
				seen[directory.NormalizeEmail(c.Old)] = true
			}
		}
	}
	emails := make([]string, 0, len(seen))
	for e := range seen {
		emails = append(emails, e)
	}
	sort.Strings(emails)
	rows, err := tx.Query(ctx, `SELECT lower(email) FROM people WHERE company_id = $1 AND lower(email) = ANY($2)`, companyID, emails)
	if err != nil {
		return nil, fmt.Errorf("find managers: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find managers: %w", err)
	}
	out := make(map[string]bool, len(found))
	for _, e := range found {
		out[e] = true
	}
	return out, nil
}

// copyRecords stores records as an import's rows (the layout SaveRows writes).
func copyRecords(ctx context.Context, tx pgx.Tx, importID int64, records []directory.Record) error {
	i := 0
	_, err := copyImportRows(ctx, tx, importID, func() (directory.Record, error) {
		if i == len(records) {
			return directory.Record{}, io.EOF
		}
		i++
		return records[i-1], nil
	})
	if err != nil {
		return fmt.Errorf("store revert rows: %w", err)
	}
	return nil
}
