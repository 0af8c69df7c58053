// Package bamboohr reads people from BambooHR through its custom report API
// (docs/hris-wire.md) and turns them into directory records.
package bamboohr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// DefaultBaseURL is BambooHR's API gateway; the company subdomain and /v1 follow it.
const DefaultBaseURL = "https://api.bamboohr.com/api/gateway.php"

// Answer limits. The id-only report that counts the roster is about 15 bytes a person, so
// MaxCountBytes holds half a million people; the full report may then hold reportSlack
// plus bytesPerPerson for each person counted (a person's 17 fields are about 700 bytes).
const (
	MaxCountBytes  = 8 << 20
	reportSlack    = 4 << 20
	bytesPerPerson = 8 << 10
)

// Config says which BambooHR company to read and how.
type Config struct {
	// Subdomain is the company's BambooHR domain: "acme" for acme.bamboohr.com.
	Subdomain string
	// APIKey belongs to a BambooHR user; that user's access decides what the sync sees.
	APIKey string
	// BaseURL replaces DefaultBaseURL (tests and self-hosted proxies). The request goes to
	// BaseURL + "/" + Subdomain + "/v1/reports/custom?format=JSON".
	BaseURL string
	// HTTPClient defaults to a client with a 2-minute timeout.
	HTTPClient *http.Client
	// RetryLimits bound the waiting for rate limits (sources.RetryLimits has the defaults).
	sources.RetryLimits
}

// ReportFields are the field ids the sync asks for, in this order.
var ReportFields = []string{
	"firstName", "lastName", "preferredName", "workEmail", "gender", "jobTitle", "department",
	"division", "location", "supervisorEId", "supervisorEmail", "hireDate", "terminationDate",
	"status", "employeeNumber", "employmentHistoryStatus",
}

// Client reads one BambooHR company. It is safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
	sources.FetchOutcome
}

var _ sources.RecordSource = (*Client)(nil)
var _ sources.SkipReporter = (*Client)(nil)
var _ sources.WarningReporter = (*Client)(nil)
var _ sources.AccessReporter = (*Client)(nil)

// New returns a client for cfg; it does not contact BambooHR.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.RetryLimits = cfg.RetryLimits.WithDefaults()
	// Redirects are never followed: they would carry the API key to wherever they point.
	return &Client{cfg: cfg, http: sources.NoRedirects(cfg.HTTPClient), sleep: sources.SleepContext, now: time.Now}
}

type reportRequest struct {
	Title  string   `json:"title"`
	Fields []string `json:"fields"`
}

// reportAnswer is the custom report's JSON. Values are decoded leniently: BambooHR sends
// strings or null, but numbers and booleans must not break a sync.
type reportAnswer struct {
	Fields *[]struct {
		ID flexString `json:"id"`
	} `json:"fields"`
	Employees *[]map[string]flexString `json:"employees"`
}

// rows are the answer's employees (none when the key is missing).
func (a *reportAnswer) rows() []map[string]flexString {
	if a.Employees == nil {
		return nil
	}
	return *a.Employees
}

func (c *Client) reportURL() string {
	return c.cfg.BaseURL + "/" + url.PathEscape(strings.TrimSpace(c.cfg.Subdomain)) + "/v1/reports/custom?format=JSON"
}

