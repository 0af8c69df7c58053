package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
)

// Console sign-in through the company's OpenID Provider (authorization code flow with PKCE,
// github.com/coreos/go-oidc for discovery and ID-token checks). Paths:
//
//	GET  /auth/oidc/provider?company=ID|NAME  {"display_name": ...} for the sign-in button
//	GET  /auth/oidc/start?company=ID|NAME[&return_to=/path]  redirect to the provider
//	GET  /auth/oidc/callback  the provider's redirect back; starts a session
//	POST /auth/signout  ends the session (needs the X-CSRF-Token header)
const (
	sessionCookie = "staffsync_session"
	csrfCookie    = "staffsync_csrf"
	csrfHeader    = "X-CSRF-Token"
	loginTTL      = 10 * time.Minute
	callbackPath  = "/auth/oidc/callback"
)

type oidcHandler struct {
	store   *store.Store
	log     *slog.Logger
	secrets func() (*secrets.Box, error)
	audit   *authInterceptor
	// publicURL is the console's address as browsers reach it; "" derives it from the request.
	publicURL string
	// now is the clock ID tokens are checked against (tests move it to expire tokens).
	now func() time.Time

	mu        sync.Mutex
	providers map[string]cachedProvider
}

type cachedProvider struct {
	provider *oidc.Provider
	fetched  time.Time
}

// providerTTL is how long a provider's discovery document is reused; its signing keys are
// refreshed by go-oidc itself when an unknown key id appears.
const providerTTL = time.Hour

func (h *oidcHandler) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	h.mu.Lock()
	c, ok := h.providers[issuer]
	h.mu.Unlock()
	if ok && time.Since(c.fetched) < providerTTL {
		return c.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, directory.Errorf(directory.ErrUnavailable, "cannot reach the identity provider at %s: %v", issuer, err)
	}
	h.mu.Lock()
	h.providers[issuer] = cachedProvider{provider: p, fetched: time.Now()}
	h.mu.Unlock()
	return p, nil
}

func (h *oidcHandler) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /auth/oidc/provider", h.describe)
	mux.HandleFunc("GET /auth/oidc/start", h.start)
	mux.HandleFunc("GET "+callbackPath, h.callback)
	mux.HandleFunc("POST /auth/signout", h.signOut)
	mux.HandleFunc("POST /auth/cli/token", h.cliToken)
}

func (h *oidcHandler) baseURL(r *http.Request) string {
	if h.publicURL != "" {
		return strings.TrimRight(h.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *oidcHandler) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(h.publicURL, "https://")
}

func (h *oidcHandler) companyOf(ctx context.Context, r *http.Request) (int64, error) {
	q := strings.TrimSpace(r.URL.Query().Get("company"))
	if q == "" || len(q) > 200 {
		return 0, directory.Errorf(directory.ErrInvalid, "say which company to sign in to (company=ID or name)")
	}
	if id, err := strconv.ParseInt(q, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	return h.store.CompanyByName(ctx, q)
}

func (h *oidcHandler) oauthConfig(r *http.Request, cfg store.OIDCConfig, p *oidc.Provider, secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: cfg.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(),
		RedirectURL: h.baseURL(r) + callbackPath,
		Scopes:      []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

func (h *oidcHandler) describe(w http.ResponseWriter, r *http.Request) {
	company, err := h.companyOf(r.Context(), r)
	if err == nil {
		var cfg store.OIDCConfig
		if cfg, err = h.store.GetOIDCConfig(r.Context(), company); err == nil {
			name := cfg.DisplayName
			if name == "" {
				name = "your identity provider"
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"display_name": name, "company_id": strconv.FormatInt(company, 10)})
			return
		}
	}
	http.Error(w, "no identity provider for this company", http.StatusNotFound)
}

func randomString() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// localPath keeps return_to on this site: a path, never "//host" or a URL.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || len(p) > 500 {
		return "/"
	}
	return p
}

func (h *oidcHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	msg := directory.PublicMessage(err)
	if msg == "" {
		h.log.ErrorContext(r.Context(), "sign-in failed", "error", err)
		msg = "sign-in failed; the details are in the server log"
	}
	http.Redirect(w, r, "/signin?error="+url.QueryEscape(msg), http.StatusFound)
}

