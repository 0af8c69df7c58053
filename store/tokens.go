package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// Role is what a caller may do in its company. Roles are ordered: an owner can do all an
// admin can, an admin all a viewer can.
type Role string

const (
	RoleViewer Role = "viewer"
	RoleAdmin  Role = "admin"
	RoleOwner  Role = "owner"
)

// Rank orders roles; an unknown role ranks below viewer and may do nothing.
func (r Role) Rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleAdmin:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// AtLeast reports whether r may do what needs min.
func (r Role) AtLeast(min Role) bool { return r.Rank() > 0 && r.Rank() >= min.Rank() }

// ParseRole accepts owner, admin or viewer.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.Rank() == 0 {
		return "", directory.Errorf(directory.ErrInvalid, "unknown role %q: use owner, admin or viewer", s)
	}
	return r, nil
}

func lowerRole(a, b Role) Role {
	if a.Rank() <= b.Rank() {
		return a
	}
	return b
}

// Principal is who calls: an admin of one company, through a token or a session.
type Principal struct {
	CompanyID int64
	AdminID   int64
	AdminName string
	// Role is what this call may do: the lower of the admin's and the token's role.
	Role Role
	// TokenID and TokenName name the API token used; 0 and "" for a console session.
	TokenID   int64
	TokenName string
	// SessionID is the console session used; 0 for a token.
	SessionID int64
}

// Actor names the caller for the audit log: the token's name, or the admin's for a session.
func (p Principal) Actor() string {
	if p.TokenID != 0 {
		return "token " + p.TokenName + " (of " + p.AdminName + ")"
	}
	return p.AdminName
}

// Token limits: a name an admin can read in a list, and an expiry no longer than a year so
// a forgotten script token does not live forever.
const (
	DefaultTokenLifetime = 90 * 24 * time.Hour
	MaxTokenLifetime     = 366 * 24 * time.Hour
	maxTokenNameLen      = 100
	// lastUsedResolution bounds the writes of busy scripts: last_used_at moves at most once
	// a minute per token.
	lastUsedResolution = time.Minute
)

// Token describes an API token; the secret itself is never stored or returned again.
type Token struct {
	ID         int64
	Name       string
	Role       Role
	AdminID    int64
	AdminName  string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Authenticate finds the admin a bearer token belongs to. Unknown, revoked and expired
// tokens are ErrNotFound with a message that says which, so a script's owner knows to make
// a new one; the caller answers Unauthenticated either way.
func (s *Store) Authenticate(ctx context.Context, token string) (Principal, error) {
	var (
		p                  Principal
		adminRole, tokRole Role
		expires, revoked   *time.Time
		lastUsed           *time.Time
		now                time.Time
	)
	err := s.pool.QueryRow(ctx, `
		SELECT a.company_id, a.id, a.name, a.role, t.id, t.name, t.role, t.expires_at, t.revoked_at, t.last_used_at, now()
		FROM api_tokens t JOIN admins a ON a.id = t.admin_id
		WHERE t.token_hash = $1`, hashToken(token)).Scan(&p.CompanyID, &p.AdminID, &p.AdminName, &adminRole,
		&p.TokenID, &p.TokenName, &tokRole, &expires, &revoked, &lastUsed, &now)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, directory.Errorf(directory.ErrNotFound, "unknown API token")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", unavailable(err))
	}
	if revoked != nil {
		return Principal{}, directory.Errorf(directory.ErrNotFound, "this API token was revoked on %s; ask an owner for a new one", revoked.UTC().Format(time.DateOnly))
	}
	if expires != nil && !now.Before(*expires) {
		return Principal{}, directory.Errorf(directory.ErrNotFound, "this API token expired on %s; ask an owner for a new one", expires.UTC().Format(time.DateOnly))
	}
	p.Role = lowerRole(adminRole, tokRole)
	if lastUsed == nil || now.Sub(*lastUsed) >= lastUsedResolution {
		if _, err := s.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, p.TokenID); err != nil {
			return Principal{}, fmt.Errorf("authenticate: record last use: %w", unavailable(err))
		}
	}
	return p, nil
}

