package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
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
		{"unknown token", "", "application/json", "papi-nope", 403, `"message":"Provided authorization is not valid"`},
		{"attributes whitelist", "?attributes[]=email", "application/json", good, 200, `"universal_id":"email"`},
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

// get asks for employees with a token and decodes the answer.
func get(t *testing.T, base, query, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/v1/company/employees"+query, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer
}

func TestFakeTokenIsStableFor24HoursFromFirstIssue(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	srv := NewServer(Options{Now: func() time.Time { return now }})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	first := token(t, ts.URL)
	srv.Advance(23 * time.Hour)
	if again := token(t, ts.URL); again != first {
		t.Fatalf("a second auth within 24 h gave another token")
	}
	if status, _ := get(t, ts.URL, "", first); status != 200 {
		t.Fatalf("token at 23 h: %d", status)
	}
	srv.Advance(time.Hour)
	if status, answer := get(t, ts.URL, "", first); status != 403 || !strings.Contains(fmt.Sprint(answer), "Provided authorization is not valid") {
		t.Fatalf("token at 24 h: %d %v, want 403", status, answer)
	}
	if fresh := token(t, ts.URL); fresh == first {
		t.Fatal("after 24 h the same token was issued again")
	}
}

func TestFakeSwitches(t *testing.T) {
	srv := NewServer(Options{})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tok := token(t, ts.URL)
	count := func(answer map[string]any) int { d, _ := answer["data"].([]any); return len(d) }
	total := func(answer map[string]any) any { return answer["metadata"].(map[string]any)["total_elements"] }

	srv.SetOmitted(3, 4)
	_, answer := get(t, ts.URL, "?limit=100", tok)
	if count(answer) != 23 || total(answer) != float64(25) {
		t.Errorf("omitted: %d sent, total %v; want 23 of 25", count(answer), total(answer))
	}
	srv.SetOmitted()
	srv.SetPageCap(7)
	if _, answer = get(t, ts.URL, "?limit=100&offset=0", tok); count(answer) != 7 {
		t.Errorf("page cap: %d records", count(answer))
	}
	srv.SetPageCap(0)
	srv.SetNull(1, "department", "first_name")
	_, answer = get(t, ts.URL, "?limit=1&attributes[]=department&attributes[]=first_name", tok)
	attrs := answer["data"].([]any)[0].(map[string]any)["attributes"].(map[string]any)
	if attrs["department"].(map[string]any)["value"] != nil || attrs["first_name"].(map[string]any)["value"] != nil || len(attrs) != 3 {
		t.Errorf("null/whitelist: %v", attrs)
	}
	srv.ExpireTokensAfter(2)
	for i, want := range []int{200, 200, 403} {
		if status, _ := get(t, ts.URL, "?limit=1", tok); status != want {
			t.Errorf("request %d after ExpireTokensAfter(2): %d, want %d", i+1, status, want)
		}
	}
	tok = token(t, ts.URL)
	srv.RateLimitNext(1, "3")
	req, _ := http.NewRequest("GET", ts.URL+"/v1/company/employees", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("rate limit: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if status, answer := get(t, ts.URL, "?limit=1", tok); status != 200 || count(answer) != 1 {
		t.Errorf("after the 429: %d", status)
	}
	_, answer = get(t, ts.URL, "?limit=1", tok)
	all := answer["data"].([]any)[0].(map[string]any)["attributes"].(map[string]any)
	for _, key := range Sensitive() {
		if _, ok := all[key]; !ok {
			t.Errorf("without attributes[] the fake must send everything the credentials read, %s too", key)
		}
	}
}
