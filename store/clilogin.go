package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// CLI sign-in limits: the one-time code lives 2 minutes, the token it buys 12 hours.
const (
	cliCodeTTL       = 2 * time.Minute
	CLITokenLifetime = 12 * time.Hour
)

// CreateCLICode records a one-time code for a CLI sign-in of admin with role, redeemable only
// with the verifier of challenge.
func (s *Store) CreateCLICode(ctx context.Context, adminID int64, role Role, challenge string) (string, error) {
	code, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO cli_login_codes (code_hash, admin_id, role, challenge, expires_at)
		VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`, hashToken(code), adminID, string(role), challenge, cliCodeTTL.Seconds())
	if err != nil {
		return "", fmt.Errorf("create CLI sign-in code: %w", unavailable(err))
	}
	return code, nil
}

// RedeemCLICode swaps a one-time code and the verifier of its challenge for a new API token
// of the admin, named for the CLI and expiring after CLITokenLifetime. A code works once.
func (s *Store) RedeemCLICode(ctx context.Context, code, verifier string) (Token, string, error) {
	var (
		adminID   int64
		role      Role
		challenge string
	)
	err := s.pool.QueryRow(ctx, `DELETE FROM cli_login_codes WHERE code_hash = $1 AND expires_at > now() RETURNING admin_id, role, challenge`,
		hashToken(code)).Scan(&adminID, &role, &challenge)
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, "", directory.Errorf(directory.ErrNotFound, "this sign-in code is unknown, used or older than 2 minutes; run staffsyncctl login again")
	}
	if err != nil {
		return Token{}, "", fmt.Errorf("redeem CLI sign-in code: %w", unavailable(err))
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) != 1 {
		return Token{}, "", directory.Errorf(directory.ErrPermission, "the verifier does not match this sign-in")
	}
	var p Principal
	if err := s.pool.QueryRow(ctx, `SELECT company_id, id, name FROM admins WHERE id = $1`, adminID).Scan(&p.CompanyID, &p.AdminID, &p.AdminName); err != nil {
		return Token{}, "", fmt.Errorf("redeem CLI sign-in code: %w", unavailable(err))
	}
	p.Role = role
	return s.CreateAPIToken(ctx, p, NewAPIToken{Name: "staffsyncctl login", Role: role, Lifetime: CLITokenLifetime})
}

// AdminCompany returns the company of an admin.
func (s *Store) AdminCompany(ctx context.Context, adminID int64) (int64, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT company_id FROM admins WHERE id = $1`, adminID).Scan(&id); err != nil {
		return 0, fmt.Errorf("company of admin %d: %w", adminID, unavailable(err))
	}
	return id, nil
}
