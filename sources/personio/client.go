// Package personio reads people from Personio's v1 personnel API (docs/hris-wire.md) and
// turns them into directory records.
package personio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// DefaultBaseURL is Personio's API host.
const DefaultBaseURL = "https://api.personio.de"

// PageSize is the most employees Personio returns per page (its maximum limit since the
// pagination enforcement of 2025; a smaller page is handled too).
const PageSize = 100

// Answer limits: a page of 100 employees with the attributes a sync asks for is some
// 200 KiB, so a page above MaxPageBytes is not an employee list; all pages together may
// not exceed pageSlack plus bytesPerEmployee for each employee Personio says it has.
const (
	MaxPageBytes     = 8 << 20
	pageSlack        = 8 << 20
	bytesPerEmployee = 16 << 10
	maxEmployees     = 1_000_000
	// maxTokenAge: Personio's token lives 24 h from its first issue for the credentials,
	// whatever expires_in says, so a cached one is asked for again after an hour (Personio
	// answers with the same token while it is valid) and renewed whenever it is refused.
	maxTokenAge = time.Hour
	// maxTokenAnswerBytes bounds /v1/auth's answer: a token and two short fields.
	maxTokenAnswerBytes = 64 << 10
)

// Config says which Personio account to read and how.
type Config struct {
	// ClientID and ClientSecret are the API credentials from Personio's settings
	// (Integrations > API credentials); their readable attributes decide what the sync sees.
	ClientID     string
	ClientSecret string
	// BaseURL replaces DefaultBaseURL (tests); paths /v1/auth and /v1/company/employees follow it.
	BaseURL string
	// HTTPClient defaults to a client with a 2-minute timeout.
	HTTPClient *http.Client
	// RetryLimits bound the waiting for rate limits (sources.RetryLimits has the defaults).
	sources.RetryLimits
}

// Client reads one Personio account. It is safe for concurrent use; the token is shared.
type Client struct {
	cfg   Config
	http  *http.Client
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
	sources.FetchOutcome

	mu          sync.Mutex
	token       string
	tokenExpiry time.Time
	tokenTTL    time.Duration
	lastToken   atomic.Value // string: the newest token, for redaction without c.mu
}

var _ sources.RecordSource = (*Client)(nil)
var _ sources.SkipReporter = (*Client)(nil)
var _ sources.WarningReporter = (*Client)(nil)
var _ sources.AccessReporter = (*Client)(nil)

// New returns a client for cfg; it does not contact Personio.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.RetryLimits = cfg.RetryLimits.WithDefaults()
	// Redirects are never followed: they would carry the token to wherever they point.
	return &Client{cfg: cfg, http: sources.NoRedirects(cfg.HTTPClient), sleep: sources.SleepContext, now: time.Now}
}

