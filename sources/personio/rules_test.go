package personio

import (
	"context"
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
	"github.com/staffsync/staffsync/sources/hrfake/hrtest"
	"github.com/staffsync/staffsync/sources/personio/fake"
)

// Issue 17's rules, each against the fake.

func TestAuthRenewsOnceOnRefusal(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(srv *fake.Server, c *Client)
		people    int
		wantErr   error
		wantAuths int
	}{
		{"token expires mid-run (403): renewed, the run goes on", func(srv *fake.Server, _ *Client) { srv.ExpireTokensAfter(1) }, 230, nil, 2},
		{"token older than expires_in says (24 h from first issue)", func(srv *fake.Server, c *Client) {
			if _, err := c.CountPeople(context.Background()); err != nil {
				t.Fatal(err)
			}
			srv.Advance(25 * time.Hour) // the fake's clock only: the client still trusts its cache
		}, 25, nil, 2},
		{"a refused fresh token is an authentication failure", func(srv *fake.Server, _ *Client) {
			srv.FailNext(fake.Failure{Status: 403, Body: `{"success":false,"error":{"code":403,"message":"Provided authorization is not valid"}}`},
				fake.Failure{Status: 403, Body: `{"success":false,"error":{"code":403,"message":"Provided authorization is not valid"}}`})
		}, 25, sources.ErrAuth, 2},
		{"401 then fine", func(srv *fake.Server, _ *Client) {
			srv.FailNext(fake.Failure{Status: 401, Body: `{"success":false,"error":{"code":401,"message":"Authorization is not provided"}}`})
		}, 25, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fake.Options{}
			if tt.people != 25 {
				opts.People = manyPeople(tt.people)
			}
			c, srv, _ := newClient(t, opts, nil)
			tt.setup(srv, c)
			records, err := c.FetchRecords(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || len(records) != tt.people {
				t.Fatalf("%d records, %v; want %d", len(records), err, tt.people)
			}
			if srv.AuthCalls() != tt.wantAuths {
				t.Errorf("%d auth calls, want %d", srv.AuthCalls(), tt.wantAuths)
			}
		})
	}
}

func TestPaginationProvesTheRosterComplete(t *testing.T) {
	tests := []struct {
		name        string
		people      int
		setup       func(srv *fake.Server)
		wantOffsets []string
		wantErr     string
	}{
		{"pages capped below the limit: advance by records received", 20, func(srv *fake.Server) { srv.SetPageCap(7) },
			[]string{"0", "7", "14"}, ""},
		{"roster short of total_elements fails", 230, func(srv *fake.Server) { srv.SetOmitted(5, 150) },
			[]string{"0", "100", "200", "228"}, "Personio says it has 230 employees but sent 228; without the whole roster nobody is deactivated or counted as missing, and the next run tries again"},
		{"short last page ends at the empty page", 30, func(srv *fake.Server) { srv.SetOmitted(30) },
			[]string{"0", "29"}, "Personio says it has 30 employees but sent 29"},
		{"two pages exactly", 200, func(srv *fake.Server) {},
			[]string{"0", "100"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _ := newClient(t, fake.Options{People: manyPeople(tt.people)}, nil)
			tt.setup(srv)
			records, err := c.FetchRecords(context.Background())
			if tt.wantErr != "" {
				if !errors.Is(err, sources.ErrIncompleteRoster) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v\nwant %s", err, tt.wantErr)
				}
			} else if err != nil || len(records) != tt.people {
				t.Fatalf("%d records, %v", len(records), err)
			}
			if got := pageOffsets(t, srv); !slices.Equal(got, tt.wantOffsets) {
				t.Errorf("offsets %v, want %v", got, tt.wantOffsets)
			}
		})
	}
}

