package sources

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NoRedirects returns a copy of c that never follows a redirect: an HR system answers its
// API directly, and following one would send the credentials (Basic auth, bearer tokens) to
// wherever the answer points, another host or plain http included.
func NoRedirects(c *http.Client) *http.Client {
	if c == nil {
		c = &http.Client{Timeout: 2 * time.Minute}
	}
	out := *c
	out.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return Errorf(ErrConfig, "the HR system answered with a redirect to %s; staffsync does not follow redirects, so check base_url (it must be the API's own address)",
			redirectTarget(req.URL))
	}
	return &out
}

// redirectTarget names where a redirect points without its query (which may hold tokens).
func redirectTarget(u *url.URL) string {
	if u == nil {
		return "an unknown address"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// CheckBaseURL refuses a base_url an HR client must not send credentials to: anything but an
// absolute https URL without user info, query or fragment. Plain http is accepted only when
// private networks are allowed (self-hosted proxies and test doubles on the same machine).
func CheckBaseURL(raw string, network Network) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil // the client's default
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return Errorf(ErrConfig, "base_url %q is not an address like https://api.example.com", clipText(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Errorf(ErrConfig, "base_url must not contain a user name, password, query or fragment")
	}
	if u.Scheme == "http" && !network.AllowPrivate {
		return Errorf(ErrConfig, "base_url must use https (the credentials would travel unencrypted over http); plain http is only allowed when the server runs with STAFFSYNC_ALLOW_PRIVATE_NETWORKS=true")
	}
	return nil
}

func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// ErrAnswerTooLarge: an HR system's answer is larger than the client accepts.
var ErrAnswerTooLarge = errors.New("the HR system's answer is too large")

// ReadCapped reads at most limit bytes of r; a longer answer is an ErrAnswerTooLarge error
// naming what was read and the limit, so a hostile or broken endpoint cannot fill the memory.
func ReadCapped(r io.Reader, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %s; staffsync stops reading there", ErrAnswerTooLarge, what, ByteSize(limit))
	}
	return data, nil
}

// ByteSize writes n bytes for people: "8 MiB", "512 KiB", "900 bytes".
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// A RetryBudget bounds the total time one fetch spends waiting for rate limits (429/503 with
// Retry-After): each wait is honoured, but once the budget is spent the fetch ends with a
// retryable error and the next scheduled run tries again.
type RetryBudget struct {
	Max   time.Duration
	spent time.Duration
}

// Take reserves d of the budget; false when d does not fit in what is left.
func (b *RetryBudget) Take(d time.Duration) bool {
	if b.Max > 0 && b.spent+d > b.Max {
		return false
	}
	b.spent += d
	return true
}

// Spent is how long the fetch has waited so far.
func (b *RetryBudget) Spent() time.Duration { return b.spent }
