// Package personio reads people from Personio's v1 personnel API (docs/hris-wire.md) and
// turns them into directory records.
package personio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// DefaultBaseURL is Personio's API host.
const DefaultBaseURL = "https://api.personio.de"

// PageSize is the most employees Personio returns per page.
const PageSize = 100

// Defaults for rate limiting (429, Retry-After optional).
const (
	DefaultMinRetryWait = time.Second
	DefaultMaxRetryWait = 2 * time.Minute
	DefaultMaxAttempts  = 5
)

const (
	maxAnswerBytes = 64 << 20
	maxPages       = 10000 // a million people: beyond it the answer is looping
	// tokenMargin renews a token this long before Personio says it expires.
	tokenMargin = time.Minute
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
	// MinRetryWait is the least time to wait after a 429 (default 1 s), also when
	// Retry-After is missing.
	MinRetryWait time.Duration
	// MaxRetryWait is the longest Retry-After honoured in place (default 2 min); a longer
	// one ends the fetch with a retryable error.
	MaxRetryWait time.Duration
	// MaxAttempts bounds the requests for one page or token, retries included (default 5).
	MaxAttempts int
}

// Client reads one Personio account. It is safe for concurrent use; the token is shared.
type Client struct {
	cfg     Config
	http    *http.Client
	sleep   func(ctx context.Context, d time.Duration) error
	now     func() time.Time
	skipped atomic.Int64

	mu          sync.Mutex
	token       string
	tokenExpiry time.Time
	tokenTTL    time.Duration
	lastToken   atomic.Value // string: the newest token, for redaction without c.mu
}

var _ sources.RecordSource = (*Client)(nil)
var _ sources.SkipReporter = (*Client)(nil)

// New returns a client for cfg; it does not contact Personio.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.MinRetryWait <= 0 {
		cfg.MinRetryWait = DefaultMinRetryWait
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = DefaultMaxRetryWait
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 2 * time.Minute}
	}
	return &Client{cfg: cfg, http: httpClient, sleep: sources.SleepContext, now: time.Now}
}

// Skipped is how many people the last successful FetchRecords left out because they have
// no email (or no id) in Personio.
func (c *Client) Skipped() int { return int(c.skipped.Load()) }

// CountPeople asks for one employee and returns Personio's total; it is the connection test.
func (c *Client) CountPeople(ctx context.Context) (int, error) {
	page, err := c.fetchPage(ctx, 1, 0)
	if err != nil {
		return 0, err
	}
	if page.Metadata != nil {
		if total, ok := page.Metadata.TotalElements.int(); ok {
			return total, nil
		}
	}
	// No metadata: count the pages.
	employees, err := c.fetchAll(ctx)
	if err != nil {
		return 0, err
	}
	return len(employees), nil
}

// FetchRecords returns everyone the credentials can see, in Personio's order (Row 2 is the
// first employee; skipped people keep their row numbers). Attributes the credentials cannot
// read are Keep, never cleared.
func (c *Client) FetchRecords(ctx context.Context) ([]directory.Record, error) {
	employees, err := c.fetchAll(ctx)
	if err != nil {
		return nil, err
	}
	records, skipped, err := recordsFromEmployees(employees)
	if err != nil {
		return nil, err
	}
	c.skipped.Store(int64(skipped))
	return records, nil
}

type employeesPage struct {
	Metadata *struct {
		TotalElements flexValue `json:"total_elements"`
		CurrentPage   flexValue `json:"current_page"`
		TotalPages    flexValue `json:"total_pages"`
	} `json:"metadata"`
	Data []employee `json:"data"`
}

type employee struct {
	Attributes map[string]json.RawMessage `json:"attributes"`
}

