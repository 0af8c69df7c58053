package api

import (
	"slices"
	"testing"

	"github.com/staffsync/staffsync/store"
)

func TestSecretsAfterUpdate(t *testing.T) {
	bamboo := store.Integration{Kind: store.KindBambooHR, Settings: map[string]string{"subdomain": "acme"},
		SecretHints: map[string]string{"api_key": "set"}}
	sftp := store.Integration{Kind: store.KindSFTP, Settings: map[string]string{"host": "sftp.example.com", "user": "hr", "host_key": "SHA256:abc"},
		SecretHints: map[string]string{"password": "set", "private_key": "set"}}
	drop := store.Integration{Kind: store.KindSFTPDrop, Settings: map[string]string{"user": "acme", "authorized_keys": "k1"},
		SecretHints: map[string]string{"password": "set"}}
	needing := bamboo
	needing.SecretHints = map[string]string{}
	needing.SecretsNeeded = []string{"api_key"}
	for _, tc := range []struct {
		name       string
		cur        store.Integration
		settings   map[string]string
		entered    map[string]string
		removed    []string
		wantDrop   bool
		wantNeeded []string
	}{
		{"same endpoint keeps the secrets", bamboo, map[string]string{"subdomain": "acme"}, nil, nil, false, nil},
		{"new subdomain drops the key", bamboo, map[string]string{"subdomain": "evil"}, nil, nil, true, []string{"api_key"}},
		{"new base_url drops the key", bamboo, map[string]string{"subdomain": "acme", "base_url": "https://evil.example"}, nil, nil, true, []string{"api_key"}},
		{"new endpoint with the key entered again", bamboo, map[string]string{"subdomain": "evil"}, map[string]string{"api_key": "k"}, nil, true, nil},
		{"sftp host", sftp, map[string]string{"host": "evil.example", "user": "hr", "host_key": "SHA256:abc"}, nil, nil, true, []string{"password", "private_key"}},
		{"sftp port", sftp, map[string]string{"host": "sftp.example.com", "port": "2222", "user": "hr", "host_key": "SHA256:abc"}, nil, nil, true, []string{"password", "private_key"}},
		{"sftp user", sftp, map[string]string{"host": "sftp.example.com", "user": "root", "host_key": "SHA256:abc"}, nil, nil, true, []string{"password", "private_key"}},
		{"sftp host key", sftp, map[string]string{"host": "sftp.example.com", "user": "hr", "host_key": "SHA256:evil"}, nil, nil, true, []string{"password", "private_key"}},
		{"sftp host, one entered, one cleared", sftp, map[string]string{"host": "evil.example", "user": "hr", "host_key": "SHA256:abc"}, map[string]string{"password": "p"}, []string{"private_key"}, true, nil},
		{"sftp dir is not the endpoint", sftp, map[string]string{"host": "sftp.example.com", "user": "hr", "host_key": "SHA256:abc", "dir": "/out"}, nil, nil, false, nil},
		{"the drop's login password goes nowhere", drop, map[string]string{"user": "other", "authorized_keys": "k2"}, nil, nil, false, nil},
		{"still needed until entered", needing, map[string]string{"subdomain": "acme"}, nil, nil, false, []string{"api_key"}},
		{"needed and entered", needing, map[string]string{"subdomain": "acme"}, map[string]string{"api_key": "k"}, nil, false, nil},
	} {
		drop, needed, _ := secretsAfterUpdate(tc.cur.Kind, tc.cur, tc.settings, tc.entered, tc.removed)
		if drop != tc.wantDrop || !slices.Equal(needed, tc.wantNeeded) {
			t.Errorf("%s: drop %v needed %v, want %v %v", tc.name, drop, needed, tc.wantDrop, tc.wantNeeded)
		}
	}
}