// An employee deleted between two pages shifts the rest: the one that moved into the read
// range is never sent although the count would still match; the changed total catches it.
func TestPaginationCatchesAShiftedRoster(t *testing.T) {
	srv := fake.NewServer(fake.Options{People: manyPeople(150)})
	removed := false
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/company/employees" && r.URL.Query().Get("offset") == "100" && !removed {
			removed = true
			if err := srv.Remove(3); err != nil {
				t.Error(err)
			}
		}
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	c := New(Config{ClientID: fake.DemoClientID, ClientSecret: fake.DemoClientSecret, BaseURL: ts.URL, HTTPClient: ts.Client()})
	_, err := c.FetchRecords(context.Background())
	if !errors.Is(err, sources.ErrIncompleteRoster) || !strings.Contains(err.Error(), "roster changed while it was read (150 employees, then 149)") {
		t.Fatalf("err = %v", err)
	}
}

func TestNullClearsAbsentKeepsAndWarnsOnce(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{HiddenAttributes: []string{"office", "team"}}, nil)
	srv.SetNull(8, "department", "supervisor", "hire_date", "position", "gender", "preferred_name", "last_name")
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkCells(t, hrtest.RecordBySourceID(t, records, "8"), cells{
		directory.Department: clear, directory.ManagerEmail: clear, directory.HireDate: clear, directory.Title: clear,
		directory.Gender: clear, directory.PreferredName: clear,
		directory.LastName: keep, // required: a blank never wipes it
		directory.Location: keep, directory.Team: keep,
	})
	if r := hrtest.RecordBySourceID(t, records, "8"); r.ManagerSourceID != "" {
		t.Errorf("null supervisor still gives manager %q", r.ManagerSourceID)
	}
	warnings := c.Warnings()
	if len(warnings) != 2 || !strings.Contains(warnings[0], `"office" for 25 of 25 employees`) || !strings.Contains(warnings[1], `"team"`) {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestOnlyTheAttributesUsedAreRequested(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	if _, err := c.FetchRecords(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if r.Path != "/v1/company/employees" {
			continue
		}
		for _, key := range fake.Sensitive() {
			if strings.Contains(r.RawQuery, key) {
				t.Errorf("asked for %s: %s", key, r.RawQuery)
			}
		}
		if strings.Count(r.RawQuery, "attributes%5B%5D=") != len(Attributes) {
			t.Errorf("query %s does not name the %d attributes", r.RawQuery, len(Attributes))
		}
	}
}

func TestMapping(t *testing.T) {
	c, srv, _ := newClient(t, fake.Options{}, nil)
	must := hrtest.Must(t)
	must(srv.Update(3, func(p *fake.Person) { p.PreferredName = "jonas  WEBER" }))
	must(srv.Update(4, func(p *fake.Person) { p.PreferredName = "Miri Schulz" }))
	must(srv.Update(6, func(p *fake.Person) { p.Email = "sofia.keller at globex" }))
	must(srv.Update(7, func(p *fake.Person) { p.EmploymentType = "" }))
	records, err := c.FetchRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id    string
		cells cells
		skip  string
	}{
		{"1", cells{directory.EmploymentType: keep, directory.PreferredName: set("Alex")}, ""},                // internal: unchanged
		{"13", cells{directory.EmploymentType: set("Contractor")}, ""},                                        // external
		{"7", cells{directory.EmploymentType: keep}, ""},                                                      // not set: unchanged
		{"2", cells{directory.PreferredName: clear}, ""},                                                      // "Lena Fischer"
		{"3", cells{directory.PreferredName: clear}, ""},                                                      // case and spaces
		{"4", cells{directory.PreferredName: set("Miri")}, ""},                                                // full name with a nickname
		{"22", cells{directory.Status: set("Active"), directory.HireDate: set("2027-02-01")}, ""},             // onboarding
		{"9", cells{directory.Status: set("Active")}, ""},                                                     // leave
		{"6", cells{directory.Email: keep, directory.Status: keep}, `invalid email "sofia.keller at globex"`}, // skipped
		{"25", cells{directory.FirstName: set("Max"), directory.LastName: set("Krause")}, "no email"},         // skipped, named
	}
	for _, tt := range tests {
		r := hrtest.RecordBySourceID(t, records, tt.id)
		if r.Skip != tt.skip {
			t.Errorf("%s: skip %q, want %q", tt.id, r.Skip, tt.skip)
		}
		checkCells(t, r, tt.cells)
	}
	if c.Skipped() != 2 {
		t.Errorf("Skipped() = %d, want 2", c.Skipped())
	}
}

