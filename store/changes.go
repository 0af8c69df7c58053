package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// afterSeparator joins a change's after values into one text (import_changes.after,
// people_history.created). The planner refuses control characters in values, so it never
// occurs inside one.
const (
	afterSeparator    = "\x1f"
	afterSeparatorSQL = `E'\x1f'`
)

func joinAfter(values *[directory.NumFields]string) string {
	return strings.Join(values[:], afterSeparator)
}

func splitAfter(joined string) (values [directory.NumFields]string) {
	copy(values[:], strings.Split(joined, afterSeparator))
	return values
}

type storedFieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// PreviewSaved is the outcome of SavePlan.
type PreviewSaved struct {
	PreviewVersion int64
	directory.Outcome
}

// SavePlan replaces an import's preview with the changes of plan (COPY, as the plan works
// them out), stores its summary and guard, and moves the import from previewing (or a
// retried preview's awaiting approval) to awaiting approval under a new preview version, in
// one transaction. Every reporting line is stored as ids, so the
// apply never joins on emails. New people get their ids first, from reserved (see
// ReservePersonIDs) and then from the sequence, so the apply inserts them with their
// reporting lines in one statement and never rewrites these rows to link them.
func (s *Store) SavePlan(ctx context.Context, companyID, importID int64, plan *directory.Draft, reserved []int64) (PreviewSaved, error) {
	var saved PreviewSaved
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM import_changes WHERE import_id = $1`, importID); err != nil {
			return err
		}
		// Every id is known before the first row is copied: a row's manager may be a new
		// person further down.
		newPeople := plan.NewPeople()
		ids := reserved[:min(len(reserved), newPeople)]
		if more := newPeople - len(ids); more > 0 {
			extra, err := reservePersonIDs(ctx, tx, more)
			if err != nil {
				return err
			}
			ids = append(slices.Clip(ids), extra...)
		}
		plan.AssignIDs(ids)
		next, stop := iter.Pull(plan.Changes)
		defer stop()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_changes"}, previewColumns, previewSource(importID, next)); err != nil {
			return err
		}
		saved.Outcome = plan.Outcome()
		summary, err := json.Marshal(saved.Summary)
		if err != nil {
			return fmt.Errorf("encode summary: %w", err)
		}
		err = tx.QueryRow(ctx, `
			UPDATE imports SET status = 'awaiting_approval', preview_version = preview_version + 1,
				directory_version = $3, summary = $4, guard_tripped = $5, guard_reason = $6,
				decided_by = NULL, decided_at = NULL, updated_at = now(), previewed_at = clock_timestamp()
			WHERE company_id = $1 AND id = $2 AND status IN ('previewing', 'awaiting_approval')
			RETURNING preview_version`,
			companyID, importID, saved.DirectoryVersion, summary, saved.GuardTripped, saved.GuardReason).Scan(&saved.PreviewVersion)
		if errors.Is(err, pgx.ErrNoRows) {
			// An approved (applying) or finished import keeps its status: a preview that runs
			// again late must not send it back to awaiting approval. A stale apply resets the
			// import to previewing itself before the new preview.
			return directory.Errorf(directory.ErrPrecondition, "import %d is no longer waiting for a preview", importID)
		}
		return err
	})
	if err != nil {
		return PreviewSaved{}, fmt.Errorf("save preview of import %d: %w", importID, unavailable(err))
	}
	return saved, nil
}

var previewColumns = []string{"import_id", "seq", "row_no", "person_id", "email", "name", "kind",
	"reason_code", "reason", "fields", "errors", "warnings", "after", "source_id", "manager_changed", "manager_id", "secondary_manager_id"}

// previewSource yields the import_changes rows of the changes next gives; seq is the
// change's 1-based position.
func previewSource(importID int64, next func() (*directory.Change, bool)) pgx.CopyFromSource {
	seq := 0
	return pgx.CopyFromFunc(func() ([]any, error) {
		c, ok, err := nextChange(next)
		if err != nil || !ok {
			return nil, err
		}
		seq++
		var personID any
		if c.PersonID != 0 {
			personID = c.PersonID
		}
		var fields, errs, warns any
		// A new person's fields are their after values (directory.CreatedFields); they are
		// derived when read instead of stored twice.
		if len(c.Fields) > 0 && c.Kind != directory.KindNew {
			stored := make([]storedFieldChange, len(c.Fields))
			for j, fc := range c.Fields {
				stored[j] = storedFieldChange{Field: fc.Field.Key(), Old: fc.Old, New: fc.New}
			}
			raw, err := json.Marshal(stored)
			if err != nil {
				return nil, err
			}
			fields = json.RawMessage(raw)
		}
		if raw, err := encodeProblems(c.Errors); err != nil {
			return nil, err
		} else if raw != nil {
			errs = json.RawMessage(raw)
		}
		if raw, err := encodeProblems(c.Warnings); err != nil {
			return nil, err
		} else if raw != nil {
			warns = json.RawMessage(raw)
		}
		var afterArg, manager, secondary any
		if writes(c.Kind) {
			afterArg = joinAfter(c.After)
			manager, secondary = nullID(c.ManagerIDs[0]), nullID(c.ManagerIDs[1])
		}
		return []any{importID, int32(seq), int32(c.Row), personID, c.Email, c.Name, string(c.Kind), c.ReasonCode, c.Reason,
			fields, errs, warns, afterArg, c.SourceID, c.ManagerChanged, manager, secondary}, nil
	})
}

// ReservePersonIDs takes n ids from the people id sequence for the new people of a preview
// that is being planned (SavePlan's reserved), so the round trip runs alongside the plan.
// Ids are never handed out twice; the ones a plan does not use stay unused, which leaves
// gaps in person ids and nothing else.
func (s *Store) ReservePersonIDs(ctx context.Context, n int) ([]int64, error) {
	ids, err := reservePersonIDs(ctx, s.pool, n)
	if err != nil {
		return nil, unavailable(err)
	}
	return ids, nil
}

// reservePersonIDs takes n ids from the people id sequence.
func reservePersonIDs(ctx context.Context, db interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	// The sequence is named, not looked up: pg_get_serial_sequence runs once per row (also
	// inside a subquery, which is flattened) and costs most of a second per 100,000 ids.
	rows, err := db.Query(ctx, `SELECT nextval('people_id_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("reserve ids of new people: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve ids of new people: %w", err)
	}
	return ids, nil
}

