package bamboohr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Issue 17's rules, each against the fake.

func TestNullClearsAbsentKeepsAndWarnsOnce(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{RestrictedFields: []string{"location", "division"}}, nil)
	srv.SetNull("108", "department", "supervisorEId", "supervisorEmail", "jobTitle", "hireDate", "lastName")
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := hrtest.RecordBySourceID(t, records, "108")
	for f, want := range map[directory.Field]directory.Value{
		directory.Department: clear, directory.ManagerEmail: clear, directory.Title: clear, directory.HireDate: clear,
		directory.LastName: keep,                       // required: a blank never wipes it
		directory.Location: keep, directory.Team: keep, // unreadable: kept
	} {
		if r.Cells.Get(f) != want {
			t.Errorf("%s = %+v, want %+v", f, r.Cells.Get(f), want)
		}
	}
	if r.ManagerSourceID != "" {
		t.Errorf("manager %q after the supervisor was emptied", r.ManagerSourceID)
	}
	warnings := c.Warnings()
	if len(warnings) != 2 || !strings.Contains(warnings[0], `"division"`) || !strings.Contains(warnings[1], `"location"`) {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestSkippedPeopleAreRecordsWithReasons(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	must := hrtest.Must(t)
	must(srv.Update("110", func(p *fake.Person) { p.WorkEmail = "" }))
	must(srv.Update("111", func(p *fake.Person) { p.WorkEmail = "frances.allen(at)acme" }))
	srv.AddPerson(fake.Person{ID: "112", FirstName: "Edsger", LastName: "Twin", WorkEmail: "twin@acme.example"})
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"no work email": 2, `invalid work email "frances.allen(at)acme"`: 1, "two people share id 112": 2}
	got := map[string]int{}
	for _, r := range records {
		if r.Skip != "" {
			got[r.Skip]++
			if r.Cells.Get(directory.FirstName).Op != directory.Set || r.Cells.Get(directory.Status) != keep || r.SourceID == "" {
				t.Errorf("skipped record %+v must name the person and change nothing", r)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || c.Skipped() != 5 {
		t.Errorf("skips %v (%d), want %v", got, c.Skipped(), want)
	}
}

func TestRosterCompleteness(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(srv *fake.Server)
		wantErr string
	}{
		{"report short of the count", func(srv *fake.Server) { srv.SetOmitted("105", "117") },
			"BambooHR's report has 23 people but the API key sees 25; without the whole roster nobody is deactivated or counted as missing, and the next run tries again"},
		{"status unreadable", func(srv *fake.Server) { srv.SetRestrictedFields("status") }, MissingAccessMessage},
		{"complete", func(*fake.Server) {}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _ := newClient(t, fake.Options{}, nil)
			tt.setup(srv)
			records, err := c.FetchRecords(context.Background())
			if tt.wantErr == "" {
				if err != nil || len(records) != 25 {
					t.Fatalf("%d records, %v", len(records), err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || errors.Is(err, sources.ErrAuth) {
				t.Fatalf("err = %v\nwant %s", err, tt.wantErr)
			}
		})
	}
}

// A hire between the count and the report: same number of rows would hide a deletion, so
// the ids are compared too.
func TestRosterChangedBetweenCountAndReport(t *testing.T) {
	srv := fake.NewServer(fake.Options{})
	calls := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls++; calls == 2 {
			if err := srv.Remove("103"); err != nil {
				t.Error(err)
			}
			srv.AddPerson(fake.Person{FirstName: "New", LastName: "Hire", WorkEmail: "new.hire@acme.example"})
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	c := New(Config{Subdomain: "acme", APIKey: fake.DemoAPIKey, BaseURL: ts.URL, HTTPClient: ts.Client()})
	_, err := c.FetchRecords(context.Background())
	if !errors.Is(err, sources.ErrIncompleteRoster) || !strings.Contains(err.Error(), "name different people") {
		t.Fatalf("err = %v", err)
	}
}

func TestRateLimitsHaveABoundedTotalWait(t *testing.T) {
	c, srv, rec := newClient(t, fake.Options{}, func(c *Config) { c.MaxTotalWait = 100 * time.Second })
	srv.RateLimitNext(1, "60")
	if _, err := c.FetchRecords(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.RateLimitNext(2, "60")
	_, err := c.FetchRecords(context.Background())
	if err == nil || !strings.Contains(err.Error(), "BambooHR is rate limiting the sync (429): Rate limit exceeded; the sync already waited 1m0s") {
		t.Fatalf("err = %v", err)
	}
	hrtest.ExpectWaits(t, rec, time.Minute, time.Minute)
}

func TestHostileAnswers(t *testing.T) {
	hrtest.ExpectFetchErrors(t, []hrtest.HostileAnswer{
		{Name: "redirect is not followed", Handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://evil.example/collect?k=1", http.StatusTemporaryRedirect)
		}, WantErr: "the HR system answered with a redirect to http://evil.example/collect; staffsync does not follow redirects"},
		{Name: "the count above its cap", Handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"fields":[],"employees":[{"id":"%s"}]}`, strings.Repeat("9", MaxCountBytes))
		}, WantErr: "BambooHR's report is larger than 8 MiB"},
		{Name: "the report above what the count allows", Handler: func(w http.ResponseWriter, r *http.Request) {
			var body struct{ Fields []string }
			_ = jsonDecode(r, &body)
			if len(body.Fields) == 1 {
				fmt.Fprint(w, `{"fields":[],"employees":[{"id":"1"}]}`)
				return
			}
			fmt.Fprintf(w, `{"fields":[],"employees":[{"id":"1","x":"%s"}]}`, strings.Repeat("x", reportSlack+bytesPerPerson))
		}, WantErr: "BambooHR's report is larger than 4.0 MiB"},
	}, func(ts *httptest.Server) sources.RecordSource {
		return New(Config{Subdomain: "acme", APIKey: "k", BaseURL: ts.URL, HTTPClient: ts.Client()})
	})
}

func TestTestAccess(t *testing.T) {
	hrtest.ExpectAccess(t, 25, []hrtest.AccessCase{
		{Name: "everything readable", WantReadable: []bool{true, true, true, true}},
		{Name: "no supervisor, no hire date", Hidden: []string{"supervisorEId", "hireDate"}, WantReadable: []bool{true, true, false, false}, WantWarnings: 2},
		{Name: "no work email", Hidden: []string{"workEmail"}, WantReadable: []bool{true, false, true, true}, WantWarnings: 1},
	}, func(t *testing.T, hidden []string) sources.AccessReporter {
		c, _, _ := newClient(t, fake.Options{RestrictedFields: hidden}, nil)
		return c
	})
}

// The connection test asks BambooHR for exactly the fields it judges, in this order.
func TestTestAccessAsksForTheFieldsItJudges(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	if _, err := c.TestAccess(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[0].Fields; !slices.Equal(got, []string{"status", "workEmail", "supervisorEId", "hireDate"}) {
		t.Errorf("asked for %v", got)
	}
}

func jsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

// A future hire is delivered as Active with the hire date: the planner holds them as pending.
func TestFutureHireKeepsItsHireDate(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	id := srv.AddPerson(fake.Person{FirstName: "Future", LastName: "Hire", WorkEmail: "future.hire@acme.example",
		HireDate: "2031-01-06", Status: "Active", SupervisorID: "102"})
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := hrtest.RecordBySourceID(t, records, id)
	if r.Cells.Get(directory.HireDate) != set("2031-01-06") || r.Cells.Get(directory.Status) != set("Active") || r.Skip != "" {
		t.Errorf("future hire = %+v", r)
	}
}

func TestTestAccessWarnsWhenNobodyIsVisible(t *testing.T) {
	c, _, _ := newClient(t, fake.Options{People: []fake.Person{}}, nil)
	hrtest.ExpectNobodyVisible(t, c, 1, "sees no employees")
}
