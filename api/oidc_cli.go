package api

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/store"
)

// `staffsyncctl login` signs in through the browser like the console, but the end of the
// sign-in goes to the CLI's loopback listener with a one-time code instead of a cookie; the
// CLI swaps the code and its PKCE verifier for a 12-hour API token at POST /auth/cli/token.

var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// cliLoginParams reads cli_redirect and cli_challenge of /auth/oidc/start; both or neither.
// The redirect must be plain http on a loopback address with a port (RFC 8252 section 7.3),
// so a code can never be sent to another machine.
func cliLoginParams(q url.Values) (redirect, challenge string, err error) {
	redirect, challenge = q.Get("cli_redirect"), q.Get("cli_challenge")
	if redirect == "" && challenge == "" {
		return "", "", nil
	}
	u, perr := url.Parse(redirect)
	if perr != nil || u.Scheme != "http" || u.Port() == "" || !isLoopback(u.Hostname()) || u.User != nil || len(redirect) > 300 {
		return "", "", directory.Errorf(directory.ErrInvalid, "cli_redirect must be http://127.0.0.1:PORT/...")
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && ip == nil {
		return "", "", directory.Errorf(directory.ErrInvalid, "cli_redirect must be http://127.0.0.1:PORT/...")
	}
	if !pkceChallenge.MatchString(challenge) {
		return "", "", directory.Errorf(directory.ErrInvalid, "cli_challenge must be the S256 challenge of the CLI's verifier")
	}
	return redirect, challenge, nil
}

// finishCLI sends the one-time code to the CLI's loopback listener.
func (h *oidcHandler) finishCLI(w http.ResponseWriter, r *http.Request, login store.OIDCLogin, admin store.Admin, role store.Role) {
	code, err := h.store.CreateCLICode(r.Context(), admin.ID, role, login.CLIChallenge)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	target, _ := url.Parse(login.CLIRedirect)
	q := target.Query()
	q.Set("code", code)
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// cliToken answers POST /auth/cli/token {"code": ..., "verifier": ...} with
// {"token", "expires_at", "role", "name"}.
func (h *oidcHandler) cliToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code     string `json:"code"`
		Verifier string `json:"verifier"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Code == "" || len(in.Verifier) < 43 || len(in.Verifier) > 128 {
		http.Error(w, `send {"code": ..., "verifier": ...}`, http.StatusBadRequest)
		return
	}
	tok, secret, err := h.store.RedeemCLICode(r.Context(), in.Code, in.Verifier)
	switch {
	case errors.Is(err, directory.ErrNotFound), errors.Is(err, directory.ErrPermission):
		http.Error(w, directory.PublicMessage(err), http.StatusUnauthorized)
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "CLI sign-in failed", "error", err)
		http.Error(w, "cannot finish the sign-in right now; try again", http.StatusServiceUnavailable)
		return
	}
	company, _ := h.store.AdminCompany(r.Context(), tok.AdminID)
	h.audit.recordEvent(r.Context(), store.Principal{CompanyID: company, AdminID: tok.AdminID, AdminName: tok.AdminName, Role: tok.Role},
		"Console.CLISignIn", r.RemoteAddr, "token_id="+strconv.FormatInt(tok.ID, 10), "ok", nil)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"token": secret, "expires_at": tok.ExpiresAt.UTC().Format(time.RFC3339), "role": string(tok.Role), "name": tok.AdminName,
	})
}
