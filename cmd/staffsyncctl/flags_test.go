package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func TestImportOptionFlags(t *testing.T) {
	yes, no := proto.Bool(true), proto.Bool(false)
	tests := []struct {
		name    string
		args    []string
		want    *v1.ImportOptions
		wantErr string
	}{
		{name: "no flags sends no options", args: nil, want: nil},
		{name: "bare bool flag is true", args: []string{"--send-password-emails"}, want: &v1.ImportOptions{SendPasswordEmails: yes}},
		{name: "default-on option turned off", args: []string{"--update-existing-core-fields=false"}, want: &v1.ImportOptions{UpdateExistingCoreFields: no}},
		{name: "explicitly set to its default is still sent", args: []string{"--reactivate-matching=true"}, want: &v1.ImportOptions{ReactivateMatching: yes}},
		{
			name: "every option",
			args: []string{
				"--send-password-emails", "--update-existing-core-fields=false", "--update-managers-of-existing=false",
				"--set-managers-of-new=false", "--deactivate-missing", "--reactivate-matching=false", "--delimiter=semicolon",
				"--sheet", "People", "--add-new-to-open-review-cycles", "--reset-reviewers-after-manager-change",
				"--max-deactivations", "40", "--max-manager-changes=-1",
			},
			want: &v1.ImportOptions{
				SendPasswordEmails: yes, UpdateExistingCoreFields: no, UpdateManagersOfExisting: no, SetManagersOfNew: no,
				DeactivateMissing: yes, ReactivateMatching: no, Delimiter: "semicolon", Sheet: "People",
				AddNewToOpenReviewCycles: yes, ResetReviewersAfterManagerChange: yes, MaxDeactivations: 40, MaxManagerChanges: -1,
			},
		},
		{name: "delimiter is case-insensitive", args: []string{"--delimiter", "TAB"}, want: &v1.ImportOptions{Delimiter: "tab"}},
		{name: "unknown delimiter", args: []string{"--delimiter", "pipe"}, wantErr: `unknown delimiter "pipe": use auto, comma, semicolon, tab`},
		{name: "guard limit out of range", args: []string{"--max-deactivations", "3000000000"}, wantErr: "--max-deactivations 3000000000 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			addImportOptionFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			got, err := importOptions(fs)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, tt.want) {
				t.Errorf("options = %v, want %v", got, tt.want)
			}
			if tt.want == nil && got != nil {
				t.Errorf("options = %v, want nil", got)
			}
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		wantPositional []string
		wantWait       bool
		wantSearch     string
	}{
		{name: "flags after the argument", args: []string{"people.csv", "--wait"}, wantPositional: []string{"people.csv"}, wantWait: true},
		{name: "flags before the argument", args: []string{"--search", "ann", "people.csv"}, wantPositional: []string{"people.csv"}, wantSearch: "ann"},
		{name: "flags around arguments", args: []string{"a", "--wait", "b", "--search=x"}, wantPositional: []string{"a", "b"}, wantWait: true, wantSearch: "x"},
		{name: "double dash ends flags", args: []string{"--", "--wait"}, wantPositional: []string{"--wait"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			wait := fs.Bool("wait", false, "")
			search := fs.String("search", "", "")
			got, err := parseInterspersed(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tt.wantPositional, "|") || *wait != tt.wantWait || *search != tt.wantSearch {
				t.Errorf("got %q wait=%v search=%q, want %q wait=%v search=%q", got, *wait, *search, tt.wantPositional, tt.wantWait, tt.wantSearch)
			}
		})
	}
}

