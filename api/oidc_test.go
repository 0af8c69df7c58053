package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	opstorage "github.com/zitadel/oidc/v3/example/server/storage"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/testenv"
)

// The provider is the example OpenID Provider of github.com/zitadel/oidc (an OpenID
// Certified library), run in this test binary on 127.0.0.1 with its own login form.
type opUsers map[string]*opstorage.User

func (u opUsers) GetUserByID(id string) *opstorage.User { return u[id] }
func (u opUsers) GetUserByUsername(name string) *opstorage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u opUsers) ExampleClientID() string { return "service" }

const opPassword = "correct horse battery"

func opUser(id, email string, verified bool) *opstorage.User {
	return &opstorage.User{ID: id, Username: id, Password: opPassword, FirstName: id, LastName: "Test", Email: email, EmailVerified: verified, PreferredLanguage: language.English}
}

// startProvider serves the provider and registers the clients "web" and "api" (secret
// "secret") with the given redirect URIs.
func startProvider(t *testing.T, redirects ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := fmt.Sprintf("http://%s/", ln.Addr())
	opstorage.RegisterClients(opstorage.WebClient("web", "secret", redirects...), opstorage.WebClient("api", "secret", redirects...))
	users := opUsers{
		"olive":    opUser("olive", "olive@acme.test", true),
		"victor":   opUser("victor", "victor@acme.test", true),
		"ursula":   opUser("ursula", "ursula@acme.test", false),
		"frank":    opUser("frank", "frank@elsewhere.test", true),
		"nobody":   opUser("nobody", "nobody@acme.test", true),
		"stranger": opUser("stranger", "stranger@acme.test", true),
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	router := exampleop.SetupServer(issuer, opstorage.NewStorage(users), quiet, false)
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return issuer
}

// browser follows the provider's redirects and fills its login form as user, stopping when
// a response is not a redirect or leaves for stopAt (returned unfollowed).
type browser struct {
	client *http.Client
}

func newBrowser(t *testing.T, stopAt string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{client: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if stopAt != "" && strings.HasPrefix(req.URL.String(), stopAt) {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
}

// signIn opens start (a URL that redirects to the provider), logs in as user and returns
// the last response.
func (b *browser) signIn(t *testing.T, start, user string) *http.Response {
	t.Helper()
	resp, err := b.client.Get(start)
	if err != nil {
		t.Fatalf("open %s: %v", start, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/login/username") {
		return resp
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	form := url.Values{"id": {id}, "username": {user}, "password": {opPassword}}
	loginURL := resp.Request.URL.ResolveReference(&url.URL{Path: "/login/username"})
	resp2, err := b.client.PostForm(loginURL.String(), form)
	if err != nil {
		t.Fatalf("log in as %s: %v", user, err)
	}
	resp2.Body.Close()
	return resp2
}

type oidcEnv struct {
	srv     *httptest.Server
	st      *store.Store
	company int64
	owner   string
	issuer  string
	// capture is a registered redirect URI the tests stop at to take the code themselves.
	capture *httptest.Server
}

func newOIDCEnv(t *testing.T) *oidcEnv {
	t.Helper()
	ctx := context.Background()
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	company, owner, err := st.CreateCompany(ctx, "Acme", "Olive Owner")
	if err != nil {
		t.Fatal(err)
	}
	env := &oidcEnv{st: st, company: company, owner: owner}
	env.srv = httptest.NewServer(NewHandler(Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Secrets: box}))
	t.Cleanup(env.srv.Close)
	env.capture = httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(env.capture.Close)
	env.issuer = startProvider(t, env.srv.URL+callbackPath, env.capture.URL+"/cb")

	access := env.access(owner)
	_, err = access.SetSignInSettings(ctx, connect.NewRequest(&v1.SetSignInSettingsRequest{
		Settings: &v1.SignInSettings{
			IssuerUrl: env.issuer, ClientId: "web", AllowedEmailDomains: []string{"acme.test"}, DisplayName: "Acme SSO",
			RoleClaim: "preferred_username", RoleMapping: map[string]string{"olive": "owner", "victor": "viewer", "ursula": "admin", "frank": "admin", "stranger": "admin"},
		},
		ClientSecret: "secret",
	}))
	if err != nil {
		t.Fatalf("set sign-in settings: %v", err)
	}
	for _, a := range []struct{ name, email string }{{"Olive Owner", "olive@acme.test"}, {"Victor Viewer", "victor@acme.test"}, {"Ursula", "ursula@acme.test"}, {"Frank", "frank@elsewhere.test"}, {"Nobody", "nobody@acme.test"}} {
		if _, err := access.CreateAdmin(ctx, connect.NewRequest(&v1.CreateAdminRequest{Name: a.name, Email: a.email, Role: "owner"})); err != nil {
			t.Fatalf("create admin %s: %v", a.name, err)
		}
	}
	return env
}

func (e *oidcEnv) access(token string) staffsyncv1connect.AccessServiceClient {
	return staffsyncv1connect.NewAccessServiceClient(e.srv.Client(), e.srv.URL, withBearer(token))
}

func (e *oidcEnv) startURL() string {
	return e.srv.URL + "/auth/oidc/start?company=Acme&return_to=/imports"
}

// cookieCall calls WhoAmI or ApproveImport with the browser's cookies and the CSRF header.
func cookieClient(b *browser, csrf string) connect.ClientOption {
	return connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if csrf != "" {
				req.Header().Set(csrfHeader, csrf)
			}
			return next(ctx, req)
		}
	}))
}