// fetchPage asks for one page of employees: limit records from offset, only the attributes
// named (nil: all). It renews the token once when Personio refuses it (401, or 403 as
// Personio answers for an expired token) and waits out rate limits within budget. It
// returns the page and how many bytes it took.
func (c *Client) fetchPage(ctx context.Context, limit, offset int, attributes []string, budget *sources.RetryBudget) (*employeesPage, int, error) {
	query := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
	if len(attributes) > 0 {
		query["attributes[]"] = attributes
	}
	target := c.cfg.BaseURL + "/v1/company/employees?" + query.Encode()
	renewed := false
	for attempt := 1; ; attempt++ {
		token, err := c.currentToken(ctx, budget)
		if err != nil {
			return nil, 0, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return nil, 0, fmt.Errorf("personio: build request: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("User-Agent", "staffsync")
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, 0, ctx.Err()
			}
			return nil, 0, fmt.Errorf("Personio cannot be reached: %w", c.redactErr(err))
		}
		data, readErr := c.readBody(resp, MaxPageBytes, "a page of Personio employees")
		switch {
		case resp.StatusCode == http.StatusOK:
			if readErr != nil {
				return nil, 0, fmt.Errorf("Personio: reading the employees failed: %w", c.redactErr(readErr))
			}
			c.adoptToken(resp.Header, token)
			var page employeesPage
			if err := json.Unmarshal(data, &page); err != nil {
				return nil, 0, fmt.Errorf("Personio answered with something that is not a JSON list of employees: %w", err)
			}
			return &page, len(data), nil
		case (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) && !renewed:
			// Personio refuses an expired token with 403 as well as 401, and a cached token
			// may be older than expires_in said: get a new one and ask again, once.
			c.dropToken(token)
			renewed = true
			attempt--
			continue
		case resp.StatusCode == http.StatusUnauthorized:
			return nil, 0, authError(c.vendorMessage("Personio rejected the API credentials (401)", data) +
				"; a new token was refused too: check the client id and secret of the integration")
		case resp.StatusCode == http.StatusForbidden:
			return nil, 0, authError(c.vendorMessage("Personio refused access to the employees (403)", data) +
				"; a new token was refused too: allow the API credentials to read employees in Personio (Integrations > API credentials)")
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			what := fmt.Sprintf("Personio had a server error (%d)", resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				what = "Personio is rate limiting the sync (429)"
			}
			if err := c.backoff(ctx, attempt, resp.Header, budget, errors.New(c.vendorMessage(what, data))); err != nil {
				return nil, 0, err
			}
		default:
			return nil, 0, errors.New(c.vendorMessage(fmt.Sprintf("Personio refused the employees request (%d)", resp.StatusCode), data))
		}
	}
}

// backoff waits before the next attempt, or returns why it will not.
func (c *Client) backoff(ctx context.Context, attempt int, h http.Header, budget *sources.RetryBudget, cause error) error {
	return c.cfg.Backoff(ctx, "Personio", attempt, sources.RetryWait(h, c.now(), c.cfg.MinRetryWait), budget, c.sleep, cause)
}

type authAnswer struct {
	Success bool `json:"success"`
	Data    struct {
		Token     string    `json:"token"`
		ExpiresIn flexValue `json:"expires_in"`
	} `json:"data"`
}

// currentToken returns the cached token or gets a new one.
func (c *Client) currentToken(ctx context.Context, budget *sources.RetryBudget) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.tokenExpiry) {
		return c.token, nil
	}
	if c.cfg.ClientID == "" || c.cfg.ClientSecret == "" {
		return "", authError("Personio: the integration needs a client id and a client secret; create API credentials in Personio (Integrations > API credentials)")
	}
	body, err := json.Marshal(map[string]string{"client_id": c.cfg.ClientID, "client_secret": c.cfg.ClientSecret})
	if err != nil {
		return "", fmt.Errorf("personio: encode credentials: %w", err)
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/v1/auth", bytes.NewReader(body))
		if err != nil {
			return "", fmt.Errorf("personio: build request: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "staffsync")
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("Personio cannot be reached: %w", c.redactErr(err))
		}
		data, readErr := c.readBody(resp, maxTokenAnswerBytes, "Personio's token answer")
		switch {
		case resp.StatusCode == http.StatusOK && readErr == nil:
			var answer authAnswer
			if err := json.Unmarshal(data, &answer); err != nil || !answer.Success || answer.Data.Token == "" {
				return "", authError(c.vendorMessage("Personio did not issue a token", data) +
					"; check the client id and secret of the integration")
			}
			ttl := 24 * time.Hour
			if secs, ok := answer.Data.ExpiresIn.int(); ok && secs > 0 {
				ttl = time.Duration(secs) * time.Second
			}
			c.token, c.tokenTTL = answer.Data.Token, ttl
			c.lastToken.Store(c.token)
			c.tokenExpiry = c.now().Add(tokenLife(ttl))
			return c.token, nil
		case resp.StatusCode == http.StatusOK:
			return "", fmt.Errorf("Personio: reading the token failed: %w", c.redactErr(readErr))
		case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			return "", authError(c.vendorMessage(fmt.Sprintf("Personio rejected the API credentials (%d)", resp.StatusCode), data) +
				"; check the client id and secret of the integration")
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			what := fmt.Sprintf("Personio had a server error (%d)", resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				what = "Personio is rate limiting the sync (429)"
			}
			if err := c.backoff(ctx, attempt, resp.Header, budget, errors.New(c.vendorMessage(what, data))); err != nil {
				return "", err
			}
		default:
			return "", errors.New(c.vendorMessage(fmt.Sprintf("Personio refused the token request (%d)", resp.StatusCode), data))
		}
	}
}