func TestKindFlag(t *testing.T) {
	var kinds kindList
	for _, v := range []string{"new", "Error,updated"} {
		if err := kinds.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	want := kindList{v1.ChangeKind_CHANGE_KIND_NEW, v1.ChangeKind_CHANGE_KIND_ERROR, v1.ChangeKind_CHANGE_KIND_UPDATED}
	if kinds.String() != want.String() || len(kinds) != 3 {
		t.Errorf("kinds = %v, want %v", kinds.String(), want.String())
	}
	err := kinds.Set("changed")
	if err == nil || err.Error() != `unknown kind "changed": use new, updated, unchanged, deactivated, reactivated, error` {
		t.Errorf("error = %v", err)
	}
}

// TestUsageErrors checks mistakes on the command line exit 2 with the reason and help,
// before any call (no server runs here).
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string
		wantHelp   string
	}{
		{name: "no command", args: nil, wantStderr: "staffsyncctl: missing command\n", wantHelp: "Commands:"},
		{name: "unknown command", args: []string{"frobnicate"}, wantStderr: "staffsyncctl: unknown command \"frobnicate\"\n", wantHelp: "Commands:"},
		{name: "group without subcommand", args: []string{"import"}, wantStderr: "staffsyncctl: \"import\" needs a subcommand: start, show, changes, approve, reject, list, revert, defaults\n", wantHelp: "Usage: staffsyncctl import SUBCOMMAND"},
		{name: "unknown subcommand", args: []string{"import", "delete", "3"}, wantStderr: "staffsyncctl: unknown command \"import delete\"\n", wantHelp: "Commands:"},
		{name: "missing import id", args: []string{"import", "show"}, wantStderr: "staffsyncctl: missing import ID\n", wantHelp: "Usage: staffsyncctl import show ID"},
		{name: "two ids", args: []string{"import", "approve", "3", "4"}, wantStderr: "staffsyncctl: too many arguments: 4 (expected only the import ID)\n", wantHelp: "Usage: staffsyncctl import approve"},
		{name: "missing file", args: []string{"import", "start", "--wait"}, wantStderr: "staffsyncctl: missing FILE to import\n", wantHelp: "--send-password-emails"},
		{name: "bad delimiter", args: []string{"import", "start", "a.csv", "--delimiter=pipe"}, wantStderr: "staffsyncctl: unknown delimiter \"pipe\": use auto, comma, semicolon, tab\n", wantHelp: "Usage: staffsyncctl import start"},
		{name: "unknown flag", args: []string{"import", "show", "3", "--verbose"}, wantStderr: "staffsyncctl: flag provided but not defined: -verbose\n", wantHelp: "Usage: staffsyncctl import show"},
		{name: "bad kind", args: []string{"import", "changes", "3", "--kind", "changed"}, wantStderr: "staffsyncctl: invalid value \"changed\" for flag -kind: unknown kind \"changed\": use new, updated, unchanged, deactivated, reactivated, error\n", wantHelp: "Usage: staffsyncctl import changes"},
		{name: "bad status", args: []string{"people", "list", "--status", "gone"}, wantStderr: "staffsyncctl: unknown --status \"gone\": use active, deactivated, pending or all\n", wantHelp: "Usage: staffsyncctl people list"},
		{name: "bad format", args: []string{"template", "--format", "ods"}, wantStderr: "staffsyncctl: unknown --format \"ods\": use csv or xlsx\n", wantHelp: "Usage: staffsyncctl template"},
		{name: "xlsx to a terminal", args: []string{"directory", "export", "--format", "xlsx"}, wantStderr: "staffsyncctl: an XLSX file is binary and is not written to a terminal: pass --output FILE or redirect the output\n", wantHelp: "Usage: staffsyncctl directory export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout := &terminalBuffer{}
			var stderr strings.Builder
			env := func(string) string { return "" }
			code := run(context.Background(), tt.args, stdout, &stderr, env)
			if code != exitUsage {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, exitUsage, stderr.String())
			}
			firstLine, rest, _ := strings.Cut(stderr.String(), "\n")
			if firstLine+"\n" != tt.wantStderr {
				t.Errorf("stderr first line = %q, want %q", firstLine+"\n", tt.wantStderr)
			}
			if !strings.Contains(rest, tt.wantHelp) {
				t.Errorf("stderr lacks help %q:\n%s", tt.wantHelp, rest)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"import", "approve", "-h"}} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" })
		if code != exitOK || !strings.Contains(stdout.String(), "Usage: staffsyncctl") || stderr.Len() != 0 {
			t.Errorf("%q: code %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}