func (c *Client) fetchAll(ctx context.Context) ([]employee, error) {
	var all []employee
	for pageNo := 0; ; pageNo++ {
		if pageNo >= maxPages {
			return nil, fmt.Errorf("Personio keeps sending pages after %d; the sync stopped", maxPages)
		}
		page, err := c.fetchPage(ctx, PageSize, len(all))
		if err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if len(page.Data) < PageSize {
			return all, nil
		}
		if page.Metadata != nil {
			current, okCurrent := page.Metadata.CurrentPage.int()
			total, okTotal := page.Metadata.TotalPages.int()
			if okCurrent && okTotal && current >= total-1 {
				return all, nil
			}
		}
	}
}

func (c *Client) fetchPage(ctx context.Context, limit, offset int) (*employeesPage, error) {
	url := fmt.Sprintf("%s/v1/company/employees?limit=%d&offset=%d", c.cfg.BaseURL, limit, offset)
	renewed := false
	for attempt := 1; ; attempt++ {
		token, err := c.currentToken(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, fmt.Errorf("personio: build request: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("User-Agent", "staffsync")
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("Personio cannot be reached: %w", c.redactErr(err))
		}
		data, readErr := readBody(resp)
		c.adoptToken(resp.Header, token)
		switch {
		case resp.StatusCode == http.StatusOK:
			if readErr != nil {
				return nil, fmt.Errorf("Personio: reading the employees failed: %w", c.redactErr(readErr))
			}
			var page employeesPage
			if err := json.Unmarshal(data, &page); err != nil {
				return nil, fmt.Errorf("Personio answered with something that is not a JSON list of employees: %w", err)
			}
			return &page, nil
		case resp.StatusCode == http.StatusUnauthorized && !renewed:
			// The token expired or was replaced: get a new one, once.
			c.dropToken(token)
			renewed = true
			attempt--
			continue
		case resp.StatusCode == http.StatusUnauthorized:
			return nil, authError(c.vendorMessage("Personio rejected the API credentials (401)", data) +
				"; check the client id and secret of the integration")
		case resp.StatusCode == http.StatusForbidden:
			return nil, authError(c.vendorMessage("Personio refused access to the employees (403)", data) +
				"; allow the API credentials to read employees in Personio (Integrations > API credentials)")
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			what := fmt.Sprintf("Personio had a server error (%d)", resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				what = "Personio is rate limiting the sync (429)"
			}
			if err := c.backoff(ctx, attempt, resp.Header, errors.New(c.vendorMessage(what, data))); err != nil {
				return nil, err
			}
		default:
			return nil, errors.New(c.vendorMessage(fmt.Sprintf("Personio refused the employees request (%d)", resp.StatusCode), data))
		}
	}
}

// backoff waits before the next attempt, or returns why it will not.
func (c *Client) backoff(ctx context.Context, attempt int, h http.Header, cause error) error {
	if attempt >= c.cfg.MaxAttempts {
		return fmt.Errorf("%w (gave up after %d attempts)", cause, attempt)
	}
	wait := sources.RetryWait(h, c.now(), c.cfg.MinRetryWait)
	if wait > c.cfg.MaxRetryWait {
		return fmt.Errorf("%w; Personio asks to wait %s, the sync tries again later", cause, wait)
	}
	return c.sleep(ctx, wait)
}

type authAnswer struct {
	Success bool `json:"success"`
	Data    struct {
		Token     string    `json:"token"`
		ExpiresIn flexValue `json:"expires_in"`
	} `json:"data"`
}

// currentToken returns the cached token or gets a new one.
func (c *Client) currentToken(ctx context.Context) (string, error) {
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
		data, readErr := readBody(resp)
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
			c.tokenExpiry = c.now().Add(max(ttl-tokenMargin, ttl/2))
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
			if err := c.backoff(ctx, attempt, resp.Header, errors.New(c.vendorMessage(what, data))); err != nil {
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
		c.tokenExpiry = c.now().Add(max(c.tokenTTL-tokenMargin, c.tokenTTL/2))
	}
}

func (c *Client) dropToken(used string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == used {
		c.token = ""
	}
}

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err == nil && len(data) > maxAnswerBytes {
		err = fmt.Errorf("the answer is larger than %d MB", maxAnswerBytes>>20)
	}
	return data, err
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
