package store

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// OIDCConfig is a company's OpenID Provider for console sign-in.
type OIDCConfig struct {
	CompanyID      int64
	IssuerURL      string
	ClientID       string
	SecretSealed   []byte
	SecretHint     string
	AllowedDomains []string
	// RoleClaim names the claim whose values map to roles; "" keeps the admin's own role.
	RoleClaim   string
	RoleMapping map[string]Role
	DisplayName string
}

// OIDCSecretAAD binds a sealed client secret to its company, so a sealed value copied to
// another company's row does not open.
func OIDCSecretAAD(companyID int64) []byte {
	return []byte(fmt.Sprintf("oidc-client-secret/%d", companyID))
}

// GetOIDCConfig returns the company's provider, or ErrNotFound.
func (s *Store) GetOIDCConfig(ctx context.Context, companyID int64) (OIDCConfig, error) {
	c := OIDCConfig{CompanyID: companyID}
	var mapping []byte
	err := s.pool.QueryRow(ctx, `
		SELECT issuer_url, client_id, client_secret_sealed, client_secret_hint, allowed_email_domains, role_claim, role_mapping, display_name
		FROM oidc_configs WHERE company_id = $1`, companyID).
		Scan(&c.IssuerURL, &c.ClientID, &c.SecretSealed, &c.SecretHint, &c.AllowedDomains, &c.RoleClaim, &mapping, &c.DisplayName)
	if errors.Is(err, pgx.ErrNoRows) {
		return OIDCConfig{}, directory.Errorf(directory.ErrNotFound, "this company has no identity provider configured; sign in with an API token")
	}
	if err != nil {
		return OIDCConfig{}, fmt.Errorf("get sign-in settings: %w", unavailable(err))
	}
	if err := json.Unmarshal(mapping, &c.RoleMapping); err != nil {
		return OIDCConfig{}, fmt.Errorf("decode role mapping: %w", err)
	}
	return c, nil
}

