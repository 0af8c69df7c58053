package personio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/hrfake/hrtest"
	"github.com/staffsync/staffsync/sources/personio/fake"
)

func newClient(t *testing.T, opts fake.Options, change func(*Config)) (*Client, *fake.Server, *hrtest.SleepRecorder) {
	t.Helper()
	srv := fake.NewServer(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := Config{ClientID: fake.DemoClientID, ClientSecret: fake.DemoClientSecret, BaseURL: ts.URL, HTTPClient: ts.Client()}
	if change != nil {
		change(&cfg)
	}
	c := New(cfg)
	rec := &hrtest.SleepRecorder{}
	c.sleep = rec.Sleep
	return c, srv, rec
}

func set(text string) directory.Value { return directory.SetValue(text) }

var (
	keep  = directory.Value{}
	clear = directory.Value{Op: directory.Clear}
)

type cells map[directory.Field]directory.Value

func checkCells(t *testing.T, r directory.Record, want cells) {
	t.Helper()
	for f, v := range want {
		if r.Cells.Get(f) != v {
			t.Errorf("%s: %s = %+v, want %+v", r.SourceID, f, r.Cells.Get(f), v)
		}
	}
}

func TestFetchRecordsMapsTheDemoCompany(t *testing.T) {
	c, _, _ := newClient(t, fake.Options{}, nil)
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 25 || c.Skipped() != 1 || len(c.Warnings()) != 0 {
		t.Fatalf("%d records, %d skipped, warnings %q; want 25 and 1 (the person without email)", len(records), c.Skipped(), c.Warnings())
	}
	if max := hrtest.RecordBySourceID(t, records, "25"); max.Skip != "no email" || max.Cells.Get(directory.FirstName) != set("Max") || max.Cells.Get(directory.Status) != keep {
		t.Errorf("the person without email: %+v", max)
	}
	tests := []struct {
		id        string
		row       int
		managerID string
		cells     cells
	}{
		{"1", 2, "", cells{
			directory.FirstName: set("Alexander"), directory.LastName: set("Bergmann"), directory.PreferredName: set("Alex"),
			directory.Email: set("alexander.bergmann@globex.example"), directory.EmployeeID: set("1"), directory.Gender: set("M"),
			directory.Title: set("Managing Director"), directory.Department: set("Management"), directory.Location: set("Munich"),
			directory.Team: clear, directory.HireDate: set("2014-11-09"), directory.LeavingDate: clear,
			directory.TerminationType: clear, directory.Status: set("Active"), directory.EmploymentType: keep,
			directory.ManagerEmail: clear, directory.AltEmail: keep, directory.SecondaryManagerEmail: keep,
		}},
		{"2", 3, "1", cells{directory.Team: set("Platform"), directory.ManagerEmail: set("alexander.bergmann@globex.example"),
			directory.PreferredName: clear, directory.Gender: set("F")}},
		{"5", 6, "1", cells{directory.Gender: set("N")}},
		{"9", 10, "6", cells{directory.Status: set("Active")}},
		{"10", 11, "7", cells{directory.Email: set("emma.schaefer@globex.example"), directory.LastName: set("Schäfer")}},
		{"13", 14, "7", cells{directory.EmploymentType: set("Contractor")}},
		{"22", 23, "6", cells{directory.Status: set("Active"), directory.HireDate: set("2027-02-01")}},
		{"23", 24, "6", cells{directory.Status: set("Inactive"), directory.LeavingDate: set("2024-06-30"), directory.TerminationType: set("Voluntary")}},
	}
	for _, tt := range tests {
		r := hrtest.RecordBySourceID(t, records, tt.id)
		if r.Row != tt.row || r.ManagerSourceID != tt.managerID || len(r.Problems) != 0 {
			t.Errorf("%s: row %d manager %q problems %v; want row %d manager %q", tt.id, r.Row, r.ManagerSourceID, r.Problems, tt.row, tt.managerID)
		}
		checkCells(t, r, tt.cells)
	}
}

func TestRequestsAndTokenCache(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	for range 2 {
		if _, err := c.FetchRecords(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := c.CountPeople(context.Background()); err != nil || n != 25 {
		t.Fatalf("CountPeople = %d, %v; want 25", n, err)
	}
	page := url.Values{"limit": {"100"}, "offset": {"0"}, "attributes[]": Attributes}.Encode()
	want := []fake.Request{
		{Method: "POST", Path: "/v1/auth", Accept: "application/json", ContentType: "application/json", Status: 200},
		{Method: "GET", Path: "/v1/company/employees", RawQuery: page, Accept: "application/json", Status: 200},
		{Method: "GET", Path: "/v1/company/employees", RawQuery: page, Accept: "application/json", Status: 200},
		{Method: "GET", Path: "/v1/company/employees", RawQuery: "attributes%5B%5D=status&limit=1&offset=0", Accept: "application/json", Status: 200},
	}
	if got := srv.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests:\n%+v\nwant\n%+v", got, want)
	}
}

func manyPeople(n int) []fake.Person {
	people := make([]fake.Person, n)
	for i := range people {
		people[i] = fake.Person{ID: i + 1, FirstName: "P", LastName: fmt.Sprint(i + 1), Email: fmt.Sprintf("p%d@globex.example", i+1), Status: "active"}
		if i > 0 {
			people[i].SupervisorID = 1
		}
	}
	return people
}

func TestPaging(t *testing.T) {
	tests := []struct {
		name        string
		people      int
		noMetadata  bool
		rotate      bool
		wantOffsets []string
	}{
		{"three pages, the last short", 230, false, false, []string{"0", "100", "200"}},
		{"exactly two pages: metadata says stop", 200, false, false, []string{"0", "100"}},
		{"one full page", 100, false, false, []string{"0"}},
		{"rotated tokens are adopted", 230, false, true, []string{"0", "100", "200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _ := newClient(t, fake.Options{People: manyPeople(tt.people), NoMetadata: tt.noMetadata, RotateTokens: tt.rotate}, nil)
			records, err := c.FetchRecords(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(records) != tt.people || records[len(records)-1].Row != tt.people+1 || records[len(records)-1].SourceID != fmt.Sprint(tt.people) {
				t.Errorf("%d records, last %+v", len(records), records[len(records)-1])
			}
			offsets := pageOffsets(t, srv)
			if !slices.Equal(offsets, tt.wantOffsets) || srv.AuthCalls() != 1 {
				t.Errorf("offsets %v, %d auth calls; want %v and 1", offsets, srv.AuthCalls(), tt.wantOffsets)
			}
		})
	}
}

func TestAttributeShapesAndDates(t *testing.T) {
	tests := []struct {
		name  string
		opts  fake.Options
		cells cells
	}{
		{"standard", fake.Options{}, cells{directory.HireDate: set("2014-11-09"), directory.Department: set("Management")}},
		{"legacy attributes without type and universal_id", fake.Options{LegacyAttributes: true}, cells{directory.HireDate: set("2014-11-09"), directory.Title: set("Managing Director")}},
		{"odd offset", fake.Options{DateOffset: "+00:53"}, cells{directory.HireDate: set("2014-11-09")}},
		{"negative offset", fake.Options{DateOffset: "-05:00"}, cells{directory.HireDate: set("2014-11-09")}},
		{"far east offset", fake.Options{DateOffset: "+14:00"}, cells{directory.HireDate: set("2014-11-09")}},
		{"plain dates", fake.Options{PlainDates: true}, cells{directory.HireDate: set("2014-11-09")}},
		{"hidden attributes are kept, never cleared", fake.Options{HiddenAttributes: []string{"gender", "office", "hire_date", "supervisor", "team", "position"}},
			cells{directory.Gender: keep, directory.Location: keep, directory.HireDate: keep, directory.ManagerEmail: keep, directory.Team: keep, directory.Title: keep,
				directory.Status: set("Active"), directory.Department: set("Management")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newClient(t, tt.opts, nil)
			records, err := c.FetchRecords(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			checkCells(t, hrtest.RecordBySourceID(t, records, "1"), tt.cells)
		})
	}
}

func TestHiddenSupervisorEmailStillGivesTheLine(t *testing.T) {
	c, _, _ := newClient(t, fake.Options{HiddenAttributes: []string{"preferred_name"}}, nil)
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := hrtest.RecordBySourceID(t, records, "8")
	if r.ManagerSourceID != "6" || r.Cells.Get(directory.ManagerEmail) != set("sofia.keller@globex.example") || r.Cells.Get(directory.PreferredName) != keep {
		t.Errorf("record = %+v", r)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		opts      fake.Options
		failures  []fake.Failure
		change    func(*Config)
		wantClass error
		wantMsg   string
		wantAuths int
	}{
		{"wrong secret", fake.Options{}, nil, func(c *Config) { c.ClientSecret = "wrong-secret-123" }, sources.ErrAuth,
			"Personio rejected the API credentials (401): Wrong credentials; check the client id and secret of the integration", 1},
		{"wrong secret, German", fake.Options{German: true}, nil, func(c *Config) { c.ClientSecret = "wrong-secret-123" }, sources.ErrAuth,
			"Personio rejected the API credentials (401): Die Zugangsdaten sind ungültig; check the client id and secret of the integration", 1},
		{"no secret", fake.Options{}, nil, func(c *Config) { c.ClientSecret = "" }, sources.ErrAuth,
			"Personio: the integration needs a client id and a client secret; create API credentials in Personio (Integrations > API credentials)", 0},
		{"no access to employees: refused twice", fake.Options{Forbidden: true}, nil, nil, sources.ErrAuth,
			"Personio refused access to the employees (403): Provided authorization is not valid; a new token was refused too: allow the API credentials to read employees in Personio (Integrations > API credentials)", 2},
		{"no access, German", fake.Options{Forbidden: true, German: true}, nil, nil, sources.ErrAuth,
			"Personio refused access to the employees (403): Die angegebene Autorisierung ist nicht gültig; a new token was refused too: allow the API credentials to read employees in Personio (Integrations > API credentials)", 2},
		{"401 after a new token", fake.Options{}, []fake.Failure{
			{Status: 401, Body: `{"success":false,"error":{"code":401,"message":"Authorization is not provided"}}`},
			{Status: 401, Body: `{"success":false,"error":{"code":401,"message":"token papi-0123abcd of demo-personio-client-secret revoked"}}`}}, nil, sources.ErrAuth,
			"Personio rejected the API credentials (401): token [redacted] of [redacted] revoked; a new token was refused too: check the client id and secret of the integration", 2},
		{"no metadata: completeness cannot be proven", fake.Options{NoMetadata: true}, nil, nil, sources.ErrIncompleteRoster,
			"Personio's answer has no metadata.total_elements, so staffsync cannot tell whether it sent every employee; nobody is deactivated or counted as missing, and the next run tries again", 1},
		{"status hidden", fake.Options{HiddenAttributes: []string{"status"}}, nil, nil, sources.ErrMissingAccess, MissingAccessMessage, 1},
		{"email hidden", fake.Options{HiddenAttributes: []string{"email"}}, nil, nil, sources.ErrMissingAccess, MissingAccessMessage, 1},
		{"nobody visible", fake.Options{People: []fake.Person{}}, nil, nil, sources.ErrMissingAccess,
			"Personio returned no employees for these API credentials; allow them to read all employees", 1},
		{"rate limited every time", fake.Options{}, slices.Repeat([]fake.Failure{{Status: 429}}, 5), nil, nil,
			"Personio is rate limiting the sync (429) (gave up after 5 attempts)", 1},
		{"rate limited too long", fake.Options{}, []fake.Failure{{Status: 429, RetryAfter: "600"}}, nil, nil,
			"Personio is rate limiting the sync (429); Personio asks to wait 10m0s, the sync tries again later", 1},
		{"server error", fake.Options{}, slices.Repeat([]fake.Failure{{Status: 500, Body: `{"success":false,"error":{"code":500,"message":"Interner Fehler"}}`}}, 5), nil, nil,
			"Personio had a server error (500): Interner Fehler (gave up after 5 attempts)", 1},
		{"bad request", fake.Options{}, []fake.Failure{{Status: 400, Body: "limit is wrong"}}, nil, nil,
			"Personio refused the employees request (400): limit is wrong", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _ := newClient(t, tt.opts, tt.change)
			srv.FailNext(tt.failures...)
			_, err := c.FetchRecords(context.Background())
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("err = %v\nwant %s", err, tt.wantMsg)
			}
			for _, class := range []error{sources.ErrAuth, sources.ErrMissingAccess, sources.ErrIncompleteRoster} {
				if errors.Is(err, class) != (class == tt.wantClass) {
					t.Errorf("errors.Is(err, %v) = %v", class, errors.Is(err, class))
				}
			}
			if srv.AuthCalls() != tt.wantAuths {
				t.Errorf("%d auth calls, want %d", srv.AuthCalls(), tt.wantAuths)
			}
			for _, secret := range []string{"wrong-secret-123", fake.DemoClientSecret, "papi-"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error reveals a secret (%s): %v", secret, err)
				}
			}
		})
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	if _, err := c.FetchRecords(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	records, err := c.FetchRecords(context.Background())
	if err != nil || len(records) != 25 {
		t.Fatalf("%d records, %v", len(records), err)
	}
	if srv.AuthCalls() != 2 {
		t.Errorf("%d auth calls, want 2", srv.AuthCalls())
	}
}

func TestTokenRenewedBeforeItExpires(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	if _, err := c.CountPeople(context.Background()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(59 * time.Minute) // expires_in says 86400 s, but the token may be older
	if _, err := c.CountPeople(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.AuthCalls() != 1 {
		t.Errorf("%d auth calls within the hour, want 1", srv.AuthCalls())
	}
	now = now.Add(2 * time.Minute)
	if _, err := c.CountPeople(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.AuthCalls() != 2 {
		t.Errorf("%d auth calls, want 2 (a cached token is asked for again after an hour)", srv.AuthCalls())
	}
}

func TestRateLimitBackoff(t *testing.T) {
	c, srv, rec := newClient(t, fake.Options{}, func(c *Config) { c.MinRetryWait = 10 * time.Millisecond })
	srv.FailNext(fake.Failure{Status: 429}, fake.Failure{Status: 429, RetryAfter: "3"}, fake.Failure{Status: 503, Body: "busy"})
	records, err := c.FetchRecords(context.Background())
	if err != nil || len(records) != 25 {
		t.Fatalf("%d records, %v", len(records), err)
	}
	want := []time.Duration{10 * time.Millisecond, 3 * time.Second, 10 * time.Millisecond}
	hrtest.ExpectWaits(t, rec, want...)
}

func TestDefaultMinimumWaitIsOneSecond(t *testing.T) {
	c, srv, rec := newClient(t, fake.Options{}, nil)
	srv.FailNext(fake.Failure{Status: 429})
	if _, err := c.FetchRecords(context.Background()); err != nil {
		t.Fatal(err)
	}
	hrtest.ExpectWaits(t, rec, time.Second)
}

func TestBackoffIsContextAware(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	c.sleep = sources.SleepContext
	srv.FailNext(fake.Failure{Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.FetchRecords(ctx); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s", err, time.Since(start))
	}
}

func TestConcurrentFetchesShareTheToken(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := c.FetchRecords(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if srv.AuthCalls() != 1 {
		t.Errorf("%d auth calls, want 1", srv.AuthCalls())
	}
}

func TestFakeChangesArePickedUp(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	id := srv.AddPerson(fake.Person{FirstName: "Nina", LastName: "Vogel", Email: "nina.vogel@globex.example", SupervisorID: 7, HireDate: "2026-10-01"})
	if err := srv.SetSupervisor(11, 6); err != nil {
		t.Fatal(err)
	}
	if err := srv.Terminate(12, "2026-09-30"); err != nil {
		t.Fatal(err)
	}
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hire := hrtest.RecordBySourceID(t, records, "26")
	if id != 26 || hire.Row != 27 || hire.ManagerSourceID != "7" || hire.Cells.Get(directory.Status) != set("Active") {
		t.Errorf("hire = %+v", hire)
	}
	if r := hrtest.RecordBySourceID(t, records, "11"); r.ManagerSourceID != "6" {
		t.Errorf("11 manager = %q", r.ManagerSourceID)
	}
	if r := hrtest.RecordBySourceID(t, records, "12"); r.Cells.Get(directory.Status) != set("Inactive") || r.Cells.Get(directory.LeavingDate) != set("2026-09-30") {
		t.Errorf("12 = %+v", r.Cells)
	}
}

// TestParseOddEmployees feeds employees straight to the parser.
func TestParseOddEmployees(t *testing.T) {
	tests := []struct {
		name      string
		employees string
		skipped   int
		wantErr   string
		check     func(t *testing.T, r directory.Record)
		problems  []string
	}{
		{
			name: "bare values, strings for numbers, relations as strings, unknown attributes",
			employees: `[{"type":"Employee","attributes":{"id":"7","email":"a@x.example","status":{"label":"Status","value":"ACTIVE"},
				"department":"Sales","office":{"label":"Office","value":{"type":"Office","attributes":{"id":{"label":"ID","value":3},"name":{"label":"Name","value":"Berlin"}}}},
				"supervisor":{"label":"Supervisor","value":{"type":"Employee","attributes":{"id":2}}},
				"dynamic_99":{"label":"Shoe size","value":44,"type":"integer","universal_id":null},"weekly_working_hours":{"label":"Hours","value":"40"},
				"first_name":{"label":"First name","value":12}}}]`,
			check: func(t *testing.T, r directory.Record) {
				checkCells(t, r, cells{directory.Status: set("Active"), directory.Department: set("Sales"), directory.Location: set("Berlin"),
					directory.FirstName: set("12"), directory.LastName: keep, directory.ManagerEmail: keep})
				if r.SourceID != "7" || r.ManagerSourceID != "2" {
					t.Errorf("record = %+v", r)
				}
			},
		},
		{
			name: "nulls and empty strings clear optional fields, never required ones",
			employees: `[{"attributes":{"id":{"value":1},"email":{"value":"a@x.example"},"status":{"value":"inactive"},"last_name":{"value":""},
				"department":{"value":null},"team":{"value":{"type":"Team","attributes":{"id":5}}},"position":{"value":""},"gender":{"value":null},
				"termination_date":{"value":null},"supervisor":{"value":null},"preferred_name":{"label":"Preferred name"}}}]`,
			check: func(t *testing.T, r directory.Record) {
				checkCells(t, r, cells{directory.LastName: keep, directory.Department: clear, directory.Team: keep, directory.Title: clear,
					directory.Gender: clear, directory.LeavingDate: clear, directory.ManagerEmail: clear, directory.PreferredName: clear,
					directory.Status: set("Inactive")})
			},
		},
		{
			name:      "odd values are warnings",
			employees: `[{"attributes":{"id":{"value":1},"email":{"value":"a@x.example"},"status":{"value":"paused"},"hire_date":{"value":"09.11.2014"},"employment_type":{"value":"trainee"},"termination_type":{"value":"Mutual agreement"}}}]`,
			check: func(t *testing.T, r directory.Record) {
				checkCells(t, r, cells{directory.Status: keep, directory.HireDate: keep, directory.EmploymentType: keep, directory.TerminationType: keep})
			},
			problems: []string{
				`Personio's status "paused" is not onboarding, active, leave or inactive; the status is left unchanged`,
				`Hiring Date: Personio's hire_date "09.11.2014" is not a date; the stored value is kept`,
			},
		},
		{
			name:      "people without id or email are skipped; status absent for some only",
			employees: `[{"attributes":{"email":{"value":"a@x.example"},"status":{"value":"active"}}},{"attributes":{"id":{"value":2}}},{"attributes":{"id":{"value":3},"email":{"value":"c@x.example"}}}]`,
			skipped:   2,
			check: func(t *testing.T, r directory.Record) {
				if r.Row != 4 || r.Cells.Get(directory.Status) != keep {
					t.Errorf("record = %+v", r)
				}
			},
		},
		{
			name:      "email readable for nobody",
			employees: `[{"attributes":{"id":{"value":1},"status":{"value":"active"}}}]`,
			wantErr:   MissingAccessMessage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var employees []employee
			if err := json.Unmarshal([]byte(tt.employees), &employees); err != nil {
				t.Fatal(err)
			}
			all, _, err := recordsFromEmployees(employees)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, sources.ErrMissingAccess) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			records, skipped := hrtest.SplitSkipped(all)
			if err != nil || len(records) != 1 || skipped != tt.skipped {
				t.Fatalf("%d records, %d skipped, %v", len(records), skipped, err)
			}
			tt.check(t, records[0])
			var msgs []string
			for _, p := range records[0].Problems {
				msgs = append(msgs, p.Message)
			}
			if !slices.Equal(msgs, tt.problems) {
				t.Errorf("problems = %q\nwant %q", msgs, tt.problems)
			}
		})
	}
}

func TestParseOddPages(t *testing.T) {
	var page employeesPage
	body := `{"success":true,"metadata":{"total_elements":"230","current_page":2.0,"total_pages":null},"extra":[1],"data":[]}`
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	total, okTotal := page.Metadata.TotalElements.int()
	current, okCurrent := page.Metadata.CurrentPage.int()
	_, okPages := page.Metadata.TotalPages.int()
	if total != 230 || !okTotal || current != 2 || !okCurrent || okPages {
		t.Errorf("metadata read as %d %v, %d %v, %v", total, okTotal, current, okCurrent, okPages)
	}
}

// pageOffsets are the offsets of the employee pages the fake was asked for.
func pageOffsets(t *testing.T, srv *fake.Server) []string {
	t.Helper()
	var offsets []string
	for _, r := range srv.Requests() {
		if r.Path == "/v1/company/employees" {
			q, err := url.ParseQuery(r.RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			offsets = append(offsets, q.Get("offset"))
		}
	}
	return offsets
}
