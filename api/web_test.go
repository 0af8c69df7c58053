package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestConsoleIsServedBesideTheAPI(t *testing.T) {
	h := NewHandler(Config{})
	tests := []struct {
		name, method, path, contentType string
		wantCode                        int
		wantBody                        string
	}{
		{"console root", "GET", "/", "", http.StatusOK, `<div id="app">`},
		{"console page falls back to index", "GET", "/imports/7", "", http.StatusOK, `<div id="app">`},
		{"API keeps its route", "POST", "/staffsync.v1.ImportService/ListImports", "application/json", http.StatusUnauthorized, "missing API token"},
		// Unauthenticated, even an unknown method learns nothing but that a token is missing.
		{"unknown API method is not the console", "POST", "/staffsync.v1.ImportService/Nope", "application/json", http.StatusUnauthorized, "missing API token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}"))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d (body %.200q)", rec.Code, tt.wantCode, rec.Body.String())
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body %.200q does not contain %q", rec.Body.String(), tt.wantBody)
			}
		})
	}
}
