// Package httpsfile pulls an import file (CSV or XLSX in the template format) from an HTTPS
// URL, with basic or bearer authentication, a size limit, timeouts, and ETag/Last-Modified
// so an unchanged file is not imported again.
package httpsfile

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/staffsync/staffsync/sources"
)

// Defaults of Config.
const (
	DefaultMaxBytes    = 50 << 20
	DefaultReadTimeout = 2 * time.Minute
	DefaultAttempts    = 3
	DefaultRetryWait   = 2 * time.Second
)

// Config says where the file is and how to log in.
type Config struct {
	URL string
	// Username and Password for basic authentication, or BearerToken.
	Username, Password string
	BearerToken        string
	// MaxBytes refuses larger files (default 50 MiB).
	MaxBytes int64
	// ReadTimeout bounds the whole download (default 2 min); the connect timeout is the network's.
	ReadTimeout time.Duration
	// Attempts bounds the requests per fetch when the server answers 5xx (default 3), RetryWait
	// the first wait between them (doubling).
	Attempts  int
	RetryWait time.Duration
	Network   sources.Network
	// RootCAs overrides the system roots (tests).
	TLSConfig *tls.Config
}

// Source is an HTTPS file source.
type Source struct {
	cfg    Config
	url    *url.URL
	client *http.Client
}

var (
	_ sources.FileSource       = (*Source)(nil)
	_ sources.ConnectionTester = (*Source)(nil)
)

// New checks cfg and returns the source. http:// is refused unless private networks are
// allowed (self-hosted installs and tests).
func New(cfg Config) (*Source, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || u.Host == "" {
		return nil, sources.Errorf(sources.ErrConfig, "%q is not a URL; use https://host/path/file.csv", cfg.URL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && cfg.Network.AllowPrivate:
	default:
		return nil, sources.Errorf(sources.ErrConfig, "the URL must start with https:// (got %s://)", u.Scheme)
	}
	if u.User != nil {
		return nil, sources.Errorf(sources.ErrConfig, "put the user name and password in the integration's settings and secrets, not in the URL")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = DefaultRetryWait
	}
	transport := &http.Transport{
		DialContext:           cfg.Network.Dialer().DialContext,
		TLSClientConfig:       cfg.TLSConfig,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: cfg.ReadTimeout,
		ForceAttemptHTTP2:     true,
		// Proxies from the environment would bypass the address check.
		Proxy: nil,
	}
	client := &http.Client{
		Transport: cfg.Network.RoundTripper(transport),
		Timeout:   cfg.ReadTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "https" && !cfg.Network.AllowPrivate {
				return sources.Errorf(sources.ErrConfig, "the server redirected to a non-https URL")
			}
			return nil
		},
	}
	return &Source{cfg: cfg, url: u, client: client}, nil
}

// fingerprint is what the source remembers of the last imported file.
type fingerprint struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
}

