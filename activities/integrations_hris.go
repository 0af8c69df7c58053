package activities

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/bamboohr"
	"github.com/staffsync/staffsync/sources/personio"
	"github.com/staffsync/staffsync/store"
)

// hrisHTTPClient connects only where the network policy allows (no SSRF through base_url)
// and never follows a redirect (it would carry the credentials along).
func hrisHTTPClient(network sources.Network) *http.Client {
	return sources.NoRedirects(&http.Client{
		Timeout: 2 * time.Minute,
		Transport: network.RoundTripper(&http.Transport{
			DialContext:            network.Dialer().DialContext,
			TLSHandshakeTimeout:    15 * time.Second,
			ResponseHeaderTimeout:  time.Minute,
			MaxResponseHeaderBytes: 64 << 10,
			ForceAttemptHTTP2:      true,
		}),
	})
}

func init() {
	RecordSources[store.KindBambooHR] = func(settings, secrets map[string]string, network sources.Network) (sources.RecordSource, error) {
		if settings["subdomain"] == "" || secrets["api_key"] == "" {
			return nil, sources.Errorf(sources.ErrConfig, "a BambooHR integration needs the setting subdomain and the secret api_key")
		}
		if err := sources.CheckBaseURL(settings["base_url"], network); err != nil {
			return nil, err
		}
		return bamboohr.New(bamboohr.Config{Subdomain: settings["subdomain"], APIKey: secrets["api_key"],
			BaseURL: strings.TrimSpace(settings["base_url"]), HTTPClient: hrisHTTPClient(network)}), nil
	}
	RecordSources[store.KindPersonio] = func(settings, secrets map[string]string, network sources.Network) (sources.RecordSource, error) {
		if secrets["client_id"] == "" || secrets["client_secret"] == "" {
			return nil, sources.Errorf(sources.ErrConfig, "a Personio integration needs the secrets client_id and client_secret")
		}
		if err := sources.CheckBaseURL(settings["base_url"], network); err != nil {
			return nil, err
		}
		return personio.New(personio.Config{ClientID: secrets["client_id"], ClientSecret: secrets["client_secret"],
			BaseURL: strings.TrimSpace(settings["base_url"]), HTTPClient: hrisHTTPClient(network)}), nil
	}
}

// testRecordSource is the connection test of an HR system: how many people the credentials
// see and, where the client can tell, whether status, work email, supervisor and hire date
// are readable, with a warning for each that is not.
func testRecordSource(ctx context.Context, src sources.RecordSource) (TestResult, error) {
	reporter, ok := src.(sources.AccessReporter)
	if !ok {
		n, err := src.CountPeople(ctx)
		if err != nil {
			return TestResult{}, err
		}
		return TestResult{OK: true, Message: fmt.Sprintf("connected; the credentials see %d people", n), People: n, PeopleKnown: true}, nil
	}
	access, err := reporter.TestAccess(ctx)
	if err != nil {
		return TestResult{}, err
	}
	res := TestResult{OK: true, People: access.People, PeopleKnown: true, Warnings: access.Warnings}
	var unreadable []string
	for _, f := range access.Fields {
		res.Fields = append(res.Fields, FieldAccess{Name: f.Name, Readable: f.Readable})
		if !f.Readable {
			unreadable = append(unreadable, f.Name)
		}
	}
	// The message stays the one line it always was when all is well; Fields list the rest.
	res.Message = fmt.Sprintf("connected; the credentials see %d people", access.People)
	if len(unreadable) > 0 {
		res.Message += " but cannot read " + strings.Join(unreadable, ", ")
	}
	return res, nil
}
