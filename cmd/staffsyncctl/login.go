package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// `staffsyncctl login` signs in through the company's identity provider in the browser and
// keeps a 12-hour API token in the user's config directory; `logout` forgets it.

func init() {
	commands = append(commands,
		command{name: "login", args: "--company NAME|ID [--no-browser]", summary: "sign in through your company's identity provider (keeps a 12-hour token)", flags: loginFlags},
		command{name: "logout", args: "", summary: "forget the token of `staffsyncctl login`", flags: logoutFlags},
	)
}

// loginSession is what login keeps, for one API address.
type loginSession struct {
	Addr      string `json:"addr"`
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
	Name      string `json:"name"`
	Role      string `json:"role"`
}

// configDir is STAFFSYNC_CONFIG_DIR, or staffsync under XDG_CONFIG_HOME or ~/.config; "" when
// none is known.
func configDir(env func(string) string) string {
	if d := env("STAFFSYNC_CONFIG_DIR"); d != "" {
		return d
	}
	if d := env("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "staffsync")
	}
	if h := env("HOME"); h != "" {
		return filepath.Join(h, ".config", "staffsync")
	}
	return ""
}

func sessionFile(env func(string) string) string {
	d := configDir(env)
	if d == "" {
		return ""
	}
	return filepath.Join(d, "session.json")
}

// loginToken returns the kept token for addr while it is valid, else "".
func loginToken(env func(string) string, addr string, now time.Time) string {
	path := sessionFile(env)
	if path == "" {
		return ""
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var s loginSession
	if json.Unmarshal(raw, &s) != nil || s.Addr != addr {
		return ""
	}
	if exp, err := time.Parse(time.RFC3339, s.ExpiresAt); err != nil || !now.Before(exp) {
		return ""
	}
	return s.Token
}

// credential picks --token, STAFFSYNC_TOKEN, the token of `staffsyncctl login` for this
// address, then the dev stack's token file.
func (a *app) credential() (string, error) {
	if strings.TrimSpace(a.global.token) == "" && strings.TrimSpace(a.env("STAFFSYNC_TOKEN")) == "" {
		if t := loginToken(a.env, baseURL(a.global.addr), time.Now()); t != "" {
			return t, nil
		}
	}
	wd, _ := os.Getwd()
	return resolveToken(a.global.token, a.env, wd)
}

// openBrowser opens url in the user's browser; tests replace it.
var openBrowser = func(url string) error {
	return exec.Command("xdg-open", url).Start()
}

func pkcePair() (verifier, challenge string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	verifier = base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

func loginFlags(fs *flag.FlagSet) commandFunc {
	company := fs.String("company", "", "your company's name or id (required)")
	noBrowser := fs.Bool("no-browser", false, "only print the sign-in URL")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the browser")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		if strings.TrimSpace(*company) == "" {
			return usagef(a.cmd, "--company is required")
		}
		path := sessionFile(a.env)
		if path == "" {
			return errors.New("no config directory: set HOME, XDG_CONFIG_HOME or STAFFSYNC_CONFIG_DIR")
		}
		verifier, challenge, err := pkcePair()
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("listen for the browser on 127.0.0.1: %w", err)
		}
		defer ln.Close()
		redirect := fmt.Sprintf("http://%s/callback", ln.Addr())
		codes := make(chan string, 1)
		srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			code := r.URL.Query().Get("code")
			if r.URL.Path != "/callback" || code == "" {
				http.NotFound(w, r)
				return
			}
			_, _ = io.WriteString(w, "Signed in to staffsync. You can close this tab and return to the terminal.\n")
			select {
			case codes <- code:
			default:
			}
		})}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()

		api := baseURL(a.global.addr)
		start := api + "/auth/oidc/start?" + url.Values{"company": {*company}, "cli_redirect": {redirect}, "cli_challenge": {challenge}}.Encode()
		fmt.Fprintf(a.stderr, "Sign in in your browser:\n  %s\n", start)
		if !*noBrowser {
			_ = openBrowser(start)
		}
		var code string
		select {
		case code = <-codes:
		case <-time.After(*timeout):
			return fmt.Errorf("no sign-in within %v; run staffsyncctl login again", *timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
		body, _ := json.Marshal(map[string]string{"code": code, "verifier": verifier})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/auth/cli/token", strings.NewReader(string(body)))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("finish the sign-in: %w", err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("finish the sign-in: %s", strings.TrimSpace(string(answer)))
		}
		var got loginSession
		if err := json.Unmarshal(answer, &got); err != nil || got.Token == "" {
			return fmt.Errorf("finish the sign-in: unexpected answer (%v)", err)
		}
		got.Addr = api
		kept, _ := json.MarshalIndent(got, "", "  ")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		// Written whole and private: the token is a credential.
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, kept, 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "signed in as %s (%s) until %s; the token is in %s\n", got.Name, got.Role, got.ExpiresAt, path)
		return nil
	}
}

func logoutFlags(_ *flag.FlagSet) commandFunc {
	return func(_ context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		path := sessionFile(a.env)
		if path == "" {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		fmt.Fprintln(a.stdout, "signed out: the login token is forgotten (it expires by itself within 12 hours)")
		return nil
	}
}
