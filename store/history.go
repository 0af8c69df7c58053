package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// HistoryChange is one field's old and new value in a history entry. Field is a template
// field's key, or "merged_into" / "merged_from" for merges.
type HistoryChange struct {
	Field string
	Old   string
	New   string
}

// HistoryEntry is one action on one person: by an import (ImportID set) or an admin.
type HistoryEntry struct {
	ID           int64
	At           time.Time
	Kind         string
	ImportID     int64
	ImportSource string
	// AdminName is the admin who made the change, or who approved the import.
	AdminName string
	Changes   []HistoryChange
	// MergedFrom is the login email of the account whose entry this is, when that account
	// was merged into the person asked about.
	MergedFrom string
	// Erased entries belonged to a deleted person: their values are gone.
	Erased bool
}

// PersonHistory returns a person's history, newest first, including the history of every
// account merged into them; beforeID pages (0 = from the newest).
func (s *Store) PersonHistory(ctx context.Context, companyID int64, ref string, beforeID int64, limit int) ([]HistoryEntry, error) {
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	if limit <= 0 {
		limit = 100
	}
	var out []HistoryEntry
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		id, err := resolvePerson(ctx, tx, companyID, ref)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH RECURSIVE merged(id) AS (
				SELECT $2::bigint
				UNION
				SELECT p.id FROM people p JOIN merged m ON p.merged_into = m.id WHERE p.company_id = $1)
			SELECT h.id, h.created_at, h.kind, coalesce(h.import_id, 0), coalesce(i.source, ''), coalesce(a.name, ''),
				staffsync_history_changes(h.changes, h.created), CASE WHEN h.person_id = $2 THEN '' ELSE coalesce(src.email, '') END, h.erased
			FROM people_history h
			LEFT JOIN imports i ON i.id = h.import_id
			LEFT JOIN admins a ON a.id = h.admin_id
			LEFT JOIN people src ON src.id = h.person_id
			WHERE h.company_id = $1 AND h.person_id IN (SELECT id FROM merged) AND h.id < $3
			ORDER BY h.id DESC LIMIT $4`, companyID, id, beforeID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e HistoryEntry
			var raw []byte
			if err := rows.Scan(&e.ID, &e.At, &e.Kind, &e.ImportID, &e.ImportSource, &e.AdminName, &raw, &e.MergedFrom, &e.Erased); err != nil {
				return err
			}
			if e.Changes, err = decodeHistoryChanges(raw); err != nil {
				return fmt.Errorf("decode history entry %d: %w", e.ID, err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read history: %w", unavailable(err))
	}
	return out, nil
}

func decodeHistoryChanges(raw []byte) ([]HistoryChange, error) {
	var stored []storedFieldChange
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, err
	}
	out := make([]HistoryChange, len(stored))
	for i, c := range stored {
		out[i] = HistoryChange{Field: c.Field, Old: c.Old, New: c.New}
	}
	return out, nil
}