func TestPreferredName(t *testing.T) {
	tests := []struct{ preferred, first, last, want string }{
		{"Alexander Bergmann", "Alexander", "Bergmann", ""},
		{"  alexander   bergmann ", "Alexander", "Bergmann", ""},
		{"Bergmann Alexander", "Alexander", "Bergmann", ""},
		{"Alexander", "Alexander", "Bergmann", ""},
		{"Alex", "Alexander", "Bergmann", "Alex"},
		{"Alex Bergmann", "Alexander", "Bergmann", "Alex"},
		{"Ana de la Cruz", "Anabel", "de la Cruz", "Ana"},
		{"Sam Smith", "Alexander", "Bergmann", "Sam Smith"},
	}
	for _, tt := range tests {
		view := employeeView{}
		for key, value := range map[string]string{"preferred_name": tt.preferred, "first_name": tt.first, "last_name": tt.last} {
			view[key] = []byte(fmt.Sprintf(`{"label":"x","value":%q}`, value))
		}
		got := preferredName(view)
		want := directory.Value{Op: directory.Clear}
		if tt.want != "" {
			want = set(tt.want)
		}
		if got != want {
			t.Errorf("%q (%s %s) = %+v, want %+v", tt.preferred, tt.first, tt.last, got, want)
		}
	}
}

func TestRateLimitsHaveABoundedTotalWait(t *testing.T) {
	c, srv, rec := newClient(t, fake.Options{People: manyPeople(230)}, func(c *Config) { c.MaxTotalWait = 100 * time.Second })
	srv.RateLimitNext(1, "60")
	if _, err := c.FetchRecords(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.RateLimitNext(2, "60") // 120 s > the 100 s budget of one fetch
	_, err := c.FetchRecords(context.Background())
	if err == nil || !strings.Contains(err.Error(), "already waited 1m0s for Personio's rate limit") || errors.Is(err, sources.ErrAuth) {
		t.Fatalf("err = %v", err)
	}
	hrtest.ExpectWaits(t, rec, time.Minute, time.Minute)
}

func TestHostileAnswers(t *testing.T) {
	big := strings.Repeat("x", MaxPageBytes)
	hrtest.ExpectFetchErrors(t, []hrtest.HostileAnswer{
		{Name: "redirect to another host is not followed", Handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://evil.example/steal?token=1", http.StatusFound)
		}, WantErr: "the HR system answered with a redirect to http://evil.example/steal; staffsync does not follow redirects"},
		{Name: "a page above the cap", Handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/auth" {
				fmt.Fprint(w, `{"success":true,"data":{"token":"papi-t","expires_in":86400}}`)
				return
			}
			fmt.Fprintf(w, `{"success":true,"metadata":{"total_elements":1},"data":[{"attributes":{"x":"%s"}}]}`, big)
		}, WantErr: "a page of Personio employees is larger than 8 MiB"},
	}, func(ts *httptest.Server) sources.RecordSource {
		return New(Config{ClientID: "id", ClientSecret: "secret", BaseURL: ts.URL, HTTPClient: ts.Client()})
	})
}

func TestTestAccess(t *testing.T) {
	hrtest.ExpectAccess(t, 25, []hrtest.AccessCase{
		{Name: "everything readable", WantReadable: []bool{true, true, true, true}},
		{Name: "no supervisor, no hire date", Hidden: []string{"supervisor", "hire_date"}, WantReadable: []bool{true, true, false, false}, WantWarnings: 2},
		{Name: "no status", Hidden: []string{"status"}, WantReadable: []bool{false, true, true, true}, WantWarnings: 1},
	}, func(t *testing.T, hidden []string) sources.AccessReporter {
		c, _, _ := newClient(t, fake.Options{HiddenAttributes: hidden}, nil)
		return c
	})
}

func TestTestAccessWarnsWhenNobodyIsVisible(t *testing.T) {
	c, _, _ := newClient(t, fake.Options{People: []fake.Person{}}, nil)
	hrtest.ExpectNobodyVisible(t, c, 5, "see no employees")
}
