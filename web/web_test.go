package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandlerServesFilesAndFallsBackToIndex(t *testing.T) {
	files := fstest.MapFS{
		"index.html":          {Data: []byte("<!doctype html><title>console</title>")},
		"assets/app-abc1.js":  {Data: []byte("console.log(1)")},
		"favicon.svg":         {Data: []byte("<svg/>")},
		"assets/nested/x.css": {Data: []byte("body{}")},
	}
	h := NewHandler(files)
	tests := []struct {
		method, path string
		wantCode     int
		wantBody     string
		wantCache    string
	}{
		{"GET", "/", 200, "<!doctype html><title>console</title>", "no-cache"},
		{"GET", "/index.html", 200, "<!doctype html><title>console</title>", "no-cache"},
		{"GET", "/imports/42", 200, "<!doctype html><title>console</title>", "no-cache"},
		{"GET", "/directory?status=all", 200, "<!doctype html><title>console</title>", "no-cache"},
		{"GET", "/assets/app-abc1.js", 200, "console.log(1)", "public, max-age=31536000, immutable"},
		{"GET", "/assets/nested/x.css", 200, "body{}", "public, max-age=31536000, immutable"},
		{"GET", "/favicon.svg", 200, "<svg/>", "no-cache"},
		{"GET", "/assets/old-bundle.js", 404, "404 page not found\n", ""},
		{"GET", "/missing.png", 404, "404 page not found\n", ""},
		{"GET", "/../../etc/passwd", 200, "<!doctype html><title>console</title>", "no-cache"},
		{"HEAD", "/history", 200, "", "no-cache"},
		{"POST", "/imports", 405, "method not allowed\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantCode)
			}
			if got := rec.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
		})
	}
}

func TestHandlerSetsSecurityHeaders(t *testing.T) {
	h := NewHandler(fstest.MapFS{"index.html": {Data: []byte("x")}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q, want self-only sources and no framing", csp)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
}

func TestHandlerWithoutBuildExplainsWhatToRun(t *testing.T) {
	h := NewHandler(fstest.MapFS{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusNotFound || rec.Body.String() != "the web console is not built; run `make web`\n" {
		t.Errorf("got %d %q, want 404 with a hint to run make web", rec.Code, rec.Body.String())
	}
}

func TestEmbeddedBuildHasIndex(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<div id="app">`) {
		t.Fatalf("embedded console: status %d, body %.200q; run `make web`", rec.Code, rec.Body.String())
	}
}