func (h *oidcHandler) start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	company, err := h.companyOf(ctx, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cfg, err := h.store.GetOIDCConfig(ctx, company)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.provider(ctx, cfg.IssuerURL)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	state, err1 := randomString()
	nonce, err2 := randomString()
	if err := errors.Join(err1, err2); err != nil {
		h.fail(w, r, err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	login := store.OIDCLogin{CompanyID: company, Nonce: nonce, CodeVerifier: verifier, ReturnTo: localPath(r.URL.Query().Get("return_to"))}
	if login.CLIRedirect, login.CLIChallenge, err = cliLoginParams(r.URL.Query()); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.store.StartOIDCLogin(ctx, state, login, loginTTL); err != nil {
		h.fail(w, r, err)
		return
	}
	target := h.oauthConfig(r, cfg, p, "").AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, target, http.StatusFound)
}

// callback finishes a sign-in: the state must be one this server issued (single use, 10
// minutes), the code is exchanged with the PKCE verifier, and the ID token checked.
func (h *oidcHandler) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		h.fail(w, r, directory.Errorf(directory.ErrInvalid, "the identity provider refused the sign-in: %.200s %.200s", e, q.Get("error_description")))
		return
	}
	state, code := q.Get("state"), q.Get("code")
	if state == "" || code == "" || len(state) > 200 || len(code) > 4096 {
		h.fail(w, r, directory.Errorf(directory.ErrInvalid, "the identity provider's answer has no state or code; start again"))
		return
	}
	login, err := h.store.TakeOIDCLogin(ctx, state)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	admin, role, err := h.finish(ctx, r, login, code)
	p := store.Principal{CompanyID: login.CompanyID, AdminID: admin.ID, AdminName: admin.Name, Role: role}
	if err != nil {
		if p.AdminName == "" {
			p.AdminName = "unknown person"
		}
		h.audit.recordEvent(ctx, p, "Console.SignIn", r.RemoteAddr, "", "refused", map[string]string{"reason": directory.PublicMessage(err)})
		h.fail(w, r, err)
		return
	}
	if login.CLIRedirect != "" {
		h.audit.recordEvent(ctx, p, "Console.SignIn", r.RemoteAddr, "admin_id="+strconv.FormatInt(admin.ID, 10), "ok", map[string]string{"email": admin.Email, "client": "staffsyncctl"})
		h.finishCLI(w, r, login, admin, role)
		return
	}
	token, csrf, err := h.store.CreateSession(ctx, admin.ID, role, store.SessionAbsolute)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.audit.recordEvent(ctx, p, "Console.SignIn", r.RemoteAddr, "admin_id="+strconv.FormatInt(admin.ID, 10), "ok", map[string]string{"email": admin.Email})
	secure := h.secure(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int(store.SessionAbsolute.Seconds())})
	// The console reads this one and sends it back in X-CSRF-Token: another site can make the
	// browser send cookies, but cannot read them to set the header.
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: int(store.SessionAbsolute.Seconds())})
	http.Redirect(w, r, login.ReturnTo, http.StatusFound)
}

