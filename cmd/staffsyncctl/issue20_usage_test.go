package main

import (
	"strings"
	"testing"
)

// The new commands refuse bad usage before they call the server.
func TestIssue20UsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"people", "send-welcome-emails"}, "or pass --not-yet-invited"},
		{[]string{"people", "send-welcome-emails", "a@x.example", "--not-yet-invited"}, "(not both)"},
		{[]string{"people", "add", "--first-name", "Nia", "--email", "nia@x.example"}, "--first-name, --last-name and --email are required"},
		{[]string{"integrations", "automatic", "3"}, "give the integration ID and on or off"},
		{[]string{"integrations", "automatic", "3", "maybe"}, "give the integration ID and on or off"},
		{[]string{"integrations", "automatic", "3", "on", "--auto-apply=perhaps"}, "--auto-apply must be true or false"},
		{[]string{"import", "defaults"}, "say show or set"},
		{[]string{"import", "defaults", "show", "--deactivate-missing"}, "option flags go with set"},
	}
	for _, tt := range tests {
		// No server listens here: a usage error must come before any call.
		res := runCLI(t, "http://127.0.0.1:1", tt.args...)
		if res.code != 2 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}
