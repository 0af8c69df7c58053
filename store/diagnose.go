package store

import (
	"context"
	"fmt"

	"github.com/staffsync/staffsync/directory"
)

// DiagnosedPerson is one line of a diagnosis: a record the import did not import, or a
// person of the directory it did not have.
type DiagnosedPerson struct {
	Row        int
	PersonID   int64
	Name       string
	Email      string
	SourceID   string
	Kind       directory.Kind
	ReasonCode string
	Reason     string
}

// Diagnosis answers "who was not imported, and who is missing" for an import's current
// preview (the seeds' advice: look at who is ignored or does not show up at all).
type Diagnosis struct {
	// FromSource: the import is an HR sync (records matched on the source's ids).
	FromSource bool
	// NotImported are the records the source (or file) had that are not applied: skipped
	// by the source (no work email, ...) or rows with errors, in row order.
	NotImported      []DiagnosedPerson
	NotImportedTotal int64
	// NotInSource are the active people of the directory the import did not have: deactivated
	// as "not sent by the source" with deactivate-missing on, listed unchanged otherwise.
	NotInSource      []DiagnosedPerson
	NotInSourceTotal int64
	// Warnings are the run's own warnings (the import's file warnings).
	Warnings []string
}

// DiagnoseLimit is the most people each list of a diagnosis holds; the totals count all.
const DiagnoseLimit = 1000

// DiagnoseImport reads the diagnosis of an import's current preview, at most limit people
// per list (DiagnoseLimit when limit is not positive or larger).
func (s *Store) DiagnoseImport(ctx context.Context, companyID, importID int64, limit int) (Diagnosis, error) {
	im, err := s.GetImport(ctx, companyID, importID)
	if err != nil {
		return Diagnosis{}, err
	}
	if limit <= 0 || limit > DiagnoseLimit {
		limit = DiagnoseLimit
	}
	out := Diagnosis{FromSource: im.Options.MatchBy == directory.MatchByEmployeeID, Warnings: im.FileWarnings}
	// Row 0 changes are people without a record: deactivated as missing, kept because
	// protected, or listed as not sent. An error row is a record that is not applied.
	for _, list := range []struct {
		where string
		into  *[]DiagnosedPerson
		total *int64
	}{
		{"kind = 'error'", &out.NotImported, &out.NotImportedTotal},
		{"row_no = 0 AND kind <> 'error'", &out.NotInSource, &out.NotInSourceTotal},
	} {
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM import_changes WHERE import_id = $1 AND `+list.where,
			importID).Scan(list.total); err != nil {
			return Diagnosis{}, fmt.Errorf("diagnose import %d: %w", importID, unavailable(err))
		}
		rows, err := s.pool.Query(ctx, `
			SELECT row_no, coalesce(person_id, 0), name, email, source_id, kind, reason_code, reason
			FROM import_changes WHERE import_id = $1 AND `+list.where+` ORDER BY seq LIMIT $2`, importID, limit)
		if err != nil {
			return Diagnosis{}, fmt.Errorf("diagnose import %d: %w", importID, unavailable(err))
		}
		for rows.Next() {
			var d DiagnosedPerson
			var row int32
			var kind string
			if err := rows.Scan(&row, &d.PersonID, &d.Name, &d.Email, &d.SourceID, &kind, &d.ReasonCode, &d.Reason); err != nil {
				rows.Close()
				return Diagnosis{}, fmt.Errorf("diagnose import %d: %w", importID, err)
			}
			d.Row, d.Kind = int(row), directory.Kind(kind)
			*list.into = append(*list.into, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Diagnosis{}, fmt.Errorf("diagnose import %d: %w", importID, unavailable(err))
		}
	}
	return out, nil
}
