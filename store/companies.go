package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// tokenPrefix makes staffsync tokens recognisable in secret scanners and logs.
const tokenPrefix = "sst_"

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(raw), nil
}

// CreateCompany creates a company with a first admin and returns the company id and that
// admin's API token. The token is shown once; only its hash is stored.
func (s *Store) CreateCompany(ctx context.Context, name, adminName string) (companyID int64, token string, err error) {
	if name == "" {
		return 0, "", directory.Errorf(directory.ErrInvalid, "a company needs a name")
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO companies (name) VALUES ($1) RETURNING id`, name).Scan(&companyID); err != nil {
			return fmt.Errorf("insert company: %w", err)
		}
		token, err = createToken(ctx, tx, companyID, adminName)
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("create company %q: %w", name, unavailable(err))
	}
	return companyID, token, nil
}

// CreateToken adds an admin with a new API token to an existing company.
func (s *Store) CreateToken(ctx context.Context, companyID int64, adminName string) (string, error) {
	var token string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM companies WHERE id = $1)`, companyID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return directory.Errorf(directory.ErrNotFound, "company %d does not exist", companyID)
		}
		var err error
		token, err = createToken(ctx, tx, companyID, adminName)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create token for company %d: %w", companyID, unavailable(err))
	}
	return token, nil
}

func createToken(ctx context.Context, tx pgx.Tx, companyID int64, adminName string) (string, error) {
	if adminName == "" {
		adminName = "admin"
	}
	var adminID int64
	if err := tx.QueryRow(ctx, `INSERT INTO admins (company_id, name) VALUES ($1, $2) RETURNING id`, companyID, adminName).Scan(&adminID); err != nil {
		return "", fmt.Errorf("insert admin: %w", err)
	}
	token, err := newToken()
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (admin_id, token_hash, name) VALUES ($1, $2, $3)`, adminID, hashToken(token), adminName); err != nil {
		return "", fmt.Errorf("insert token: %w", err)
	}
	return token, nil
}

// CompanyByName returns the id of the oldest company with that name.
func (s *Store) CompanyByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM companies WHERE name = $1 ORDER BY id LIMIT 1`, name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, directory.Errorf(directory.ErrNotFound, "no company named %q", name)
	}
	if err != nil {
		return 0, fmt.Errorf("find company %q: %w", name, unavailable(err))
	}
	return id, nil
}
