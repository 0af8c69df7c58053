package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// SourceManual is the source of the one-person import that adds a person by hand.
const SourceManual = "manual"

// CreateRecordsImport creates an import whose records are given (no file): it is stored in
// status previewing with its rows, and the caller starts the Import workflow, which
// previews, waits for approval and applies exactly like an upload.
func (s *Store) CreateRecordsImport(ctx context.Context, in NewImport, records []directory.Record) (int64, error) {
	in.Content = nil
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if id, err = insertImport(ctx, tx, in); err != nil {
			return err
		}
		if err := copyRecords(ctx, tx, id, records); err != nil {
			return err
		}
		return markParsed(ctx, tx, in.CompanyID, id, len(records), nil, "")
	})
	if err != nil {
		return 0, fmt.Errorf("create %s import: %w", in.Source, unavailable(err))
	}
	return id, nil
}
