package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
)

// TestEdgeUsesTheConfiguredVerifier: the edge asks Config.Authenticate for requests with an
// Authorization header or a session cookie, and lets a request through only when it accepts
// it. GetTemplate needs no database, so no store is configured.
func TestEdgeUsesTheConfiguredVerifier(t *testing.T) {
	caller := store.Principal{CompanyID: 7, AdminID: 3, Role: store.RoleViewer}
	h := NewHandler(Config{
		Authenticate: func(r *http.Request) (context.Context, error) {
			if r.Header.Get("Authorization") == "" {
				if c, err := r.Cookie(sessionCookie); err == nil && c.Value == "valid" {
					return context.WithValue(r.Context(), principalKey{}, caller), nil
				}
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("session expired"))
			}
			if r.Header.Get("Authorization") == "Bearer good" {
				return context.WithValue(r.Context(), principalKey{}, caller), nil
			}
			return nil, connect.NewError(connect.CodeUnauthenticated, unknownCredential{"unknown API token"})
		},
	})
	tests := []struct {
		name, authorization, cookie string
		want                        int
	}{
		{"token accepted", "Bearer good", "", http.StatusOK},
		{"token refused", "Bearer bad", "", http.StatusUnauthorized},
		{"session accepted", "", "valid", http.StatusOK},
		{"session refused", "", "stale", http.StatusUnauthorized},
		{"nothing", "", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, staffsyncv1connect.ImportServiceGetTemplateProcedure, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tt.cookie})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d (body %.200q)", rec.Code, tt.want, rec.Body.String())
			}
		})
	}
}