// SetOIDCConfig stores the company's provider; a nil SecretSealed keeps the stored secret.
func (s *Store) SetOIDCConfig(ctx context.Context, c OIDCConfig) (OIDCConfig, error) {
	mapping, err := json.Marshal(c.RoleMapping)
	if err != nil {
		return OIDCConfig{}, err
	}
	if c.AllowedDomains == nil {
		c.AllowedDomains = []string{}
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO oidc_configs (company_id, issuer_url, client_id, client_secret_sealed, client_secret_hint, allowed_email_domains, role_claim, role_mapping, display_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (company_id) DO UPDATE SET issuer_url = $2, client_id = $3,
			client_secret_sealed = COALESCE($4, oidc_configs.client_secret_sealed),
			client_secret_hint = CASE WHEN $4::bytea IS NULL THEN oidc_configs.client_secret_hint ELSE $5 END,
			allowed_email_domains = $6, role_claim = $7, role_mapping = $8, display_name = $9, updated_at = now()`,
		c.CompanyID, c.IssuerURL, c.ClientID, c.SecretSealed, c.SecretHint, c.AllowedDomains, c.RoleClaim, mapping, c.DisplayName)
	if err != nil {
		return OIDCConfig{}, fmt.Errorf("set sign-in settings: %w", unavailable(err))
	}
	return s.GetOIDCConfig(ctx, c.CompanyID)
}

// CreateAdmin adds an admin account. The email, when given, is how single sign-on finds it.
func (s *Store) CreateAdmin(ctx context.Context, companyID int64, name, email string, role Role) (Admin, error) {
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	switch {
	case name == "" || len(name) > 200:
		return Admin{}, directory.Errorf(directory.ErrInvalid, "an admin needs a name of at most 200 characters")
	case role.Rank() == 0:
		return Admin{}, directory.Errorf(directory.ErrInvalid, "unknown role %q: use owner, admin or viewer", role)
	}
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
			return Admin{}, directory.Errorf(directory.ErrInvalid, "%q is not an email address", email)
		}
	}
	a := Admin{Name: name, Email: email, Role: role}
	err := s.pool.QueryRow(ctx, `INSERT INTO admins (company_id, name, email, role) VALUES ($1, $2, $3, $4) RETURNING id, created_at`,
		companyID, name, email, string(role)).Scan(&a.ID, &a.CreatedAt)
	if isUniqueViolation(err) {
		return Admin{}, directory.Errorf(directory.ErrConflict, "an admin with email %s already exists", email)
	}
	if err != nil {
		return Admin{}, fmt.Errorf("create admin: %w", unavailable(err))
	}
	return a, nil
}

// AdminByEmail finds the company's admin with this email, case-insensitively.
func (s *Store) AdminByEmail(ctx context.Context, companyID int64, email string) (Admin, error) {
	var a Admin
	err := s.pool.QueryRow(ctx, `SELECT id, name, email, role, created_at FROM admins WHERE company_id = $1 AND email <> '' AND lower(email) = lower($2)`,
		companyID, email).Scan(&a.ID, &a.Name, &a.Email, &a.Role, &a.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Admin{}, directory.Errorf(directory.ErrNotFound, "no admin account of this company has the email %s; ask an owner to add you", email)
	}
	if err != nil {
		return Admin{}, fmt.Errorf("find admin by email: %w", unavailable(err))
	}
	return a, nil
}

// OIDCLogin is a sign-in waiting for the provider's answer.
type OIDCLogin struct {
	CompanyID    int64
	Nonce        string
	CodeVerifier string
	ReturnTo     string
	// CLIRedirect and CLIChallenge are set for `staffsyncctl login`: the loopback address to
	// send the one-time code to, and the S256 challenge of the CLI's verifier.
	CLIRedirect  string
	CLIChallenge string
}

// maxPendingLogins bounds the sign-ins of one company waiting for the provider.
const maxPendingLogins = 500

// StartOIDCLogin records a sign-in under the hash of its state, and drops expired ones.
func (s *Store) StartOIDCLogin(ctx context.Context, state string, l OIDCLogin, ttl time.Duration) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM oidc_logins WHERE expires_at < now()`); err != nil {
		return fmt.Errorf("drop expired sign-ins: %w", unavailable(err))
	}
	// Starting a sign-in needs no credential, so the rows one company can have waiting are
	// bounded: a flood fills at most maxPendingLogins rows, for 10 minutes.
	tag, err := s.pool.Exec(ctx, `INSERT INTO oidc_logins (state_hash, company_id, nonce, code_verifier, return_to, expires_at, cli_redirect, cli_challenge)
		SELECT $1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7, $8
		WHERE (SELECT count(*) FROM oidc_logins WHERE company_id = $2) < $9`,
		hashToken(state), l.CompanyID, l.Nonce, l.CodeVerifier, l.ReturnTo, ttl.Seconds(), l.CLIRedirect, l.CLIChallenge, maxPendingLogins)
	if err != nil {
		return fmt.Errorf("start sign-in: %w", unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return directory.Errorf(directory.ErrUnavailable, "too many sign-ins are in progress for this company; try again in a few minutes")
	}
	return nil
}

// TakeOIDCLogin returns and forgets the sign-in of a state: each state works once.
func (s *Store) TakeOIDCLogin(ctx context.Context, state string) (OIDCLogin, error) {
	var l OIDCLogin
	err := s.pool.QueryRow(ctx, `DELETE FROM oidc_logins WHERE state_hash = $1 AND expires_at > now()
		RETURNING company_id, nonce, code_verifier, return_to, cli_redirect, cli_challenge`, hashToken(state)).Scan(&l.CompanyID, &l.Nonce, &l.CodeVerifier, &l.ReturnTo, &l.CLIRedirect, &l.CLIChallenge)
	if errors.Is(err, pgx.ErrNoRows) {
		return OIDCLogin{}, directory.Errorf(directory.ErrNotFound, "this sign-in is unknown, used or older than 10 minutes; start again")
	}
	if err != nil {
		return OIDCLogin{}, fmt.Errorf("finish sign-in: %w", unavailable(err))
	}
	return l, nil
}

// Session limits: a console left alone for 2 hours signs out, and no session lives past 12
// hours, so a stolen cookie is worth a working day at most.
const (
	SessionIdle     = 2 * time.Hour
	SessionAbsolute = 12 * time.Hour
)

// CreateSession starts a console session and returns its cookie token and CSRF token.
func (s *Store) CreateSession(ctx context.Context, adminID int64, role Role, lifetime time.Duration) (token, csrf string, err error) {
	if token, err = newToken(); err != nil {
		return "", "", err
	}
	if csrf, err = newToken(); err != nil {
		return "", "", err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO console_sessions (token_hash, csrf_hash, admin_id, role, expires_at)
		VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`, hashToken(token), hashToken(csrf), adminID, string(role), lifetime.Seconds())
	if err != nil {
		return "", "", fmt.Errorf("create session: %w", unavailable(err))
	}
	return token, csrf, nil
}

// SessionPrincipal returns the admin of a live session. csrf must match the session's CSRF
// token unless checkCSRF is false (the provider's redirect back, sign-out's own check).
func (s *Store) SessionPrincipal(ctx context.Context, token, csrf string, checkCSRF bool, idle time.Duration) (Principal, error) {
	var (
		p                 Principal
		csrfHash          []byte
		lastSeen, expires time.Time
		ended             *time.Time
		now               time.Time
		sessionID         int64
	)
	err := s.pool.QueryRow(ctx, `
		SELECT cs.id, a.company_id, a.id, a.name, cs.role, cs.csrf_hash, cs.last_seen_at, cs.expires_at, cs.ended_at, now()
		FROM console_sessions cs JOIN admins a ON a.id = cs.admin_id
		WHERE cs.token_hash = $1`, hashToken(token)).
		Scan(&sessionID, &p.CompanyID, &p.AdminID, &p.AdminName, &p.Role, &csrfHash, &lastSeen, &expires, &ended, &now)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, directory.Errorf(directory.ErrNotFound, "you are signed out; sign in again")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("check session: %w", unavailable(err))
	}
	switch {
	case ended != nil:
		return Principal{}, directory.Errorf(directory.ErrNotFound, "you signed out; sign in again")
	case !now.Before(expires):
		return Principal{}, directory.Errorf(directory.ErrNotFound, "your session ended after %v; sign in again", SessionAbsolute)
	case now.Sub(lastSeen) >= idle:
		return Principal{}, directory.Errorf(directory.ErrNotFound, "your session ended after %v without use; sign in again", idle)
	case checkCSRF && subtle.ConstantTimeCompare(hashToken(csrf), csrfHash) != 1:
		return Principal{}, directory.Errorf(directory.ErrPermission, "missing or wrong X-CSRF-Token header; reload the console")
	}
	if now.Sub(lastSeen) >= lastUsedResolution {
		if _, err := s.pool.Exec(ctx, `UPDATE console_sessions SET last_seen_at = now() WHERE id = $1`, sessionID); err != nil {
			return Principal{}, fmt.Errorf("touch session: %w", unavailable(err))
		}
	}
	p.SessionID = sessionID
	return p, nil
}

// EndSession signs a session out; ending an unknown or ended session is a no-op.
func (s *Store) EndSession(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE console_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL`, hashToken(token)); err != nil {
		return fmt.Errorf("end session: %w", unavailable(err))
	}
	return nil
}
