package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// PhotoSource is what serving a person's HR photo needs: the BambooHR integration that
// shows photos (its sealed secrets are opened by the caller) and the person's employee id.
type PhotoSource struct {
	Integration Integration
	EmployeeID  string
}

// photosIntegration is the company's oldest BambooHR integration that shows photos.
func (s *Store) photosIntegration(ctx context.Context, companyID int64) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM integrations WHERE company_id = $1 AND kind = $2 AND show_photos ORDER BY id LIMIT 1`,
		companyID, KindBambooHR).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find the photo integration: %w", unavailable(err))
	}
	return id, nil
}

// PhotosShown says whether the company shows HR photos.
func (s *Store) PhotosShown(ctx context.Context, companyID int64) (bool, error) {
	id, err := s.photosIntegration(ctx, companyID)
	return id != 0, err
}

// GetPhotoSource finds where person's photo comes from; NotFound when the company shows
// no HR photos or the person is not linked to the HR system (the default picture applies).
func (s *Store) GetPhotoSource(ctx context.Context, companyID, personID int64) (PhotoSource, error) {
	id, err := s.photosIntegration(ctx, companyID)
	if err != nil {
		return PhotoSource{}, err
	}
	if id == 0 {
		return PhotoSource{}, directory.Errorf(directory.ErrNotFound, "the company shows no HR photos")
	}
	var out PhotoSource
	err = s.pool.QueryRow(ctx, `SELECT source_id FROM people WHERE company_id = $1 AND id = $2`, companyID, personID).Scan(&out.EmployeeID)
	if errors.Is(err, pgx.ErrNoRows) {
		return PhotoSource{}, directory.Errorf(directory.ErrNotFound, "no person %d", personID)
	}
	if err != nil {
		return PhotoSource{}, fmt.Errorf("read person %d: %w", personID, unavailable(err))
	}
	if out.EmployeeID == "" {
		return PhotoSource{}, directory.Errorf(directory.ErrNotFound, "person %d is not linked to the HR system", personID)
	}
	if out.Integration, err = s.GetIntegration(ctx, companyID, id); err != nil {
		return PhotoSource{}, err
	}
	return out, nil
}
