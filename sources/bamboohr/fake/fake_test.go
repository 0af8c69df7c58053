package fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The fake must be as strict as BambooHR, or client tests prove nothing.
func TestFakeIsStrict(t *testing.T) {
	srv := NewServer(Options{})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	const body = `{"title":"t","fields":["firstName","workEmail"]}`
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		accept      string
		key         string
		wantStatus  int
		wantHeader  string
		wantBody    string
	}{
		{"correct", "POST", "/acme/v1/reports/custom?format=JSON", "application/json", "application/json", DemoAPIKey, 200, "", `"firstName":"Ada"`},
		{"gateway prefix", "POST", "/api/gateway.php/acme/v1/reports/custom?format=JSON", "application/json", "application/json", DemoAPIKey, 200, "", `"workEmail":"ada.lovelace@acme.example"`},
		{"charset in content type", "POST", "/acme/v1/reports/custom?format=JSON", "application/json; charset=UTF-8", "application/json", DemoAPIKey, 400, "Unable to parse the request body as XML", ""},
		{"no accept answers XML", "POST", "/acme/v1/reports/custom?format=JSON", "application/json", "", DemoAPIKey, 200, "", `<?xml`},
		{"no format", "POST", "/acme/v1/reports/custom", "application/json", "application/json", DemoAPIKey, 400, "format must be JSON or XML", ""},
		{"unknown format", "POST", "/acme/v1/reports/custom?format=bogus", "application/json", "application/json", DemoAPIKey, 404, "Report format not found", ""},
		{"no key", "POST", "/acme/v1/reports/custom?format=JSON", "application/json", "application/json", "", 401, "Authentication required", ""},
		{"wrong key", "POST", "/acme/v1/reports/custom?format=JSON", "application/json", "application/json", "nope", 401, `Invalid API key "nope"`, ""},
		{"GET", "GET", "/acme/v1/reports/custom?format=JSON", "application/json", "application/json", DemoAPIKey, 405, "Method not allowed", ""},
		{"unknown company", "POST", "/other/v1/reports/custom?format=JSON", "application/json", "application/json", DemoAPIKey, 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tt.contentType)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			if tt.key != "" {
				req.SetBasicAuth(tt.key, "x")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("X-BambooHR-Error-Message") != tt.wantHeader ||
				!strings.Contains(string(got), tt.wantBody) {
				t.Errorf("status %d header %q body %.200s", resp.StatusCode, resp.Header.Get("X-BambooHR-Error-Message"), got)
			}
		})
	}
}

func TestDemoPeopleFormATree(t *testing.T) {
	people := DemoPeople()
	byID := map[string]Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	roots := 0
	for _, p := range people {
		if p.SupervisorID == "" {
			roots++
			continue
		}
		seen := map[string]bool{}
		for id := p.SupervisorID; id != ""; id = byID[id].SupervisorID {
			if _, ok := byID[id]; !ok || seen[id] {
				t.Fatalf("%s: broken or looping supervisor chain at %q", p.ID, id)
			}
			seen[id] = true
		}
	}
	if len(people) != 25 || roots != 1 {
		t.Errorf("%d people, %d roots; want 25 and 1", len(people), roots)
	}
}
