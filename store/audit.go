package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// AuditEvent is one change an admin made (or tried to make), as the audit log keeps it.
type AuditEvent struct {
	ID            int64
	At            time.Time
	Actor         string
	AdminID       int64
	TokenID       int64
	Role          Role
	ClientAddress string
	// Action is the RPC, for example "IntegrationService.UpdateIntegration".
	Action string
	// Object is what it acted on, for example "integration 12".
	Object string
	// Outcome is "ok" or the Connect code of the refusal ("permission_denied", ...).
	Outcome string
	// Detail is JSON of the request with secrets and file contents left out.
	Detail json.RawMessage
}

// RecordAudit appends an event to the caller's company's audit log.
func (s *Store) RecordAudit(ctx context.Context, p Principal, e AuditEvent) error {
	detail := e.Detail
	if len(detail) == 0 {
		detail = json.RawMessage(`{}`)
	}
	var adminID, tokenID *int64
	if p.AdminID != 0 {
		adminID = &p.AdminID
	}
	if p.TokenID != 0 {
		tokenID = &p.TokenID
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO audit_events (company_id, actor, admin_id, token_id, role, client_address, action, object, outcome, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.CompanyID, p.Actor(), adminID, tokenID, string(p.Role), e.ClientAddress, e.Action, e.Object, e.Outcome, detail)
	if err != nil {
		return fmt.Errorf("record audit event %s: %w", e.Action, unavailable(err))
	}
	return nil
}

// AuditFilter narrows an audit listing; zero values match everything.
type AuditFilter struct {
	// Actor and Action match a part of the text, case-insensitively.
	Actor  string
	Action string
	Object string
	Since  time.Time
	Until  time.Time
	// BeforeID pages backwards: only events older than this id.
	BeforeID int64
	// Limit 0 takes 100; at most 1000.
	Limit int
}

// ListAudit returns the company's audit events, newest first.
func (s *Store) ListAudit(ctx context.Context, companyID int64, f AuditFilter) ([]AuditEvent, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 1000 {
		return nil, directory.Errorf(directory.ErrInvalid, "list at most 1000 audit events at a time; page with before_id")
	}
	for _, s := range []string{f.Actor, f.Action, f.Object} {
		if len(s) > 200 {
			return nil, directory.Errorf(directory.ErrInvalid, "an audit filter has at most 200 characters")
		}
	}
	var since, until *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	if !f.Until.IsZero() {
		until = &f.Until
	}
	return queryAll(ctx, s, "list audit events", func(row pgx.Row) (AuditEvent, error) {
		var (
			e                AuditEvent
			adminID, tokenID *int64
		)
		err := row.Scan(&e.ID, &e.At, &e.Actor, &adminID, &tokenID, &e.Role, &e.ClientAddress, &e.Action, &e.Object, &e.Outcome, &e.Detail)
		if adminID != nil {
			e.AdminID = *adminID
		}
		if tokenID != nil {
			e.TokenID = *tokenID
		}
		return e, err
	}, `
		SELECT id, at, actor, admin_id, token_id, role, client_address, action, object, outcome, detail
		FROM audit_events
		WHERE company_id = $1
		  AND ($2 = '' OR actor ILIKE '%' || $2 || '%')
		  AND ($3 = '' OR action ILIKE '%' || $3 || '%')
		  AND ($4 = '' OR object ILIKE '%' || $4 || '%')
		  AND ($5::timestamptz IS NULL OR at >= $5)
		  AND ($6::timestamptz IS NULL OR at < $6)
		  AND ($7 = 0 OR id < $7)
		ORDER BY id DESC
		LIMIT $8`, companyID, likeEscape(f.Actor), likeEscape(f.Action), likeEscape(f.Object), since, until, f.BeforeID, f.Limit)
}

// likeEscape makes % and _ in a filter match themselves.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Admin is an admin account of a company.
type Admin struct {
	ID        int64
	Name      string
	Email     string
	Role      Role
	CreatedAt time.Time
}

// ListAdmins lists the company's admin accounts.
func (s *Store) ListAdmins(ctx context.Context, companyID int64) ([]Admin, error) {
	return queryAll(ctx, s, "list admins", func(row pgx.Row) (Admin, error) {
		var a Admin
		err := row.Scan(&a.ID, &a.Name, &a.Email, &a.Role, &a.CreatedAt)
		return a, err
	}, `SELECT id, name, email, role, created_at FROM admins WHERE company_id = $1 ORDER BY id LIMIT 1000`, companyID)
}

// SetAdminRole changes an admin's role. The company always keeps an owner, so nobody can
// lock the company out of its own settings.
func (s *Store) SetAdminRole(ctx context.Context, companyID, adminID int64, role Role) (Admin, error) {
	if role.Rank() == 0 {
		return Admin{}, directory.Errorf(directory.ErrInvalid, "unknown role %q: use owner, admin or viewer", role)
	}
	var a Admin
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock the company's admins so two owners demoting each other cannot both succeed.
		if _, err := tx.Exec(ctx, `SELECT id FROM admins WHERE company_id = $1 FOR UPDATE`, companyID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `UPDATE admins SET role = $3 WHERE id = $1 AND company_id = $2
			RETURNING id, name, email, role, created_at`, adminID, companyID, string(role)).Scan(&a.ID, &a.Name, &a.Email, &a.Role, &a.CreatedAt)
		if err == pgx.ErrNoRows {
			return directory.Errorf(directory.ErrNotFound, "admin %d not found", adminID)
		}
		if err != nil {
			return err
		}
		var owners int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM admins WHERE company_id = $1 AND role = 'owner'`, companyID).Scan(&owners); err != nil {
			return err
		}
		if owners == 0 {
			return directory.Errorf(directory.ErrPrecondition, "the company needs at least one owner; make another admin owner first")
		}
		// Console sessions carry the role they started with: end them so the change counts
		// now, not at the next sign-in. Tokens take the admin's role on every call anyway.
		_, err = tx.Exec(ctx, `UPDATE console_sessions SET ended_at = now() WHERE admin_id = $1 AND ended_at IS NULL`, adminID)
		return err
	})
	if err != nil {
		return Admin{}, fmt.Errorf("set role of admin %d: %w", adminID, unavailable(err))
	}
	return a, nil
}
