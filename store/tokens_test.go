package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

func ownerOf(t *testing.T, st *Store, company string) Principal {
	t.Helper()
	_, token, err := st.CreateCompany(context.Background(), company, "owner of "+company)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTokensExpireAndRevoke(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	owner := ownerOf(t, st, "Acme")
	if owner.Role != RoleOwner || owner.TokenName != "owner of Acme" {
		t.Fatalf("the first admin's token is %+v, want an owner named after the admin", owner)
	}

	tok, secret, err := st.CreateAPIToken(ctx, owner, NewAPIToken{Name: "nightly-export", Role: RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.ExpiresAt.Sub(tok.CreatedAt); got < DefaultTokenLifetime-time.Minute || got > DefaultTokenLifetime+time.Minute {
		t.Errorf("a token without a lifetime expires after %v, want 90 days", got)
	}
	p, err := st.Authenticate(ctx, secret)
	if err != nil || p.Role != RoleViewer || p.TokenName != "nightly-export" || p.CompanyID != owner.CompanyID {
		t.Fatalf("new token authenticates as %+v, %v", p, err)
	}
	tokens, err := st.ListTokens(ctx, owner.CompanyID)
	if err != nil || len(tokens) != 2 || tokens[0].LastUsedAt == nil {
		t.Fatalf("tokens %+v, %v: want 2, the newest with a last-used time", tokens, err)
	}

	if _, err := st.pool.Exec(ctx, `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, secret); !errors.Is(err, directory.ErrNotFound) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("an expired token authenticates: %v", err)
	}

	tok2, secret2, err := st.CreateAPIToken(ctx, owner, NewAPIToken{Name: "ci", Role: RoleAdmin, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	other := ownerOf(t, st, "Other Co")
	if _, err := st.RevokeToken(ctx, other, tok2.ID); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("another company revoked our token: %v", err)
	}
	if _, err := st.Authenticate(ctx, secret2); err != nil {
		t.Fatalf("token stopped working after another company's revoke attempt: %v", err)
	}
	revoked, err := st.RevokeToken(ctx, owner, tok2.ID)
	if err != nil || revoked.RevokedAt == nil {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	if _, err := st.Authenticate(ctx, secret2); !errors.Is(err, directory.ErrNotFound) || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("a revoked token authenticates: %v", err)
	}
}

func TestTokenRulesRefuseBadTokens(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	owner := ownerOf(t, st, "Acme")
	_, viewerSecret, err := st.CreateAPIToken(ctx, owner, NewAPIToken{Name: "read-only", Role: RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := st.Authenticate(ctx, viewerSecret)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		by   Principal
		in   NewAPIToken
		want error
	}{
		{"no name", owner, NewAPIToken{Role: RoleViewer}, directory.ErrInvalid},
		{"long name", owner, NewAPIToken{Name: strings.Repeat("x", 101), Role: RoleViewer}, directory.ErrInvalid},
		{"unknown role", owner, NewAPIToken{Name: "x", Role: "root"}, directory.ErrInvalid},
		{"over a year", owner, NewAPIToken{Name: "x", Role: RoleViewer, Lifetime: 400 * 24 * time.Hour}, directory.ErrInvalid},
		{"above the maker's role", viewer, NewAPIToken{Name: "x", Role: RoleOwner}, directory.ErrPermission},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := st.CreateAPIToken(ctx, tc.by, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The company always keeps an owner.
	if _, err := st.SetAdminRole(ctx, owner.CompanyID, owner.AdminID, RoleViewer); !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("the last owner was demoted: %v", err)
	}
}

func TestAuditIsPerCompany(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	acme, other := ownerOf(t, st, "Acme"), ownerOf(t, st, "Other Co")
	for _, p := range []Principal{acme, other} {
		if err := st.RecordAudit(ctx, p, AuditEvent{Action: "DirectoryService.DeletePerson", Object: "person_id=1", Outcome: "ok", ClientAddress: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RecordAudit(ctx, acme, AuditEvent{Action: "IntegrationService.UpdateIntegration", Object: "integration_id=4", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	all, err := st.ListAudit(ctx, acme.CompanyID, AuditFilter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("Acme sees %d events (%v), want its own 2", len(all), err)
	}
	if all[0].Action != "IntegrationService.UpdateIntegration" || all[0].Actor != "token owner of Acme (of owner of Acme)" || all[0].Role != RoleOwner {
		t.Errorf("newest event %+v", all[0])
	}
	filtered, err := st.ListAudit(ctx, acme.CompanyID, AuditFilter{Action: "deleteperson"})
	if err != nil || len(filtered) != 1 || filtered[0].Object != "person_id=1" {
		t.Errorf("action filter gave %+v, %v", filtered, err)
	}
	none, err := st.ListAudit(ctx, acme.CompanyID, AuditFilter{Action: "%"})
	if err != nil || len(none) != 0 {
		t.Errorf("a %% filter matched %d events; it must match itself only", len(none))
	}
	paged, err := st.ListAudit(ctx, acme.CompanyID, AuditFilter{BeforeID: all[0].ID})
	if err != nil || len(paged) != 1 || paged[0].ID != all[1].ID {
		t.Errorf("before_id page %+v, %v", paged, err)
	}
}

func TestSessionsExpireAndEndWithARoleChange(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	owner := ownerOf(t, st, "Acme")
	a, err := st.CreateAdmin(ctx, owner.CompanyID, "Ann", "ann@acme.test", RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	token, csrf, err := st.CreateSession(ctx, a.ID, RoleAdmin, SessionAbsolute)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := st.SessionPrincipal(ctx, token, csrf, true, SessionIdle); err != nil || p.Role != RoleAdmin || p.AdminName != "Ann" {
		t.Fatalf("fresh session: %+v %v", p, err)
	}
	if _, err := st.SessionPrincipal(ctx, token, "wrong", true, SessionIdle); !errors.Is(err, directory.ErrPermission) {
		t.Errorf("a wrong CSRF token passed: %v", err)
	}
	if _, err := st.pool.Exec(ctx, `UPDATE console_sessions SET last_seen_at = now() - interval '3 hours'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionPrincipal(ctx, token, csrf, true, SessionIdle); !errors.Is(err, directory.ErrNotFound) || !strings.Contains(err.Error(), "without use") {
		t.Errorf("an idle session still works: %v", err)
	}
	token2, csrf2, _ := st.CreateSession(ctx, a.ID, RoleAdmin, SessionAbsolute)
	if _, err := st.pool.Exec(ctx, `UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, hashToken(token2)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionPrincipal(ctx, token2, csrf2, true, SessionIdle); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("a session past its absolute limit still works: %v", err)
	}
	token3, csrf3, _ := st.CreateSession(ctx, a.ID, RoleAdmin, SessionAbsolute)
	if _, err := st.SetAdminRole(ctx, owner.CompanyID, a.ID, RoleViewer); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionPrincipal(ctx, token3, csrf3, true, SessionIdle); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("a session survived its admin's role change: %v", err)
	}
	if _, err := st.CreateAdmin(ctx, owner.CompanyID, "Ann again", "ANN@acme.test", RoleViewer); !errors.Is(err, directory.ErrConflict) {
		t.Errorf("a second admin with the same email: %v", err)
	}
}

// Starting sign-ins costs an anonymous caller nothing, so a flood is capped per company.
func TestPendingSignInsAreCappedPerCompany(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	acme, other := ownerOf(t, st, "Acme"), ownerOf(t, st, "Other Co")
	login := func(company int64, i int) error {
		return st.StartOIDCLogin(ctx, fmt.Sprintf("state-%d-%d", company, i), OIDCLogin{CompanyID: company, Nonce: "n", CodeVerifier: "v", ReturnTo: "/"}, time.Minute)
	}
	for i := 0; i < maxPendingLogins; i++ {
		if err := login(acme.CompanyID, i); err != nil {
			t.Fatalf("sign-in %d: %v", i, err)
		}
	}
	if err := login(acme.CompanyID, maxPendingLogins); !errors.Is(err, directory.ErrUnavailable) {
		t.Fatalf("sign-in past the cap: %v", err)
	}
	if err := login(other.CompanyID, 0); err != nil {
		t.Fatalf("another company is blocked by the flood: %v", err)
	}
	l, err := st.TakeOIDCLogin(ctx, fmt.Sprintf("state-%d-%d", acme.CompanyID, 7))
	if err != nil || l.CompanyID != acme.CompanyID {
		t.Fatalf("take: %+v %v", l, err)
	}
	if _, err := st.TakeOIDCLogin(ctx, fmt.Sprintf("state-%d-%d", acme.CompanyID, 7)); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("a state worked twice: %v", err)
	}
}
