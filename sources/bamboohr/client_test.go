package bamboohr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/bamboohr/fake"
	"github.com/staffsync/staffsync/sources/hrfake/hrtest"
)

func newClient(t *testing.T, opts fake.Options, change func(*Config)) (*Client, *fake.Server, *hrtest.SleepRecorder) {
	t.Helper()
	srv := fake.NewServer(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg := Config{Subdomain: srv.Company(), APIKey: fake.DemoAPIKey, BaseURL: ts.URL, HTTPClient: ts.Client()}
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

func TestFetchRecordsMapsTheDemoCompany(t *testing.T) {
	c, _, _ := newClient(t, fake.Options{}, nil)
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 25 || c.Skipped() != 1 || len(c.Warnings()) != 0 {
		t.Fatalf("got %d records, %d skipped, warnings %q; want 25 and 1 (the contractor without work email)", len(records), c.Skipped(), c.Warnings())
	}
	if records[0].Row != 2 || records[24].Row != 26 {
		t.Errorf("rows = %d..%d, want 2..26 (answer order)", records[0].Row, records[24].Row)
	}
	if r := records[24]; r.Skip != "no work email" || r.SourceID != "125" || r.Cells.Get(directory.FirstName) != set("Rosalind") || r.Cells.Get(directory.Status) != keep {
		t.Errorf("the contractor without work email: %+v", r)
	}
	tests := []struct {
		id        string
		row       int
		managerID string
		cells     map[directory.Field]directory.Value
	}{
		{"101", 2, "", map[directory.Field]directory.Value{
			directory.FirstName: set("Ada"), directory.LastName: set("Lovelace"), directory.PreferredName: clear,
			directory.Email: set("ada.lovelace@acme.example"), directory.Gender: set("F"),
			directory.Title: set("Chief Executive Officer"), directory.Department: set("Management"),
			directory.Team: set("Headquarters"), directory.Location: set("London"), directory.EmployeeID: set("E001"),
			directory.HireDate: set("2015-03-02"), directory.LeavingDate: clear, directory.Status: set("Active"),
			directory.EmploymentType: set("Full-time"), directory.ManagerEmail: clear,
			directory.AltEmail: keep, directory.SecondaryManagerEmail: keep, directory.TerminationType: keep,
		}},
		{"103", 4, "101", map[directory.Field]directory.Value{
			directory.PreferredName: set("Charlie"), directory.Gender: set("M"),
			directory.ManagerEmail: set("ada.lovelace@acme.example"),
		}},
		{"114", 15, "107", map[directory.Field]directory.Value{
			directory.Gender: set("N"), directory.EmploymentType: set("Part-time"),
			directory.ManagerEmail: set("margaret.hamilton@acme.example"),
		}},
		{"121", 22, "105", map[directory.Field]directory.Value{directory.Gender: clear}},
		{"124", 25, "107", map[directory.Field]directory.Value{
			directory.Status: set("Inactive"), directory.LeavingDate: set("2024-03-31"),
		}},
	}
	for _, tt := range tests {
		r := hrtest.RecordBySourceID(t, records, tt.id)
		if r.Row != tt.row || r.ManagerSourceID != tt.managerID || len(r.Problems) != 0 {
			t.Errorf("%s: row %d manager %q problems %v; want row %d manager %q and no problems",
				tt.id, r.Row, r.ManagerSourceID, r.Problems, tt.row, tt.managerID)
		}
		for f, want := range tt.cells {
			if r.Cells.Get(f) != want {
				t.Errorf("%s: %s = %+v, want %+v", tt.id, f, r.Cells.Get(f), want)
			}
		}
	}
}

func TestReportRequestIsExactlyWhatBambooHRNeeds(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	if _, err := c.FetchRecords(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := c.CountPeople(context.Background()); err != nil || n != 25 {
		t.Fatalf("CountPeople = %d, %v; want 25 (active and inactive, with or without email)", n, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, want := range [][]string{{"id"}, ReportFields, {"id"}} {
		r := reqs[i]
		if r.Method != "POST" || r.Path != "/acme/v1/reports/custom" || r.RawQuery != "format=JSON" ||
			r.ContentType != "application/json" || r.Accept != "application/json" || !slices.Equal(r.Fields, want) {
			t.Errorf("request %d = %+v", i, r)
		}
	}
}

func TestRestrictedFields(t *testing.T) {
	tests := []struct {
		name       string
		restricted []string
		wantErr    string
		keptCells  []directory.Field
	}{
		{"status hidden", []string{"status"}, MissingAccessMessage, nil},
		{"work email hidden", []string{"workEmail"}, MissingAccessMessage, nil},
		{"both hidden", []string{"workEmail", "status", "gender"}, MissingAccessMessage, nil},
		{"optional fields hidden are kept, never cleared", []string{"gender", "location", "hireDate", "terminationDate", "supervisorEmail", "preferredName"}, "",
			[]directory.Field{directory.Gender, directory.Location, directory.HireDate, directory.LeavingDate, directory.PreferredName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newClient(t, fake.Options{RestrictedFields: tt.restricted}, nil)
			records, err := c.FetchRecords(context.Background())
			if tt.wantErr != "" {
				if !errors.Is(err, sources.ErrMissingAccess) || err.Error() != tt.wantErr || errors.Is(err, sources.ErrAuth) {
					t.Fatalf("err = %v, want ErrMissingAccess %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ada := hrtest.RecordBySourceID(t, records, "101")
			for _, f := range tt.keptCells {
				if ada.Cells.Get(f) != keep {
					t.Errorf("%s = %+v, want Keep", f, ada.Cells.Get(f))
				}
			}
			// The CEO's readable supervisorEId is null: she reports to nobody, whatever
			// supervisorEmail's visibility.
			if ada.Cells.Get(directory.ManagerEmail) != clear {
				t.Errorf("manager email = %+v, want Clear", ada.Cells.Get(directory.ManagerEmail))
			}
			grace := hrtest.RecordBySourceID(t, records, "102")
			if grace.ManagerSourceID != "101" || grace.Cells.Get(directory.Status) != set("Active") {
				t.Errorf("grace = %+v", grace)
			}
		})
	}
}

func TestCountPeopleWorksWithRestrictedFields(t *testing.T) {
	c, _, _ := newClient(t, fake.Options{RestrictedFields: []string{"status", "workEmail"}}, nil)
	if n, err := c.CountPeople(context.Background()); err != nil || n != 25 {
		t.Fatalf("CountPeople = %d, %v; want 25", n, err)
	}
}

func TestValueShapes(t *testing.T) {
	tests := []struct {
		name    string
		opts    fake.Options
		id      string
		manager string
		cells   map[directory.Field]directory.Value
	}{
		{"nulls clear the stored values", fake.Options{EmptyAsNull: true}, "101", "", map[directory.Field]directory.Value{
			directory.ManagerEmail: clear, directory.LeavingDate: clear, directory.PreferredName: clear, directory.HireDate: set("2015-03-02"),
		}},
		{"empty strings clear too", fake.Options{EmptyAsString: true}, "101", "", map[directory.Field]directory.Value{
			directory.ManagerEmail: clear, directory.LeavingDate: clear, directory.PreferredName: clear,
		}},
		{"numbers instead of strings", fake.Options{NumbersAsNumbers: true}, "102", "101", map[directory.Field]directory.Value{
			directory.EmployeeID: set("E002"), directory.FirstName: set("Grace"),
		}},
		{"unknown employee keys are ignored", fake.Options{ExtraEmployeeKeys: map[string]any{"age": "12", "customShirt": map[string]any{"size": "L"}, "isPhotoUploaded": true}},
			"102", "101", map[directory.Field]directory.Value{directory.Title: set("Chief Technology Officer")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newClient(t, tt.opts, nil)
			records, err := c.FetchRecords(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			r := hrtest.RecordBySourceID(t, records, tt.id)
			if r.ManagerSourceID != tt.manager {
				t.Errorf("manager source id = %q, want %q", r.ManagerSourceID, tt.manager)
			}
			for f, want := range tt.cells {
				if r.Cells.Get(f) != want {
					t.Errorf("%s = %+v, want %+v", f, r.Cells.Get(f), want)
				}
			}
		})
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
	}{
		{"bad key", fake.Options{}, nil, func(c *Config) { c.APIKey = "wrong-key-123" }, sources.ErrAuth,
			`BambooHR rejected the API key (401): Invalid API key "[redacted]"; create a new API key in BambooHR and update the integration`},
		{"no key", fake.Options{}, nil, func(c *Config) { c.APIKey = "" }, sources.ErrAuth,
			"BambooHR: the integration has no API key; create one in BambooHR (your name > API Keys) and enter it"},
		{"forbidden", fake.Options{}, []fake.Failure{{Status: 403, Message: "You do not have access to this report"}}, nil, sources.ErrAuth,
			"BambooHR refused access (403): You do not have access to this report; the API key's user needs access to all employees and fields"},
		{"legacy message header", fake.Options{LegacyMessageHeader: true}, []fake.Failure{{Status: 403, Message: "Locked user"}}, nil, sources.ErrAuth,
			"BambooHR refused access (403): Locked user; the API key's user needs access to all employees and fields"},
		{"unknown company", fake.Options{}, nil, func(c *Config) { c.Subdomain = "nope" }, sources.ErrAuth,
			`BambooHR does not know the company "nope" (404); check the subdomain (the part before .bamboohr.com)`},
		{"server error with a text body", fake.Options{}, []fake.Failure{{Status: 500, Body: "Internal error, ref 42"}}, nil, nil,
			"BambooHR had a server error (500): Internal error, ref 42"},
		{"server error with an HTML body", fake.Options{}, []fake.Failure{{Status: 502, Body: "<html>\n<body>Bad gateway</body></html>"}}, nil, nil,
			"BambooHR had a server error (502)"},
		{"rate limited too long", fake.Options{}, []fake.Failure{{Status: 429, RetryAfter: "3600"}}, nil, nil,
			"BambooHR is rate limiting the sync (429); BambooHR asks to wait 1h0m0s, the sync tries again later"},
		{"rate limited every time", fake.Options{}, slices.Repeat([]fake.Failure{{Status: 503, RetryAfter: "1"}}, 5), nil, nil,
			"BambooHR is rate limiting the sync (503) (gave up after 5 attempts)"},
		{"nobody visible", fake.Options{People: []fake.Person{}}, nil, nil, sources.ErrMissingAccess,
			"BambooHR returned no employees for this API key; give the key's user access to all employees"},
		{"nobody with a work email", fake.Options{People: []fake.Person{{ID: "1", FirstName: "A", LastName: "B", Status: "Active"}}}, nil, nil, sources.ErrMissingAccess,
			"none of the 1 employees BambooHR returned has a work email the API key can read; give the key's user access to the work email of all employees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _ := newClient(t, tt.opts, tt.change)
			srv.FailNext(tt.failures...)
			_, err := c.FetchRecords(context.Background())
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("err = %v\nwant %s", err, tt.wantMsg)
			}
			for _, class := range []error{sources.ErrAuth, sources.ErrMissingAccess} {
				if errors.Is(err, class) != (class == tt.wantClass) {
					t.Errorf("errors.Is(err, %v) = %v", class, errors.Is(err, class))
				}
			}
			if strings.Contains(err.Error(), "wrong-key-123") || strings.Contains(err.Error(), fake.DemoAPIKey) {
				t.Errorf("error reveals the API key: %v", err)
			}
		})
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	c, srv, rec := newClient(t, fake.Options{}, func(c *Config) { c.MinRetryWait = 20 * time.Millisecond })
	srv.FailNext(fake.Failure{Status: 503, RetryAfter: "7"}, fake.Failure{Status: 429}, fake.Failure{Status: 429, RetryAfter: "0"})
	records, err := c.FetchRecords(context.Background())
	if err != nil || len(records) != 25 {
		t.Fatalf("got %d records, %v", len(records), err)
	}
	want := []time.Duration{7 * time.Second, 20 * time.Millisecond, 20 * time.Millisecond}
	hrtest.ExpectWaits(t, rec, want...)
	if got := len(srv.Requests()); got != 5 {
		t.Errorf("%d requests, want 5 (3 refused, the count, the report)", got)
	}
}

func TestRetryWaitIsContextAware(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	c.sleep = sources.SleepContext // really wait
	srv.FailNext(fake.Failure{Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.FetchRecords(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s; want the context's deadline, quickly", err, time.Since(start))
	}
}

func TestRetryWaitReadsHTTPDates(t *testing.T) {
	now := time.Date(2026, 9, 16, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", time.Second},
		{"12", 12 * time.Second},
		{"-3", time.Second},
		{"soon", time.Second},
		{now.Add(90 * time.Second).UTC().Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).UTC().Format(http.TimeFormat), time.Second},
	}
	for _, tt := range tests {
		h := map[string][]string{}
		if tt.header != "" {
			h["Retry-After"] = []string{tt.header}
		}
		if got := sources.RetryWait(h, now, time.Second); got != tt.want {
			t.Errorf("Retry-After %q: wait %s, want %s", tt.header, got, tt.want)
		}
	}
}

func TestFakeChangesArePickedUp(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	id := srv.AddPerson(fake.Person{FirstName: "New", LastName: "Hire", WorkEmail: "new.hire@acme.example",
		SupervisorID: "106", HireDate: "2026-10-01"})
	if err := srv.SetManager("110", "107"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Terminate("109", "2026-09-30"); err != nil {
		t.Fatal(err)
	}
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hire := hrtest.RecordBySourceID(t, records, id)
	if id != "126" || hire.Row != 27 || hire.ManagerSourceID != "106" || hire.Cells.Get(directory.Status) != set("Active") ||
		hire.Cells.Get(directory.ManagerEmail) != set("linus.torvalds@acme.example") {
		t.Errorf("new hire %s = %+v", id, hire)
	}
	if r := hrtest.RecordBySourceID(t, records, "110"); r.ManagerSourceID != "107" {
		t.Errorf("110 manager = %q, want 107", r.ManagerSourceID)
	}
	if r := hrtest.RecordBySourceID(t, records, "109"); r.Cells.Get(directory.Status) != set("Inactive") || r.Cells.Get(directory.LeavingDate) != set("2026-09-30") {
		t.Errorf("109 = %+v", r.Cells)
	}
	if err := srv.SetManager("999", "101"); err == nil {
		t.Error("SetManager of an unknown id succeeded")
	}
}

// TestParseOddReports feeds answers straight to the parser.
func TestParseOddReports(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantErr  string
		skipped  int
		check    func(t *testing.T, r directory.Record)
		problems []string
	}{
		{
			name: "numbers, booleans, objects and unknown fields",
			body: `{"title":"x","extra":{"a":1},"fields":[{"id":"workEmail","type":"email","name":"Work Email","more":true},{"id":"status"},{"id":"employeeNumber"},{"id":4047}],
				"employees":[{"id":7,"workEmail":"a@x.example","status":"Active","employeeNumber":12.5,"4047":"x","firstName":true,"tags":["a"]}]}`,
			check: func(t *testing.T, r directory.Record) {
				// firstName is not in "fields": the key cannot see it, so it is kept.
				if r.SourceID != "7" || r.Cells.Get(directory.EmployeeID) != set("12.5") || r.Cells.Get(directory.FirstName) != keep {
					t.Errorf("record = %+v", r)
				}
			},
		},
		{
			name: "no field list: visibility from the employees",
			body: `{"employees":[{"id":"1","workEmail":"a@x.example","status":"Inactive","hireDate":"2020-02-29T00:00:00"}]}`,
			check: func(t *testing.T, r directory.Record) {
				if r.Cells.Get(directory.Status) != set("Inactive") || r.Cells.Get(directory.HireDate) != set("2020-02-29") {
					t.Errorf("record = %+v", r.Cells)
				}
			},
		},
		{
			name: "odd values become warnings and keep the stored value",
			body: `{"fields":[{"id":"workEmail"},{"id":"status"},{"id":"hireDate"},{"id":"gender"},{"id":"employmentHistoryStatus"},{"id":"terminationDate"}],
				"employees":[{"id":"1","workEmail":" a@x.example ","status":"Suspended","hireDate":"31/12/2020","gender":"Other","employmentHistoryStatus":"Terminated","terminationDate":""}]}`,
			check: func(t *testing.T, r directory.Record) {
				if r.Cells.Get(directory.Email) != set("a@x.example") || r.Cells.Get(directory.Status) != keep || r.Cells.Get(directory.HireDate) != keep ||
					r.Cells.Get(directory.Gender) != set("N") || r.Cells.Get(directory.EmploymentType) != keep || r.Cells.Get(directory.LeavingDate) != clear {
					t.Errorf("cells = %+v", r.Cells)
				}
			},
			problems: []string{
				`Hiring Date: BambooHR's hireDate "31/12/2020" is not a date; the stored value is kept`,
				`BambooHR's status "Suspended" is neither Active nor Inactive; the status is left unchanged`,
			},
		},
		{
			name:    "people without id or email are skipped",
			body:    `{"fields":[{"id":"workEmail"},{"id":"status"}],"employees":[{"id":"1","workEmail":null,"status":"Active"},{"workEmail":"b@x.example"},{"id":"3","workEmail":"c@x.example"}]}`,
			skipped: 2,
			check: func(t *testing.T, r directory.Record) {
				if r.Row != 4 || r.SourceID != "3" || r.Cells.Get(directory.Status) != keep {
					t.Errorf("record = %+v", r)
				}
			},
		},
		{
			name:    "a field list without status",
			body:    `{"fields":[{"id":"workEmail"}],"employees":[{"id":"1","workEmail":"a@x.example","status":"Active"}]}`,
			wantErr: MissingAccessMessage,
		},
		{
			name: "a supervisor id wins over an empty supervisor email",
			body: `{"fields":[{"id":"workEmail"},{"id":"status"},{"id":"supervisorEId"},{"id":"supervisorEmail"}],"employees":[{"id":"1","workEmail":"a@x.example","supervisorEId":"9","supervisorEmail":""}]}`,
			check: func(t *testing.T, r directory.Record) {
				if r.ManagerSourceID != "9" || r.Cells.Get(directory.ManagerEmail) != keep {
					t.Errorf("record = %+v", r)
				}
			},
		},
		{
			name: "an empty supervisor clears the manager",
			body: `{"fields":[{"id":"workEmail"},{"id":"status"},{"id":"supervisorEId"}],"employees":[{"id":"1","workEmail":"a@x.example","supervisorEId":""}]}`,
			check: func(t *testing.T, r directory.Record) {
				if r.ManagerSourceID != "" || r.Cells.Get(directory.ManagerEmail) != clear {
					t.Errorf("record = %+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var answer reportAnswer
			if err := json.Unmarshal([]byte(tt.body), &answer); err != nil {
				t.Fatal(err)
			}
			all, _, err := recordsFromReport(&answer)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
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
				if p.Severity != directory.SeverityWarning {
					t.Errorf("problem %q is not a warning", p.Message)
				}
				msgs = append(msgs, p.Message)
			}
			if !slices.Equal(msgs, tt.problems) {
				t.Errorf("problems = %q\nwant %q", msgs, tt.problems)
			}
		})
	}
}

func TestNotJSONAnswer(t *testing.T) {
	// A proxy in front of BambooHR that drops Accept gets XML back.
	srv := fake.NewServer(fake.Options{})
	ts := httptest.NewServer(stripAccept{srv})
	defer ts.Close()
	c := New(Config{Subdomain: "acme", APIKey: fake.DemoAPIKey, BaseURL: ts.URL})
	_, err := c.FetchRecords(context.Background())
	want := "BambooHR answered with something that is not a JSON report (content type text/xml; charset=utf-8): invalid character '<' looking for beginning of value"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

type stripAccept struct{ next *fake.Server }

func (s stripAccept) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Header.Del("Accept")
	s.next.ServeHTTP(w, r)
}
