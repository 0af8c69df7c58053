package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// runAs runs staffsyncctl against addr with token.
func runAs(addr, token string, args ...string) cliResult {
	env := map[string]string{"STAFFSYNC_ADDR": addr, "STAFFSYNC_TOKEN": token, "TZ": "UTC"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestTokensLifecycleThroughTheCLI runs the real API on a real database: an owner makes a
// script token, the script uses it, the owner revokes it, and the audit log says who did what.
func TestTokensLifecycleThroughTheCLI(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, ownerToken, err := st.CreateCompany(ctx, "Acme", "Olive Owner")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.NewHandler(api.Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()

	created := runAs(srv.URL, ownerToken, "tokens", "create", "nightly-export", "--role", "viewer", "--expires-in", "30d", "--json")
	if created.code != 0 {
		t.Fatalf("tokens create: %d %s", created.code, created.stderr)
	}
	var tok tokenJSON
	if err := json.Unmarshal([]byte(created.stdout), &tok); err != nil || tok.Secret == "" || tok.Role != "viewer" || tok.ExpiresAt == "" {
		t.Fatalf("tokens create printed %s (%v)", created.stdout, err)
	}

	who := runAs(srv.URL, tok.Secret, "whoami")
	if who.code != 0 || !strings.Contains(who.stdout, `role viewer, through token "nightly-export"`) {
		t.Fatalf("whoami with the new token: %d %q %q", who.code, who.stdout, who.stderr)
	}
	denied := runAs(srv.URL, tok.Secret, "tokens", "create", "escalate", "--role", "owner")
	if denied.code != exitError || !strings.Contains(denied.stderr, "needs the owner role") {
		t.Fatalf("a viewer token made a token: %d %q", denied.code, denied.stderr)
	}

	list := runAs(srv.URL, ownerToken, "tokens", "list")
	if list.code != 0 || !strings.Contains(list.stdout, "nightly-export") || !strings.Contains(list.stdout, "active") || strings.Contains(list.stdout, tok.Secret) {
		t.Fatalf("tokens list: %d %q %q", list.code, list.stdout, list.stderr)
	}
	if r := runAs(srv.URL, ownerToken, "tokens", "revoke", tok.ID); r.code != 0 {
		t.Fatalf("tokens revoke: %d %s", r.code, r.stderr)
	}
	gone := runAs(srv.URL, tok.Secret, "whoami")
	if gone.code != exitError || !strings.Contains(gone.stderr, "revoked") {
		t.Fatalf("a revoked token still works: %d %q", gone.code, gone.stderr)
	}

	audit := runAs(srv.URL, ownerToken, "audit", "--action", "Token", "--json")
	var events []map[string]string
	if err := json.Unmarshal([]byte(audit.stdout), &events); err != nil {
		t.Fatalf("audit: %v, %s %s", err, audit.stdout, audit.stderr)
	}
	want := []struct{ action, actor, outcome string }{
		{"AccessService.RevokeToken", "token Olive Owner (of Olive Owner)", "ok"},
		{"AccessService.CreateToken", "token nightly-export (of Olive Owner)", "permission_denied"},
		{"AccessService.CreateToken", "token Olive Owner (of Olive Owner)", "ok"},
	}
	if len(events) != len(want) {
		t.Fatalf("audit has %d token events, want %d: %v", len(events), len(want), events)
	}
	for i, w := range want {
		e := events[i]
		if e["action"] != w.action || e["actor"] != w.actor || e["outcome"] != w.outcome || e["client_address"] != "127.0.0.1" {
			t.Errorf("event %d = %v, want %+v from 127.0.0.1", i, e, w)
		}
	}
	if !strings.Contains(events[0]["object"], "token_id="+tok.ID) || !strings.Contains(events[2]["object"], "token_id="+tok.ID) {
		t.Errorf("audit objects %q / %q do not name token %s", events[0]["object"], events[2]["object"], tok.ID)
	}
	if strings.Contains(audit.stdout, tok.Secret) {
		t.Error("the audit log holds a token secret")
	}
}
