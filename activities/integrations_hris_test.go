package activities

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/sources"
	bamboofake "github.com/staffsync/staffsync/sources/bamboohr/fake"
	personiofake "github.com/staffsync/staffsync/sources/personio/fake"
	"github.com/staffsync/staffsync/store"
)

// The connection test of both HR systems against their fakes: the people the credentials
// see, which fields they can read, and a warning for each they cannot.
func TestHRISConnectionTestReportsAccess(t *testing.T) {
	bamboo := bamboofake.NewServer(bamboofake.Options{RestrictedFields: []string{"supervisorEId", "hireDate"}})
	personio := personiofake.NewServer(personiofake.Options{})
	tests := []struct {
		kind   string
		server interface {
			ServeHTTP(w http.ResponseWriter, r *http.Request)
		}
		settings     map[string]string
		secrets      map[string]string
		wantMessage  string
		wantWarnings int
	}{
		{store.KindBambooHR, bamboo, map[string]string{"subdomain": "acme"}, map[string]string{"api_key": bamboofake.DemoAPIKey},
			"connected; the credentials see 25 people but cannot read supervisor, hire date", 2},
		{store.KindPersonio, personio, map[string]string{}, map[string]string{"client_id": personiofake.DemoClientID, "client_secret": personiofake.DemoClientSecret},
			"connected; the credentials see 25 people", 0},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ts := httptest.NewServer(tt.server)
			defer ts.Close()
			tt.settings["base_url"] = ts.URL
			src, err := RecordSources[tt.kind](tt.settings, tt.secrets, sources.Network{AllowPrivate: true})
			if err != nil {
				t.Fatal(err)
			}
			res, err := testRecordSource(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK || res.Message != tt.wantMessage || res.People != 25 || !res.PeopleKnown || len(res.Fields) != 4 || len(res.Warnings) != tt.wantWarnings {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

// base_url must be https unless private networks are allowed: the credentials would travel
// in the clear (and to wherever an admin points it).
func TestHRISBaseURLMustBeHTTPS(t *testing.T) {
	for kind, secrets := range map[string]map[string]string{
		store.KindBambooHR: {"api_key": "k"},
		store.KindPersonio: {"client_id": "i", "client_secret": "s"},
	} {
		settings := map[string]string{"subdomain": "acme", "base_url": "http://hr.example.com"}
		_, err := RecordSources[kind](settings, secrets, sources.Network{})
		if !errors.Is(err, sources.ErrConfig) || !strings.Contains(err.Error(), "base_url must use https") {
			t.Errorf("%s: err = %v", kind, err)
		}
		if _, err := RecordSources[kind](settings, secrets, sources.Network{AllowPrivate: true}); err != nil {
			t.Errorf("%s with private networks allowed: %v", kind, err)
		}
	}
}
