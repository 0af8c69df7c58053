package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// storedProblem is a Problem as kept in JSON columns.
type storedProblem struct {
	Severity string `json:"severity,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
	Message  string `json:"message"`
}

func encodeProblems(problems []directory.Problem) ([]byte, error) {
	if len(problems) == 0 {
		return nil, nil
	}
	out := make([]storedProblem, len(problems))
	for i, p := range problems {
		out[i] = storedProblem{Severity: p.Severity.String(), Code: p.Code, Value: p.Value, Message: p.Message}
		if p.Field != directory.NoField {
			out[i].Field = p.Field.Key()
		}
	}
	return json.Marshal(out)
}

func decodeProblems(raw []byte, severity directory.Severity) ([]directory.Problem, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var stored []storedProblem
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, err
	}
	out := make([]directory.Problem, len(stored))
	for i, p := range stored {
		out[i] = directory.Problem{Severity: severity, Code: p.Code, Field: directory.NoField, Value: p.Value, Message: p.Message}
		if p.Severity == "warning" {
			out[i].Severity = directory.SeverityWarning
		} else if p.Severity == "error" {
			out[i].Severity = directory.SeverityError
		}
		if f, ok := directory.FieldByKey(p.Field); ok {
			out[i].Field = f
		}
	}
	return out, nil
}

// ParsedFile is what the reader found in an import's file once all rows are stored.
type ParsedFile struct {
	Rows     int
	Warnings []string
}

// SaveRows replaces an import's parsed rows with the records next yields until io.EOF, in
// one transaction with COPY, and moves the import to previewing (only before its approval). An error from next (a
// file-level problem) rolls everything back.
func (s *Store) SaveRows(ctx context.Context, companyID, importID int64, next func() (directory.Record, error), finish func() []string) (ParsedFile, error) {
	var parsed ParsedFile
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status directory.ImportStatus
		err := tx.QueryRow(ctx, `SELECT status FROM imports WHERE company_id = $1 AND id = $2 FOR NO KEY UPDATE`, companyID, importID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return directory.Errorf(directory.ErrNotFound, "import %d does not exist", importID)
		}
		if err != nil {
			return err
		}
		// Only an import still before its approval takes new rows: an approved or finished
		// one is never sent back to previewing by a late parse.
		switch status {
		case directory.StatusParsing, directory.StatusPreviewing, directory.StatusAwaitingApproval:
		default:
			return directory.Errorf(directory.ErrPrecondition, "import %d is %s: its rows can no longer change", importID, status)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM import_rows WHERE import_id = $1`, importID); err != nil {
			return err
		}
		if parsed.Rows, err = copyImportRows(ctx, tx, importID, next); err != nil {
			return err
		}
		if finish != nil {
			parsed.Warnings = finish()
		}
		return markParsed(ctx, tx, companyID, importID, parsed.Rows, parsed.Warnings, "")
	})
	if err != nil {
		return ParsedFile{}, fmt.Errorf("save rows of import %d: %w", importID, unavailable(err))
	}
	return parsed, nil
}

