package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSecrets(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_ed25519")
	pwFile := filepath.Join(dir, "pw")
	_ = os.WriteFile(keyFile, []byte("-----BEGIN KEY-----\nabc\n-----END KEY-----\n"), 0o600)
	_ = os.WriteFile(pwFile, []byte("from-file\n"), 0o600)
	got, err := parseSecrets(keyValues{"token=inline=with=equals", "password=@" + pwFile, "private_key=@" + keyFile, "api_key=-"}, strings.NewReader("from-stdin\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"token": "inline=with=equals", "password": "from-file", "private_key": "-----BEGIN KEY-----\nabc\n-----END KEY-----\n", "api_key": "from-stdin"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, tc := range []struct {
		list keyValues
		want string
	}{
		{keyValues{"novalue"}, "must look like NAME=VALUE"},
		{keyValues{"a=-", "b=-"}, "only one --secret can come from standard input"},
		{keyValues{"a=@" + filepath.Join(dir, "missing")}, "read secret a"},
	} {
		if _, err := parseSecrets(tc.list, strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.list, err, tc.want)
		}
	}
}