// adoptToken takes a newer token from a response's Authorization header.
func (c *Client) adoptToken(h http.Header, used string) {
	value := strings.TrimSpace(h.Get("Authorization"))
	token, ok := strings.CutPrefix(value, "Bearer ")
	if !ok {
		if token, ok = strings.CutPrefix(value, "bearer "); !ok {
			return
		}
	}
	token = strings.TrimSpace(token)
	if token == "" || token == used {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
	c.lastToken.Store(token)
	if c.tokenTTL > 0 {
		c.tokenExpiry = c.now().Add(tokenLife(c.tokenTTL))
	}
}

func (c *Client) dropToken(used string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == used {
		c.token = ""
	}
}

// tokenLife is how long a token is used before it is asked for again: at most
// maxTokenAge, and half of a shorter expires_in.
func tokenLife(ttl time.Duration) time.Duration { return min(ttl/2, maxTokenAge) }

func (c *Client) readBody(resp *http.Response, limit int64, what string) ([]byte, error) {
	defer resp.Body.Close()
	return sources.ReadCapped(resp.Body, limit, what)
}

// vendorMessage appends Personio's own explanation ({"error":{"message":..}}, a string
// "error", or a short text body), without any secret.
func (c *Client) vendorMessage(prefix string, body []byte) string {
	msg := ""
	var answer struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &answer) == nil {
		var detail struct {
			Message string `json:"message"`
		}
		var text string
		switch {
		case json.Unmarshal(answer.Error, &detail) == nil && detail.Message != "":
			msg = detail.Message
		case json.Unmarshal(answer.Error, &text) == nil:
			msg = text
		default:
			msg = answer.Message
		}
	} else if text := strings.TrimSpace(string(body)); text != "" && !strings.HasPrefix(text, "<") && !strings.ContainsAny(text, "\r\n") {
		msg = text
	}
	msg = c.redact(strings.TrimSpace(msg))
	if msg == "" {
		return prefix
	}
	return prefix + ": " + directory.Clip(msg)
}

// redact removes the credentials and tokens from text that may reach a log or an admin.
func (c *Client) redact(s string) string {
	for _, secret := range []string{c.cfg.ClientSecret, c.cfg.ClientID} {
		if len(secret) >= 6 { // shorter ones would mangle ordinary words
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	// Not c.token under c.mu: redact runs while currentToken holds the lock.
	if token, _ := c.lastToken.Load().(string); token != "" {
		s = strings.ReplaceAll(s, token, "[redacted]")
	}
	if i := strings.Index(s, "papi-"); i >= 0 {
		end := i + len("papi-")
		for end < len(s) && !strings.ContainsRune(" \t\"',;", rune(s[end])) {
			end++
		}
		s = s[:i] + "[redacted]" + s[end:]
	}
	return s
}

func (c *Client) redactErr(err error) error {
	msg := err.Error()
	if clean := c.redact(msg); clean != msg {
		return errors.New(clean)
	}
	return err
}

func authError(msg string) error { return sources.Errorf(sources.ErrAuth, "%s", msg) }

func missingAccessError(msg string) error {
	return sources.Errorf(sources.ErrMissingAccess, "%s", msg)
}