// LoadRows returns an import's parsed rows in row order. onRead (if not nil) is given the
// rows read so far after each new one, so that a preview can shrink them as they come.
func (s *Store) LoadRows(ctx context.Context, importID int64, onRead func([]directory.Record)) ([]directory.Record, error) {
	var count int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM import_rows WHERE import_id = $1`, importID).Scan(&count); err != nil {
		return nil, fmt.Errorf("count rows of import %d: %w", importID, unavailable(err))
	}
	rows, err := s.pool.Query(ctx, `
		SELECT row_no, source_id, manager_source_id, clear_mask, cells, problems, skip
		FROM import_rows WHERE import_id = $1 ORDER BY row_no`, importID)
	if err != nil {
		return nil, fmt.Errorf("load rows of import %d: %w", importID, unavailable(err))
	}
	defer rows.Close()
	if err := requireBinary(rows, 0, 3, 4); err != nil {
		return nil, fmt.Errorf("load rows of import %d: %w", importID, err)
	}
	problemsFormat := rows.FieldDescriptions()[5].Format
	var out []directory.Record // nil when there are no rows
	if count > 0 {
		out = make([]directory.Record, 0, count)
	}
	for rows.Next() {
		out = append(out, directory.Record{})
		if err := decodeRow(rows.RawValues(), problemsFormat, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("load rows of import %d: %w", importID, err)
		}
		if onRead != nil {
			onRead(out)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load rows of import %d: %w", importID, unavailable(err))
	}
	return out, nil
}

// copyImportRows stores the records next yields until io.EOF as import rows (one COPY) and
// counts them. An error of next comes back as itself.
func copyImportRows(ctx context.Context, tx pgx.Tx, importID int64, next func() (directory.Record, error)) (int, error) {
	// pgx reports an error of the source as text inside the COPY failure; keep the
	// original so a file error reaches the caller as itself.
	var sourceErr error
	rows := 0
	cells := make([]*string, directory.NumFields)
	texts := make([]string, directory.NumFields)
	source := pgx.CopyFromFunc(func() ([]any, error) {
		rec, err := next()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			sourceErr = err
			return nil, err
		}
		rows++
		var mask int32
		for f := range cells {
			cells[f] = nil
			switch cell := rec.Cells.Get(directory.Field(f)); cell.Op {
			case directory.Set:
				texts[f] = cell.Text
				cells[f] = &texts[f]
			case directory.Clear:
				mask |= 1 << f
			}
		}
		problems, err := encodeProblems(rec.Problems)
		if err != nil {
			return nil, fmt.Errorf("encode problems of row %d: %w", rec.Row, err)
		}
		var problemsArg any
		if problems != nil {
			problemsArg = json.RawMessage(problems)
		}
		return []any{importID, int32(rec.Row), rec.SourceID, rec.ManagerSourceID, mask, cells, problemsArg, rec.Skip}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"},
		[]string{"import_id", "row_no", "source_id", "manager_source_id", "clear_mask", "cells", "problems", "skip"}, source); err != nil {
		if sourceErr != nil {
			return rows, sourceErr
		}
		return rows, err
	}
	return rows, nil
}

// decodeRow decodes one import_rows row (row_no, source_id, manager_source_id, clear_mask,
// cells, problems, skip) in binary format. A NULL cell keeps the stored value; bit f of clear_mask
// set clears field f.
func decodeRow(values [][]byte, problemsFormat int16, rec *directory.Record) error {
	row, err := decodeInt32(values[0])
	if err != nil {
		return fmt.Errorf("row number: %w", err)
	}
	rec.Row = int(row)
	rec.SourceID = string(values[1])
	rec.ManagerSourceID = string(values[2])
	rec.Skip = string(values[6])
	mask, err := decodeInt32(values[3])
	if err != nil {
		return fmt.Errorf("clear mask of row %d: %w", row, err)
	}
	// The texts are views of the raw row: PackCells copies them into the record's one string.
	var cells [directory.NumFields]directory.Value
	if err := decodeTextArray(values[4], func(f int, b []byte, ok bool) {
		switch {
		case f >= int(directory.NumFields):
		case ok:
			cells[f] = directory.SetValue(unsafe.String(unsafe.SliceData(b), len(b)))
		case mask&(1<<f) != 0:
			cells[f] = directory.Value{Op: directory.Clear}
		}
	}); err != nil {
		return fmt.Errorf("cells of row %d: %w", row, err)
	}
	rec.Cells = directory.PackCells(&cells)
	problems, err := decodeJSONB(values[5], problemsFormat)
	if err != nil {
		return fmt.Errorf("problems of row %d: %w", row, err)
	}
	if rec.Problems, err = decodeProblems(problems, directory.SeverityError); err != nil {
		return fmt.Errorf("decode problems of row %d: %w", row, err)
	}
	return nil
}
