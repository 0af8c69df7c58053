package store

import (
	"context"
	"fmt"
)

// DropUsage is what a hosted drop holds, for its quota. A file named like the one being
// uploaded is left out: the upload replaces it.
type DropUsage struct {
	Files   int   // stored files
	Waiting int   // stored files not imported yet
	Bytes   int64 // bytes of all stored files
}

// DropUsage counts a drop's files and bytes, leaving out the file called replacing.
func (s *Store) DropUsage(ctx context.Context, integrationID int64, replacing string) (DropUsage, error) {
	var u DropUsage
	err := s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE import_id IS NULL), coalesce(sum(size), 0)
		FROM integration_drop_files WHERE integration_id = $1 AND name <> $2`, integrationID, replacing).Scan(&u.Files, &u.Waiting, &u.Bytes)
	if err != nil {
		return DropUsage{}, fmt.Errorf("count dropped files: %w", unavailable(err))
	}
	return u, nil
}