// where names the URL in messages without its query, which may carry a token.
func (s *Source) where() string {
	u := *s.url
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// FetchFile downloads the file unless it is the one lastFingerprint describes.
func (s *Source) FetchFile(ctx context.Context, lastFingerprint string) (sources.File, error) {
	var last fingerprint
	if lastFingerprint != "" {
		_ = json.Unmarshal([]byte(lastFingerprint), &last) // an unreadable fingerprint just means "download"
	}
	wait := s.cfg.RetryWait
	for attempt := 1; ; attempt++ {
		file, retry, err := s.fetchOnce(ctx, last)
		if err == nil || !retry || attempt >= s.cfg.Attempts {
			return file, err
		}
		select {
		case <-ctx.Done():
			return sources.File{}, fmt.Errorf("download %s: %w", s.where(), ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (s *Source) newRequest(ctx context.Context, method string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.url.String(), nil)
	if err != nil {
		return nil, sources.Errorf(sources.ErrConfig, "build request: %v", err)
	}
	switch {
	case s.cfg.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+s.cfg.BearerToken)
	case s.cfg.Username != "" || s.cfg.Password != "":
		req.SetBasicAuth(s.cfg.Username, s.cfg.Password)
	}
	req.Header.Set("User-Agent", "staffsync")
	return req, nil
}

// fetchOnce makes one request; retry says whether another attempt may help.
func (s *Source) fetchOnce(ctx context.Context, last fingerprint) (sources.File, bool, error) {
	req, err := s.newRequest(ctx, http.MethodGet)
	if err != nil {
		return sources.File{}, false, err
	}
	if last.ETag != "" {
		req.Header.Set("If-None-Match", last.ETag)
	}
	if last.LastModified != "" {
		req.Header.Set("If-Modified-Since", last.LastModified)
	}
	started := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return sources.File{}, !errors.Is(err, sources.ErrConfig), fmt.Errorf("download %s: %w", s.where(), cleanURLError(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return sources.File{}, false, sources.ErrUnchanged
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return sources.File{}, false, sources.Errorf(sources.ErrAuth, "%s answered %s; check the user name and password or token", s.where(), resp.Status)
	case resp.StatusCode == http.StatusNotFound:
		return sources.File{}, false, fmt.Errorf("%s answered 404 Not Found; check the URL", s.where())
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return sources.File{}, true, fmt.Errorf("%s answered %s; the next run tries again", s.where(), resp.Status)
	case resp.StatusCode != http.StatusOK:
		return sources.File{}, false, fmt.Errorf("%s answered %s, expected 200 OK", s.where(), resp.Status)
	}
	if resp.ContentLength > s.cfg.MaxBytes {
		return sources.File{}, false, s.tooLarge(resp.ContentLength)
	}
	content, err := io.ReadAll(io.LimitReader(resp.Body, s.cfg.MaxBytes+1))
	if err != nil {
		return sources.File{}, true, fmt.Errorf("download %s: %w", s.where(), cleanURLError(err))
	}
	if int64(len(content)) > s.cfg.MaxBytes {
		return sources.File{}, false, s.tooLarge(-1)
	}
	if took := time.Since(started); took >= s.cfg.ReadTimeout {
		// When the client gives up, a server that stops on the closed connection may still
		// get an empty 200 through, and net/http can hand it over: it is not the file.
		return sources.File{}, true, fmt.Errorf("download %s: Timeout: no complete answer within %s", s.where(), s.cfg.ReadTimeout)
	}
	sum := sha256.Sum256(content)
	fp := fingerprint{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), SHA256: hex.EncodeToString(sum[:])}
	if last.SHA256 != "" && last.SHA256 == fp.SHA256 {
		// Servers without validators still send the same bytes: nothing changed.
		return sources.File{}, false, sources.ErrUnchanged
	}
	raw, _ := json.Marshal(fp)
	return sources.File{Name: fileName(resp, s.url), Content: content, Fingerprint: string(raw)}, false, nil
}

func (s *Source) tooLarge(size int64) error {
	if size > 0 {
		return sources.Errorf(sources.ErrConfig, "the file at %s is %d MiB; the limit is %d MiB", s.where(), size>>20, s.cfg.MaxBytes>>20)
	}
	return sources.Errorf(sources.ErrConfig, "the file at %s is larger than the limit of %d MiB", s.where(), s.cfg.MaxBytes>>20)
}

// TestConnection checks that the file can be read with the credentials (a HEAD request).
func (s *Source) TestConnection(ctx context.Context) (string, error) {
	req, err := s.newRequest(ctx, http.MethodHead)
	if err != nil {
		return "", err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", s.where(), cleanURLError(err))
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", sources.Errorf(sources.ErrAuth, "%s answered %s; check the user name and password or token", s.where(), resp.Status)
	case resp.StatusCode >= 400:
		return "", fmt.Errorf("%s answered %s", s.where(), resp.Status)
	}
	return fmt.Sprintf("%s answered %s", s.where(), resp.Status), nil
}

// fileName takes the name from Content-Disposition, else from the URL path; the importer
// uses its extension to tell CSV from XLSX.
func fileName(resp *http.Response, u *url.URL) string {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return path.Base(params["filename"])
	}
	if base := path.Base(u.Path); base != "" && base != "/" && base != "." {
		return base
	}
	return "download.csv"
}

// cleanURLError drops the URL (which may carry a token in its query) from a client error.
func cleanURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