func (h *oidcHandler) finish(ctx context.Context, r *http.Request, login store.OIDCLogin, code string) (store.Admin, store.Role, error) {
	cfg, err := h.store.GetOIDCConfig(ctx, login.CompanyID)
	if err != nil {
		return store.Admin{}, "", err
	}
	secret, err := h.clientSecret(cfg)
	if err != nil {
		return store.Admin{}, "", err
	}
	p, err := h.provider(ctx, cfg.IssuerURL)
	if err != nil {
		return store.Admin{}, "", err
	}
	oc := h.oauthConfig(r, cfg, p, secret)
	exchangeCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, err := oc.Exchange(exchangeCtx, code, oauth2.VerifierOption(login.CodeVerifier))
	if err != nil {
		return store.Admin{}, "", directory.Errorf(directory.ErrPermission, "the identity provider did not accept the sign-in code: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	claims, err := h.verifyIDToken(ctx, p, cfg.ClientID, raw, login.Nonce)
	if err != nil {
		return store.Admin{}, "", err
	}
	if _, ok := claims["email"]; !ok && p.UserInfoEndpoint() != "" {
		// Some providers put the email only in userinfo; its subject must be the token's.
		ui, err := p.UserInfo(exchangeCtx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return store.Admin{}, "", directory.Errorf(directory.ErrUnavailable, "cannot read your profile from the identity provider: %v", err)
		}
		var extra map[string]any
		if err := ui.Claims(&extra); err != nil {
			return store.Admin{}, "", fmt.Errorf("decode userinfo: %w", err)
		}
		if ui.Subject != claims["sub"] {
			return store.Admin{}, "", directory.Errorf(directory.ErrPermission, "the identity provider's profile is of another subject")
		}
		for k, v := range extra {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
	}
	email, mapped, err := admitIdentity(cfg, claims)
	if err != nil {
		return store.Admin{}, "", err
	}
	admin, err := h.store.AdminByEmail(ctx, cfg.CompanyID, email)
	if err != nil {
		return store.Admin{Email: email, Name: email}, "", err
	}
	role := admin.Role
	if mapped != "" {
		role = mapped
	}
	return admin, role, nil
}

func (h *oidcHandler) clientSecret(cfg store.OIDCConfig) (string, error) {
	if len(cfg.SecretSealed) == 0 {
		return "", nil
	}
	box, err := h.secrets()
	if err != nil {
		return "", err
	}
	plain, err := box.Open(cfg.SecretSealed, store.OIDCSecretAAD(cfg.CompanyID))
	if err != nil {
		return "", fmt.Errorf("open the client secret: %w", err)
	}
	return string(plain), nil
}

// verifyIDToken checks issuer, audience (our client id), signature against the provider's
// published keys, expiry and the nonce of this sign-in, and returns the token's claims.
func (h *oidcHandler) verifyIDToken(ctx context.Context, p *oidc.Provider, clientID, raw, nonce string) (map[string]any, error) {
	if raw == "" {
		return nil, directory.Errorf(directory.ErrPermission, "the identity provider sent no ID token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: clientID, Now: h.now}).Verify(ctx, raw)
	if err != nil {
		return nil, directory.Errorf(directory.ErrPermission, "the ID token is not valid for staffsync: %v", err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, directory.Errorf(directory.ErrPermission, "the ID token was issued for another sign-in (nonce mismatch); start again")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("decode ID token claims: %w", err)
	}
	return claims, nil
}

// admitIdentity decides whether the claims may sign in: a verified email in an allowed
// domain, and, when the company maps a claim to roles, a value that maps to one (the
// highest wins). It returns the email and the mapped role ("" when roles are not mapped).
func admitIdentity(cfg store.OIDCConfig, claims map[string]any) (string, store.Role, error) {
	email, _ := claims["email"].(string)
	email = strings.TrimSpace(email)
	if email == "" {
		return "", "", directory.Errorf(directory.ErrPermission, "the identity provider did not say your email; ask your IT team to release the email claim")
	}
	verified := false
	switch v := claims["email_verified"].(type) {
	case bool:
		verified = v
	case string:
		verified = v == "true"
	}
	if !verified {
		return "", "", directory.Errorf(directory.ErrPermission, "your email %s is not verified at the identity provider", email)
	}
	at := strings.LastIndex(email, "@")
	domain := strings.ToLower(email[at+1:])
	allowed := false
	for _, d := range cfg.AllowedDomains {
		if at > 0 && strings.EqualFold(d, domain) {
			allowed = true
		}
	}
	if !allowed {
		return "", "", directory.Errorf(directory.ErrPermission, "%s is not in an email domain allowed to sign in to this company", email)
	}
	if cfg.RoleClaim == "" {
		return email, "", nil
	}
	var values []string
	switch v := claims[cfg.RoleClaim].(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	var best store.Role
	for _, v := range values {
		if r, ok := cfg.RoleMapping[v]; ok && r.Rank() > best.Rank() {
			best = r
		}
	}
	if best == "" {
		return "", "", directory.Errorf(directory.ErrPermission, "none of your %q values gives a staffsync role; ask an owner to map one", cfg.RoleClaim)
	}
	return email, best, nil
}

// signOut ends the session of the cookie. It needs the CSRF header like every other change,
// so another site cannot sign the admin out.
func (h *oidcHandler) signOut(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		p, perr := h.store.SessionPrincipal(r.Context(), c.Value, r.Header.Get(csrfHeader), true, store.SessionIdle)
		if errors.Is(perr, directory.ErrPermission) {
			http.Error(w, directory.PublicMessage(perr), http.StatusForbidden)
			return
		}
		if perr == nil {
			if err := h.store.EndSession(r.Context(), c.Value); err != nil {
				http.Error(w, "cannot sign out right now; try again", http.StatusServiceUnavailable)
				return
			}
			h.audit.recordEvent(r.Context(), p, "Console.SignOut", r.RemoteAddr, "", "ok", nil)
		}
	}
	secure := h.secure(r)
	for _, name := range []string{sessionCookie, csrfCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, Secure: secure, SameSite: http.SameSiteLaxMode})
	}
	w.WriteHeader(http.StatusNoContent)
}