// nextChange calls next. The plan works out each change on pgx's COPY goroutine, where a
// panic would end the worker; it fails the COPY (and the preview's transaction) instead.
func nextChange(next func() (*directory.Change, bool)) (c *directory.Change, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("work out a change of the preview: panic: %v\n%s", p, debug.Stack())
		}
	}()
	c, ok = next()
	return c, ok, nil
}

// nullID is id, or NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// writes reports whether applying a change of this kind writes the person.
func writes(k directory.Kind) bool {
	switch k {
	case directory.KindNew, directory.KindUpdated, directory.KindReactivated, directory.KindDeactivated:
		return true
	}
	return false
}

// ChangeFilter selects preview rows for ListChanges.
type ChangeFilter struct {
	Kinds       []directory.Kind
	HasWarnings bool
	Search      string
	AfterSeq    int
	Limit       int
}

// ChangePage is one page of ListChanges; NextSeq is 0 on the last page.
type ChangePage struct {
	Changes []directory.Change
	NextSeq int
	Total   int64
}

// ListChanges pages through an import's preview in row order.
func (s *Store) ListChanges(ctx context.Context, companyID, importID int64, f ChangeFilter) (ChangePage, error) {
	im, err := s.GetImport(ctx, companyID, importID)
	if err != nil {
		return ChangePage{}, err
	}
	// A new person's id is reserved with the preview but is theirs only once applied.
	personID := "coalesce(person_id, 0)"
	if im.Status != directory.StatusApplied {
		personID = "CASE WHEN kind = 'new' THEN 0 ELSE coalesce(person_id, 0) END"
	}
	where := []string{"import_id = $1"}
	args := []any{importID}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		args = append(args, kinds)
		where = append(where, fmt.Sprintf("kind = ANY($%d)", len(args)))
	}
	if f.HasWarnings {
		where = append(where, "warnings IS NOT NULL")
	}
	if f.Search != "" {
		args = append(args, "%"+escapeLike(f.Search)+"%")
		where = append(where, fmt.Sprintf("(name || ' ' || email) ILIKE $%d", len(args)))
	}
	filter := strings.Join(where, " AND ")
	var page ChangePage
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM import_changes WHERE `+filter, args...).Scan(&page.Total); err != nil {
		return ChangePage{}, fmt.Errorf("count changes: %w", unavailable(err))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.AfterSeq, f.Limit+1)
	rows, err := s.pool.Query(ctx, `
		SELECT seq, row_no, `+personID+`, email, name, kind, reason_code, reason, fields, errors, warnings, CASE WHEN kind = 'new' THEN after END
		FROM import_changes WHERE `+filter+fmt.Sprintf(` AND seq > $%d ORDER BY seq LIMIT $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return ChangePage{}, fmt.Errorf("list changes: %w", unavailable(err))
	}
	defer rows.Close()
	lastSeq := 0
	for rows.Next() {
		var c directory.Change
		var seq, row int32
		var kind string
		var fields, errs, warns []byte
		var after *string
		if err := rows.Scan(&seq, &row, &c.PersonID, &c.Email, &c.Name, &kind, &c.ReasonCode, &c.Reason, &fields, &errs, &warns, &after); err != nil {
			return ChangePage{}, fmt.Errorf("list changes: %w", err)
		}
		if len(page.Changes) == f.Limit {
			page.NextSeq = lastSeq
			break
		}
		lastSeq = int(seq)
		c.Row = int(row)
		c.Kind = directory.Kind(kind)
		if c.Kind == directory.KindNew && after != nil {
			c.Fields = directory.CreatedFields(splitAfter(*after))
		} else if len(fields) > 0 {
			var stored []storedFieldChange
			if err := json.Unmarshal(fields, &stored); err != nil {
				return ChangePage{}, fmt.Errorf("decode fields of row %d: %w", row, err)
			}
			for _, fc := range stored {
				field, _ := directory.FieldByKey(fc.Field)
				c.Fields = append(c.Fields, directory.FieldChange{Field: field, Old: fc.Old, New: fc.New})
			}
		}
		if c.Errors, err = decodeProblems(errs, directory.SeverityError); err != nil {
			return ChangePage{}, fmt.Errorf("decode errors of row %d: %w", row, err)
		}
		if c.Warnings, err = decodeProblems(warns, directory.SeverityWarning); err != nil {
			return ChangePage{}, fmt.Errorf("decode warnings of row %d: %w", row, err)
		}
		page.Changes = append(page.Changes, c)
	}
	if err := rows.Err(); err != nil {
		return ChangePage{}, fmt.Errorf("list changes: %w", unavailable(err))
	}
	return page, nil
}
