package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func token(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/v1/auth", url.Values{"client_id": {DemoClientID}, "client_secret": {DemoClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Success bool
		Data    struct{ Token string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || !answer.Success || !strings.HasPrefix(answer.Data.Token, "papi-") {
		t.Fatalf("auth: %+v %v", answer, err)
	}
	return answer.Data.Token
}

// The fake must be as strict as Personio, or client tests prove nothing.
func TestFakeIsStrict(t *testing.T) {
	srv := NewServer(Options{})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	good := token(t, ts.URL)
	tests := []struct {
		name       string
		query      string
		accept     string
		token      string
		wantStatus int
		wantBody   string
	}{
		{"default page of 50", "", "application/json", good, 200, `"limit":50`},
		{"limit above 100 is cut to 100", "?limit=500", "application/json", good, 200, `"limit":100`},
		{"offset counts records", "?limit=10&offset=20", "application/json", good, 200, `"current_page":2`},
		{"offset past the end", "?limit=10&offset=30", "application/json", good, 200, `"data":[]`},
		{"bad limit", "?limit=x", "application/json", good, 400, `"message":"limit must be a positive number"`},
		{"wrong accept", "", "text/html", good, 406, `"success":false`},
		{"no token", "", "application/json", "", 401, `"message":"Authorization is not provided"`},
		{"unknown token", "", "application/json", "papi-nope", 401, `"message":"The token is invalid or has expired"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+"/v1/company/employees"+tt.query, nil)
			req.Header.Set("Accept", tt.accept)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("status %d body %.300s", resp.StatusCode, body)
			}
		})
	}
}

func TestFakeAuthRejectsWrongCredentialsAndContentTypes(t *testing.T) {
	ts := httptest.NewServer(NewServer(Options{German: true}))
	defer ts.Close()
	tests := []struct {
		contentType, body string
		wantStatus        int
		wantBody          string
	}{
		{"application/json", `{"client_id":"` + DemoClientID + `","client_secret":"nope"}`, 401, "Die Zugangsdaten sind ungültig"},
		{"text/plain", "client_id=x", 415, "client_id und client_secret"},
		{"application/json", `{"client_id":"` + DemoClientID + `","client_secret":"` + DemoClientSecret + `"}`, 200, `"expires_in":86400`},
	}
	for _, tt := range tests {
		resp, err := http.Post(ts.URL+"/v1/auth", tt.contentType, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
			t.Errorf("%s: status %d body %s", tt.body, resp.StatusCode, body)
		}
	}
}

func TestDemoPeopleFormATree(t *testing.T) {
	people := DemoPeople()
	byID := map[int]Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	roots := 0
	for _, p := range people {
		if p.SupervisorID == 0 {
			roots++
			continue
		}
		seen := map[int]bool{}
		for id := p.SupervisorID; id != 0; id = byID[id].SupervisorID {
			if _, ok := byID[id]; !ok || seen[id] {
				t.Fatalf("%d: broken or looping supervisor chain at %d", p.ID, id)
			}
			seen[id] = true
		}
	}
	if len(people) != 25 || roots != 1 {
		t.Errorf("%d people, %d roots; want 25 and 1", len(people), roots)
	}
}
