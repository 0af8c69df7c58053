package httpsfile

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/staffsync/staffsync/sources"
)

const csv = "First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n"

// newServer starts a TLS server and a source config that trusts it.
func newServer(t *testing.T, h http.HandlerFunc) Config {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	tlsCfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	return Config{URL: srv.URL + "/exports/people.csv", TLSConfig: tlsCfg, Network: sources.Network{AllowPrivate: true}, RetryWait: 10 * time.Millisecond}
}

func fetch(t *testing.T, cfg Config, last string) (sources.File, error) {
	t.Helper()
	src, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src.FetchFile(context.Background(), last)
}

func TestAuth(t *testing.T) {
	handler := func(w http.ResponseWriter, r *http.Request) {
		user, pass, basic := r.BasicAuth()
		if (basic && user == "hr" && pass == "s3cret-password") || r.Header.Get("Authorization") == "Bearer tok-123456789" {
			_, _ = w.Write([]byte(csv))
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}
	for _, tc := range []struct {
		name               string
		user, pass, bearer string
		wantAuthErr        bool
	}{
		{"basic ok", "hr", "s3cret-password", "", false},
		{"bearer ok", "", "", "tok-123456789", false},
		{"wrong password", "hr", "nope", "", true},
		{"no credentials", "", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newServer(t, handler)
			cfg.Username, cfg.Password, cfg.BearerToken = tc.user, tc.pass, tc.bearer
			f, err := fetch(t, cfg, "")
			if tc.wantAuthErr {
				if !errors.Is(err, sources.ErrAuth) || !strings.Contains(err.Error(), "401 Unauthorized") {
					t.Fatalf("err = %v, want ErrAuth with 401", err)
				}
				if strings.Contains(err.Error(), tc.pass) && tc.pass != "" {
					t.Fatalf("error shows the password: %v", err)
				}
				return
			}
			if err != nil || string(f.Content) != csv || f.Name != "people.csv" {
				t.Fatalf("got %q %q %v", f.Name, f.Content, err)
			}
		})
	}
}

func TestNotFoundIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1); http.NotFound(w, r) })
	_, err := fetch(t, cfg, "")
	if err == nil || !strings.Contains(err.Error(), "answered 404 Not Found; check the URL") {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d requests, want 1", calls.Load())
	}
}

func TestServerErrorThenOK(t *testing.T) {
	var calls atomic.Int32
	var failAlways atomic.Bool
	cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 || failAlways.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(csv))
	})
	f, err := fetch(t, cfg, "")
	if err != nil || string(f.Content) != csv || calls.Load() != 2 {
		t.Fatalf("got %q, %v after %d calls", f.Content, err, calls.Load())
	}
	// A server that keeps failing gives up after the attempts, with a retryable error.
	failAlways.Store(true)
	cfg.Attempts = 2
	_, err = fetch(t, cfg, "")
	if err == nil || !strings.Contains(err.Error(), "answered 500 Internal Server Error; the next run tries again") || errors.Is(err, sources.ErrConfig) {
		t.Fatalf("err = %v", err)
	}
}

func TestSlowServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	cfg.ReadTimeout, cfg.Attempts = 200*time.Millisecond, 1
	start := time.Now()
	_, err := fetch(t, cfg, "")
	if err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestHugeFileRefused(t *testing.T) {
	big := strings.Repeat("x", 4096)
	for _, chunked := range []bool{false, true} {
		cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			if chunked {
				w.(http.Flusher).Flush() // no Content-Length: the limit applies while reading
			}
			_, _ = w.Write([]byte(big))
		})
		cfg.MaxBytes = 1024
		_, err := fetch(t, cfg, "")
		if !errors.Is(err, sources.ErrConfig) || !strings.Contains(err.Error(), "the limit is") && !strings.Contains(err.Error(), "larger than the limit") {
			t.Fatalf("chunked=%v: err = %v", chunked, err)
		}
	}
}

func TestETagAndLastModified(t *testing.T) {
	var full atomic.Int32
	cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		_, _ = w.Write([]byte(csv))
	})
	first, err := fetch(t, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Fingerprint, `\"v1\"`) || !strings.Contains(first.Fingerprint, "Mon, 02 Jan 2006") {
		t.Fatalf("fingerprint %s", first.Fingerprint)
	}
	if _, err := fetch(t, cfg, first.Fingerprint); !errors.Is(err, sources.ErrUnchanged) {
		t.Fatalf("second fetch: err = %v, want ErrUnchanged", err)
	}
	if full.Load() != 1 {
		t.Fatalf("downloaded %d times", full.Load())
	}
}

func TestSameBytesWithoutValidatorsIsUnchanged(t *testing.T) {
	cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(csv)) })
	first, err := fetch(t, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fetch(t, cfg, first.Fingerprint); !errors.Is(err, sources.ErrUnchanged) {
		t.Fatalf("err = %v", err)
	}
}

func TestAddressPolicy(t *testing.T) {
	cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(csv)) })
	cfg.Network.AllowPrivate = false
	_, err := fetch(t, cfg, "")
	if !errors.Is(err, sources.ErrConfig) || !strings.Contains(err.Error(), "is internal") {
		t.Fatalf("loopback: err = %v", err)
	}
	for _, tc := range []struct{ url, want string }{
		{"http://example.com/x.csv", "must start with https://"},
		{"https://user:pw@example.com/x.csv", "not in the URL"},
		{"not a url", "is not a URL"},
	} {
		_, err := New(Config{URL: tc.url})
		if !errors.Is(err, sources.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v", tc.url, err)
		}
	}
}
