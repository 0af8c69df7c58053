package store

import (
	"context"
	"fmt"

	"github.com/staffsync/staffsync/directory"
)

// SetAutomaticRuns turns an integration's scheduled runs on or off; autoApply, when given,
// sets whether those runs apply by themselves.
func (s *Store) SetAutomaticRuns(ctx context.Context, companyID, id int64, enabled bool, autoApply *bool) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE integrations SET automatic_runs = $3, auto_apply = coalesce($4, auto_apply), updated_at = now()
		WHERE company_id = $1 AND id = $2`, companyID, id, enabled, autoApply)
	if err != nil {
		return fmt.Errorf("set automatic runs of integration %d: %w", id, unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "integration %d does not exist", id)
	}
	return nil
}

// SetShowPhotos turns the HR photos of an integration on or off.
func (s *Store) SetShowPhotos(ctx context.Context, companyID, id int64, show bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE integrations SET show_photos = $3, updated_at = now() WHERE company_id = $1 AND id = $2`, companyID, id, show)
	if err != nil {
		return fmt.Errorf("set photos of integration %d: %w", id, unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrNotFound, "integration %d does not exist", id)
	}
	return nil
}
