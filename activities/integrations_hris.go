package activities

import (
	"net/http"
	"time"

	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/bamboohr"
	"github.com/staffsync/staffsync/sources/personio"
	"github.com/staffsync/staffsync/store"
)

// hrisHTTPClient connects only where the network policy allows (no SSRF through base_url).
func hrisHTTPClient(network sources.Network) *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			DialContext:         network.Dialer().DialContext,
			TLSHandshakeTimeout: 15 * time.Second,
			ForceAttemptHTTP2:   true,
		},
	}
}

func init() {
	RecordSources[store.KindBambooHR] = func(settings, secrets map[string]string, network sources.Network) (sources.RecordSource, error) {
		if settings["subdomain"] == "" || secrets["api_key"] == "" {
			return nil, sources.Errorf(sources.ErrConfig, "a BambooHR integration needs the setting subdomain and the secret api_key")
		}
		return bamboohr.New(bamboohr.Config{Subdomain: settings["subdomain"], APIKey: secrets["api_key"],
			BaseURL: settings["base_url"], HTTPClient: hrisHTTPClient(network)}), nil
	}
	RecordSources[store.KindPersonio] = func(settings, secrets map[string]string, network sources.Network) (sources.RecordSource, error) {
		if secrets["client_id"] == "" || secrets["client_secret"] == "" {
			return nil, sources.Errorf(sources.ErrConfig, "a Personio integration needs the secrets client_id and client_secret")
		}
		return personio.New(personio.Config{ClientID: secrets["client_id"], ClientSecret: secrets["client_secret"],
			BaseURL: settings["base_url"], HTTPClient: hrisHTTPClient(network)}), nil
	}
}