func csrfOf(t *testing.T, b *browser, base string) string {
	u, _ := url.Parse(base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == csrfCookie {
			return c.Value
		}
	}
	return ""
}

func TestSignInThroughTheProvider(t *testing.T) {
	env := newOIDCEnv(t)
	ctx := context.Background()

	// Olive's group maps to owner, Victor's to viewer; both land on the page they asked for.
	for _, tc := range []struct{ user, name, role string }{{"olive", "Olive Owner", "owner"}, {"victor", "Victor Viewer", "viewer"}} {
		t.Run(tc.user, func(t *testing.T) {
			b := newBrowser(t, "")
			resp := b.signIn(t, env.startURL(), tc.user)
			if resp.Request.URL.Path != "/imports" {
				t.Fatalf("signed in as %s, ended at %s", tc.user, resp.Request.URL)
			}
			var session *http.Cookie
			u, _ := url.Parse(env.srv.URL)
			for _, c := range b.client.Jar.Cookies(u) {
				if c.Name == sessionCookie {
					session = c
				}
			}
			if session == nil {
				t.Fatal("no session cookie")
			}
			csrf := csrfOf(t, b, env.srv.URL)
			cl := staffsyncv1connect.NewAccessServiceClient(b.client, env.srv.URL, cookieClient(b, csrf))
			who, err := cl.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
			if err != nil || who.Msg.Name != tc.name || who.Msg.Role != tc.role || who.Msg.TokenName != "" {
				t.Fatalf("whoami: %+v, %v", who, err)
			}
			// Without the CSRF header the cookie alone does nothing: another site could send it.
			bare := staffsyncv1connect.NewAccessServiceClient(b.client, env.srv.URL)
			if _, err := bare.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{})); connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Fatalf("cookie without CSRF header: %v", err)
			}
			imports := staffsyncv1connect.NewImportServiceClient(b.client, env.srv.URL, cookieClient(b, csrf))
			_, err = imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: "1"}))
			if denied := connect.CodeOf(err) == connect.CodePermissionDenied; denied != (tc.role == "viewer") {
				t.Fatalf("approve as %s: %v", tc.role, err)
			}
			// Sign out ends the session on the server, not just in this browser.
			req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/auth/signout", nil)
			req.Header.Set(csrfHeader, csrf)
			out, err := b.client.Do(req)
			if err != nil || out.StatusCode != http.StatusNoContent {
				t.Fatalf("sign out: %v %v", out, err)
			}
			out.Body.Close()
			replay := &http.Client{}
			replayReq := connect.NewRequest(&v1.WhoAmIRequest{})
			replayReq.Header().Set("Cookie", sessionCookie+"="+session.Value)
			replayReq.Header().Set(csrfHeader, csrf)
			if _, err := staffsyncv1connect.NewAccessServiceClient(replay, env.srv.URL).WhoAmI(ctx, replayReq); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("the session cookie works after sign-out: %v", err)
			}
		})
	}

	// Refused: unverified email, a domain the company does not allow, a person without an
	// admin account, and a claim value that maps to no role.
	for _, tc := range []struct{ user, want string }{
		{"ursula", "not verified"},
		{"frank", "not in an email domain allowed"},
		{"stranger", "no admin account"},
		{"nobody", "gives a staffsync role"},
	} {
		t.Run("refuses "+tc.user, func(t *testing.T) {
			b := newBrowser(t, "")
			resp := b.signIn(t, env.startURL(), tc.user)
			if resp.Request.URL.Path != "/signin" || !strings.Contains(resp.Request.URL.Query().Get("error"), tc.want) {
				t.Fatalf("%s ended at %s, want /signin with %q", tc.user, resp.Request.URL, tc.want)
			}
			u, _ := url.Parse(env.srv.URL)
			for _, c := range b.client.Jar.Cookies(u) {
				if c.Name == sessionCookie {
					t.Fatalf("%s got a session", tc.user)
				}
			}
		})
	}

	events, err := env.st.ListAudit(ctx, env.company, store.AuditFilter{Action: "Console.Sign"})
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, e := range events {
		summary = append(summary, e.Action+" "+e.Actor+" "+e.Outcome)
	}
	got := strings.Join(summary, "\n")
	for _, want := range []string{"Console.SignIn Olive Owner ok", "Console.SignOut Victor Viewer ok", "Console.SignIn ursula@acme.test refused"} {
		if !strings.Contains(got, want) && !strings.Contains(got, strings.Replace(want, "ursula@acme.test", "unknown person", 1)) {
			t.Errorf("audit lacks %q:\n%s", want, got)
		}
	}
}