// runReport asks for a custom report of fields; an answer above limit bytes is an error.
// Rate limits are waited out within budget.
func (c *Client) runReport(ctx context.Context, fields []string, limit int64, budget *sources.RetryBudget) (*reportAnswer, error) {
	if strings.TrimSpace(c.cfg.Subdomain) == "" {
		return nil, authError("BambooHR: the integration has no company subdomain; enter the part before .bamboohr.com")
	}
	if c.cfg.APIKey == "" {
		return nil, authError("BambooHR: the integration has no API key; create one in BambooHR (your name > API Keys) and enter it")
	}
	body, err := json.Marshal(reportRequest{Title: "staffsync", Fields: fields})
	if err != nil {
		return nil, fmt.Errorf("bamboohr: encode report request: %w", err)
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.reportURL(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("bamboohr: build request: %w", c.redactErr(err))
		}
		// Exactly application/json: with "; charset=UTF-8" BambooHR reads the body as XML.
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "staffsync")
		req.SetBasicAuth(c.cfg.APIKey, "x")
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("BambooHR cannot be reached: %w", c.redactErr(err))
		}
		answer, wait, err := c.readAnswer(resp, limit)
		if err == nil {
			return answer, nil
		}
		if wait < 0 {
			return nil, err
		}
		if err := c.cfg.Backoff(ctx, "BambooHR", attempt, wait, budget, c.sleep, err); err != nil {
			return nil, err
		}
	}
}

// readAnswer reads one response. A non-negative wait means the error may be retried after it.
func (c *Client) readAnswer(resp *http.Response, limit int64) (*reportAnswer, time.Duration, error) {
	defer resp.Body.Close()
	data, readErr := sources.ReadCapped(resp.Body, limit, "BambooHR's report")
	switch {
	case resp.StatusCode == http.StatusOK:
		if readErr != nil {
			return nil, -1, fmt.Errorf("BambooHR: reading the report failed: %w", c.redactErr(readErr))
		}
		var answer reportAnswer
		if err := json.Unmarshal(data, &answer); err != nil {
			return nil, -1, fmt.Errorf("BambooHR answered with something that is not a JSON report (%s): %w",
				contentTypeOf(resp), err)
		}
		return &answer, 0, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, -1, authError(c.vendorMessage("BambooHR rejected the API key (401)", resp, data) +
			"; create a new API key in BambooHR and update the integration")
	case resp.StatusCode == http.StatusForbidden:
		return nil, -1, authError(c.vendorMessage("BambooHR refused access (403)", resp, data) +
			"; the API key's user needs access to all employees and fields")
	case resp.StatusCode == http.StatusNotFound:
		return nil, -1, authError(c.vendorMessage(fmt.Sprintf("BambooHR does not know the company %q (404)",
			c.cfg.Subdomain), resp, data) + "; check the subdomain (the part before .bamboohr.com)")
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return nil, sources.RetryWait(resp.Header, c.now(), c.cfg.MinRetryWait),
			errors.New(c.vendorMessage(fmt.Sprintf("BambooHR is rate limiting the sync (%d)", resp.StatusCode), resp, data))
	case resp.StatusCode >= 500:
		return nil, -1, errors.New(c.vendorMessage(fmt.Sprintf("BambooHR had a server error (%d)", resp.StatusCode), resp, data))
	default:
		return nil, -1, errors.New(c.vendorMessage(fmt.Sprintf("BambooHR refused the report request (%d)", resp.StatusCode), resp, data))
	}
}

// vendorMessage appends BambooHR's own explanation: the error header (two spellings exist)
// or a short plain-text body.
func (c *Client) vendorMessage(prefix string, resp *http.Response, body []byte) string {
	msg := resp.Header.Get("X-BambooHR-Error-Message")
	if msg == "" {
		msg = resp.Header.Get("X-BambooHR-Message")
	}
	if msg == "" {
		msg = shortText(body)
	}
	msg = c.redact(msg)
	if msg == "" {
		return prefix
	}
	return prefix + ": " + msg
}

// shortText returns a body as a message if it looks like one line of text (not HTML/XML).
func shortText(body []byte) string {
	text := strings.TrimSpace(string(body))
	if text == "" || strings.HasPrefix(text, "<") || strings.ContainsAny(text, "\r\n") {
		return ""
	}
	return directory.Clip(text)
}

func contentTypeOf(resp *http.Response) string {
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		return "content type " + ct
	}
	return "no content type"
}

// redact removes the API key from any text that may reach a log or an admin.
func (c *Client) redact(s string) string {
	if c.cfg.APIKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.cfg.APIKey, "[redacted]")
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
