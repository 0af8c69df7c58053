package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	opstorage "github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/staffsync/staffsync/api"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/testenv"
)

type loginUsers map[string]*opstorage.User

func (u loginUsers) GetUserByID(id string) *opstorage.User      { return u[id] }
func (u loginUsers) GetUserByUsername(n string) *opstorage.User { return u[n] }
func (u loginUsers) ExampleClientID() string                    { return "service" }

// TestLoginThroughTheProvider runs `staffsyncctl login` against the real API and the
// zitadel/oidc example OpenID Provider on 127.0.0.1; the "browser" logs in on the
// provider's form and follows the redirect to the CLI's loopback listener.
func TestLoginThroughTheProvider(t *testing.T) {
	ctx := context.Background()
	key, _ := secrets.GenerateKey()
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, owner, err := st.CreateCompany(ctx, "Acme", "Olive Owner")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.NewHandler(api.Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Secrets: box}))
	defer srv.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := fmt.Sprintf("http://%s/", ln.Addr())
	opstorage.RegisterClients(opstorage.WebClient("web", "secret", srv.URL+"/auth/oidc/callback"))
	users := loginUsers{"ann": {ID: "ann", Username: "ann", Password: "pw", Email: "ann@acme.test", EmailVerified: true, PreferredLanguage: language.English}}
	op := &http.Server{Handler: exampleop.SetupServer(issuer, opstorage.NewStorage(users), slog.New(slog.NewTextHandler(io.Discard, nil)), false), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = op.Serve(ln) }()
	defer op.Close()

	access := staffsyncv1connect.NewAccessServiceClient(http.DefaultClient, srv.URL, connect.WithInterceptors(bearerToken(owner)))
	if _, err := access.SetSignInSettings(ctx, connect.NewRequest(&v1.SetSignInSettingsRequest{
		Settings: &v1.SignInSettings{IssuerUrl: issuer, ClientId: "web", AllowedEmailDomains: []string{"acme.test"}}, ClientSecret: "secret",
	})); err != nil {
		t.Fatal(err)
	}
	if _, err := access.CreateAdmin(ctx, connect.NewRequest(&v1.CreateAdminRequest{Name: "Ann Admin", Email: "ann@acme.test", Role: "admin"})); err != nil {
		t.Fatal(err)
	}

	browserErr := make(chan error, 1)
	openBrowser = func(start string) error {
		go func() {
			jar, _ := cookiejar.New(nil)
			b := &http.Client{Jar: jar}
			resp, err := b.Get(start)
			if err != nil {
				browserErr <- err
				return
			}
			resp.Body.Close()
			form := url.Values{"id": {resp.Request.URL.Query().Get("authRequestID")}, "username": {"ann"}, "password": {"pw"}}
			resp, err = b.PostForm(issuer+"login/username", form)
			if err != nil {
				browserErr <- err
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(page), "Signed in to staffsync") {
				browserErr <- fmt.Errorf("the browser ended at %s: %s", resp.Request.URL, page)
				return
			}
			browserErr <- nil
		}()
		return nil
	}
	defer func() { openBrowser = func(string) error { return nil } }()

	config := t.TempDir()
	env := map[string]string{"STAFFSYNC_ADDR": srv.URL, "STAFFSYNC_CONFIG_DIR": config, "TZ": "UTC"}
	run1 := func(args ...string) cliResult {
		var out, errOut strings.Builder
		code := run(ctx, args, &out, &errOut, func(k string) string { return env[k] })
		return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
	}
	login := run1("login", "--company", "Acme", "--timeout", "30s")
	if err := <-browserErr; err != nil {
		t.Fatal(err)
	}
	if login.code != 0 || !strings.Contains(login.stdout, "signed in as Ann Admin (admin)") {
		t.Fatalf("login: %d %q %q", login.code, login.stdout, login.stderr)
	}
	info, err := os.Stat(filepath.Join(config, "session.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v %v", info, err)
	}
	raw, _ := os.ReadFile(filepath.Join(config, "session.json"))
	var kept loginSession
	if err := json.Unmarshal(raw, &kept); err != nil {
		t.Fatal(err)
	}
	if exp, _ := time.Parse(time.RFC3339, kept.ExpiresAt); exp.Sub(time.Now()) > 12*time.Hour+time.Minute || exp.Sub(time.Now()) < 11*time.Hour {
		t.Errorf("the login token expires at %s, want in 12 hours", kept.ExpiresAt)
	}

	who := run1("whoami")
	if who.code != 0 || !strings.Contains(who.stdout, `Ann Admin`) || !strings.Contains(who.stdout, `role admin, through token "staffsyncctl login"`) {
		t.Fatalf("whoami after login: %d %q %q", who.code, who.stdout, who.stderr)
	}
	// Another API address does not get this token.
	env["STAFFSYNC_ADDR"] = "http://127.0.0.1:1"
	if tok := loginToken(func(k string) string { return env[k] }, baseURL(env["STAFFSYNC_ADDR"]), time.Now()); tok != "" {
		t.Error("the login token is offered to another address")
	}
	env["STAFFSYNC_ADDR"] = srv.URL
	if out := run1("logout"); out.code != 0 {
		t.Fatalf("logout: %v", out)
	}
	if _, err := os.Stat(filepath.Join(config, "session.json")); !os.IsNotExist(err) {
		t.Errorf("logout left the session file: %v", err)
	}
}

func TestLoginTokenIsIgnoredOnceExpired(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "STAFFSYNC_CONFIG_DIR" {
			return dir
		}
		return ""
	}
	s, _ := json.Marshal(loginSession{Addr: "http://127.0.0.1:8080", Token: "sst_x", ExpiresAt: "2026-01-01T00:00:00Z"})
	if err := os.WriteFile(filepath.Join(dir, "session.json"), s, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := loginToken(env, "http://127.0.0.1:8080", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); got != "sst_x" {
		t.Errorf("valid token not used: %q", got)
	}
	if got := loginToken(env, "http://127.0.0.1:8080", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); got != "" {
		t.Errorf("expired token used: %q", got)
	}
}
