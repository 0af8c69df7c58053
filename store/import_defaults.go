package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// Where an import's options came from (imports.options_source).
const (
	OptionsFromRequest  = "request"
	OptionsFromCompany  = "company_defaults"
	OptionsFromBuiltIns = "built_in"
)

// ImportDefaults is a company's import configuration.
type ImportDefaults struct {
	Options directory.Options
	// Saved is false while the company uses the built-in defaults.
	Saved     bool
	UpdatedBy string
	UpdatedAt *time.Time
}

// GetImportDefaults returns the company's import configuration, or the built-in defaults.
func (s *Store) GetImportDefaults(ctx context.Context, companyID int64) (ImportDefaults, error) {
	out := ImportDefaults{Options: directory.DefaultOptions()}
	var raw []byte
	var at time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT d.options, coalesce(a.name, ''), d.updated_at FROM import_defaults d
		LEFT JOIN admins a ON a.id = d.updated_by WHERE d.company_id = $1`, companyID).Scan(&raw, &out.UpdatedBy, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("read import defaults: %w", unavailable(err))
	}
	if err := json.Unmarshal(raw, &out.Options); err != nil {
		return out, fmt.Errorf("decode import defaults of company %d: %w", companyID, err)
	}
	out.Saved, out.UpdatedAt = true, &at
	return out, nil
}

// SaveImportDefaults replaces the company's import configuration. The sheet and the
// matching rule belong to a file or a source, never to the configuration.
func (s *Store) SaveImportDefaults(ctx context.Context, p Principal, opts directory.Options) (ImportDefaults, error) {
	opts.Sheet = ""
	opts.MatchBy = directory.MatchByEmail
	raw, err := json.Marshal(opts)
	if err != nil {
		return ImportDefaults{}, fmt.Errorf("encode import defaults: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO import_defaults (company_id, options, updated_by, updated_at) VALUES ($1, $2, NULLIF($3, 0), now())
		ON CONFLICT (company_id) DO UPDATE SET options = EXCLUDED.options, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		p.CompanyID, raw, p.AdminID); err != nil {
		return ImportDefaults{}, fmt.Errorf("save import defaults: %w", unavailable(err))
	}
	return s.GetImportDefaults(ctx, p.CompanyID)
}

// ImportExtras are the parts of an import that issue 20 added: where its options came
// from, and the preview's hints.
type ImportExtras struct {
	OptionsSource string
	Hints         []directory.Hint
}

// SetImportOptionsSource records where a new import's options came from.
func (s *Store) SetImportOptionsSource(ctx context.Context, companyID, importID int64, source string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE imports SET options_source = $3 WHERE company_id = $1 AND id = $2`, companyID, importID, source); err != nil {
		return fmt.Errorf("record options of import %d: %w", importID, unavailable(err))
	}
	return nil
}

// GetImportExtras reads an import's options source and hints.
func (s *Store) GetImportExtras(ctx context.Context, companyID, importID int64) (ImportExtras, error) {
	var out ImportExtras
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT options_source, hints FROM imports WHERE company_id = $1 AND id = $2`, companyID, importID).Scan(&out.OptionsSource, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, directory.Errorf(directory.ErrNotFound, "no import %d", importID)
	}
	if err != nil {
		return out, fmt.Errorf("read import %d: %w", importID, unavailable(err))
	}
	if err := json.Unmarshal(raw, &out.Hints); err != nil {
		return out, fmt.Errorf("decode hints of import %d: %w", importID, err)
	}
	return out, nil
}

// SaveImportHints stores the hints of an import's latest preview.
func (s *Store) SaveImportHints(ctx context.Context, importID int64, hints []directory.Hint) error {
	if hints == nil {
		hints = []directory.Hint{}
	}
	raw, err := json.Marshal(hints)
	if err != nil {
		return fmt.Errorf("encode hints: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE imports SET hints = $2 WHERE id = $1`, importID, raw); err != nil {
		return fmt.Errorf("store hints of import %d: %w", importID, unavailable(err))
	}
	return nil
}