// NewAPIToken is a token to create for the calling admin.
type NewAPIToken struct {
	Name string
	Role Role
	// Lifetime 0 takes DefaultTokenLifetime.
	Lifetime time.Duration
}

// CreateAPIToken makes a named token for the caller's own admin account. Its role cannot be
// above the caller's, so a token never gives more than its maker has. The secret is
// returned once; only its hash is kept.
func (s *Store) CreateAPIToken(ctx context.Context, p Principal, in NewAPIToken) (Token, string, error) {
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		return Token{}, "", directory.Errorf(directory.ErrInvalid, "a token needs a name that says what uses it, for example \"nightly-export\"")
	case utf8.RuneCountInString(name) > maxTokenNameLen:
		return Token{}, "", directory.Errorf(directory.ErrInvalid, "a token name has at most %d characters", maxTokenNameLen)
	case in.Role.Rank() == 0:
		return Token{}, "", directory.Errorf(directory.ErrInvalid, "unknown role %q: use owner, admin or viewer", in.Role)
	case !p.Role.AtLeast(in.Role):
		return Token{}, "", directory.Errorf(directory.ErrPermission, "a %s cannot make a token with role %s", p.Role, in.Role)
	case in.Lifetime < 0 || in.Lifetime > MaxTokenLifetime:
		return Token{}, "", directory.Errorf(directory.ErrInvalid, "a token expires within %d days at most", int(MaxTokenLifetime.Hours()/24))
	}
	lifetime := in.Lifetime
	if lifetime == 0 {
		lifetime = DefaultTokenLifetime
	}
	secret, err := newToken()
	if err != nil {
		return Token{}, "", err
	}
	t := Token{Name: name, Role: in.Role, AdminID: p.AdminID, AdminName: p.AdminName}
	err = s.pool.QueryRow(ctx, `
		INSERT INTO api_tokens (admin_id, token_hash, name, role, expires_at)
		VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
		RETURNING id, created_at, expires_at`, p.AdminID, hashToken(secret), name, string(in.Role), lifetime.Seconds()).
		Scan(&t.ID, &t.CreatedAt, &t.ExpiresAt)
	if err != nil {
		return Token{}, "", fmt.Errorf("create token %q: %w", name, unavailable(err))
	}
	return t, secret, nil
}

// ListTokens lists the company's tokens, newest first, revoked and expired ones included so
// an owner can see what a script was using.
func (s *Store) ListTokens(ctx context.Context, companyID int64) ([]Token, error) {
	return queryAll(ctx, s, "list tokens", func(row pgx.Row) (Token, error) {
		var t Token
		err := row.Scan(&t.ID, &t.Name, &t.Role, &t.AdminID, &t.AdminName, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
		return t, err
	}, `
		SELECT t.id, t.name, t.role, a.id, a.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN admins a ON a.id = t.admin_id
		WHERE a.company_id = $1
		ORDER BY t.id DESC LIMIT 1000`, companyID)
}

// RevokeToken revokes a token of the caller's company at once; revoking twice is a no-op.
func (s *Store) RevokeToken(ctx context.Context, p Principal, tokenID int64) (Token, error) {
	var t Token
	err := s.pool.QueryRow(ctx, `
		UPDATE api_tokens t SET revoked_at = COALESCE(t.revoked_at, now()), revoked_by = COALESCE(t.revoked_by, $3)
		FROM admins a
		WHERE t.id = $1 AND a.id = t.admin_id AND a.company_id = $2
		RETURNING t.id, t.name, t.role, a.id, a.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`,
		tokenID, p.CompanyID, p.AdminID).Scan(&t.ID, &t.Name, &t.Role, &t.AdminID, &t.AdminName, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, directory.Errorf(directory.ErrNotFound, "token %d not found", tokenID)
	}
	if err != nil {
		return Token{}, fmt.Errorf("revoke token %d: %w", tokenID, unavailable(err))
	}
	return t, nil
}