// rawIDToken gets a real ID token from the provider for client, through the capture
// redirect, with the given nonce.
func (e *oidcEnv) rawIDToken(t *testing.T, client, user, nonce string) string {
	t.Helper()
	oc := &oauth2.Config{ClientID: client, ClientSecret: "secret", RedirectURL: e.capture.URL + "/cb",
		Endpoint: oauth2.Endpoint{AuthURL: e.issuer + "auth", TokenURL: e.issuer + "oauth/token"}, Scopes: []string{"openid", "email"}}
	verifier := oauth2.GenerateVerifier()
	b := newBrowser(t, e.capture.URL)
	resp := b.signIn(t, oc.AuthCodeURL("s", oauth2.SetAuthURLParam("nonce", nonce), oauth2.S256ChallengeOption(verifier)), user)
	back, err := resp.Location()
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("the provider did not redirect with a code: %v %v", resp.Status, err)
	}
	q := back.Query()
	tok, err := oc.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	return raw
}

func TestIDTokenChecksRefuseTokensNotForThisSignIn(t *testing.T) {
	env := newOIDCEnv(t)
	ctx := context.Background()
	h := &oidcHandler{store: env.st, log: slog.Default(), now: time.Now, providers: map[string]cachedProvider{}}
	p, err := h.provider(ctx, env.issuer)
	if err != nil {
		t.Fatal(err)
	}
	good := env.rawIDToken(t, "web", "olive", "n-1")
	if _, err := h.verifyIDToken(ctx, p, "web", good, "n-1"); err != nil {
		t.Fatalf("a good token is refused: %v", err)
	}
	forAPI := env.rawIDToken(t, "api", "olive", "n-2")
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	// Another base64url letter at the same place: still a well-formed JWT, a wrong signature.
	if sig[5] == 'A' {
		sig[5] = 'B'
	} else {
		sig[5] = 'A'
	}
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	later := &oidcHandler{now: func() time.Time { return time.Now().Add(3 * time.Hour) }}
	for _, tc := range []struct {
		name, raw, nonce, want string
		h                      *oidcHandler
	}{
		{"wrong audience", forAPI, "n-2", "audience", h},
		{"wrong nonce", good, "n-other", "nonce", h},
		{"bad signature", tampered, "n-1", "signature", h},
		{"expired", good, "n-1", "expired", later},
		{"no token", "", "n-1", "no ID token", h},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.h.verifyIDToken(ctx, p, "web", tc.raw, tc.nonce)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %s", err, tc.want)
			}
		})
	}
}

func TestGroupClaimsMapToTheHighestRole(t *testing.T) {
	cfg := store.OIDCConfig{AllowedDomains: []string{"acme.test"}, RoleClaim: "groups",
		RoleMapping: map[string]store.Role{"hr-admins": store.RoleAdmin, "hr-readers": store.RoleViewer, "it-owners": store.RoleOwner}}
	base := func(groups any) map[string]any {
		return map[string]any{"email": "a@acme.test", "email_verified": true, "groups": groups}
	}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   store.Role
		err    string
	}{
		{"one group", base([]any{"hr-readers"}), store.RoleViewer, ""},
		{"highest wins", base([]any{"hr-readers", "staff", "hr-admins"}), store.RoleAdmin, ""},
		{"owner", base([]any{"it-owners", "hr-readers"}), store.RoleOwner, ""},
		{"single string", base("hr-admins"), store.RoleAdmin, ""},
		{"unmapped groups", base([]any{"staff"}), "", "gives a staffsync role"},
		{"no groups", map[string]any{"email": "a@acme.test", "email_verified": true}, "", "gives a staffsync role"},
		{"unverified", map[string]any{"email": "a@acme.test", "email_verified": false, "groups": []any{"it-owners"}}, "", "not verified"},
		{"foreign domain", map[string]any{"email": "a@acme.test.evil", "email_verified": true, "groups": []any{"it-owners"}}, "", "not in an email domain"},
		{"subdomain is another domain", map[string]any{"email": "a@x.acme.test", "email_verified": true, "groups": []any{"it-owners"}}, "", "not in an email domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, role, err := admitIdentity(cfg, tc.claims)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, %v; want error %q", role, err, tc.err)
				}
				return
			}
			if err != nil || role != tc.want {
				t.Fatalf("got %v, %v; want %v", role, err, tc.want)
			}
		})
	}
}

func TestSignInSettingsNeverReturnTheSecret(t *testing.T) {
	env := newOIDCEnv(t)
	got, err := env.access(env.owner).GetSignInSettings(context.Background(), connect.NewRequest(&v1.GetSignInSettingsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Msg.Settings.ClientSecretHint != "set" && !strings.HasPrefix(got.Msg.Settings.ClientSecretHint, "set") {
		t.Errorf("hint %q", got.Msg.Settings.ClientSecretHint)
	}
	if strings.Contains(got.Msg.String(), "secret\"") {
		t.Errorf("settings answer holds the secret: %v", got.Msg)
	}
	events, _ := env.st.ListAudit(context.Background(), env.company, store.AuditFilter{Action: "SetSignInSettings"})
	if len(events) != 1 || !strings.Contains(string(events[0].Detail), `"client_secret": "(set)"`) {
		t.Errorf("audit of the settings change: %+v", events)
	}
}
