package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// terminalBuffer is a buffer that says it is a terminal.
type terminalBuffer struct{ bytes.Buffer }

func (*terminalBuffer) IsTerminal() bool { return true }

var testCreatedAt = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// sampleImport is an import awaiting approval with every field set.
func sampleImport() *v1.Import {
	return &v1.Import{
		Id: "42", Status: v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, Source: "upload", FileName: "people.csv",
		CreatedBy: "Ada Admin", CreatedAt: timestamppb.New(testCreatedAt), UpdatedAt: timestamppb.New(testCreatedAt),
		Options: &v1.ImportOptions{
			SendPasswordEmails: proto.Bool(false), UpdateExistingCoreFields: proto.Bool(true), UpdateManagersOfExisting: proto.Bool(true),
			SetManagersOfNew: proto.Bool(true), DeactivateMissing: proto.Bool(true), ReactivateMatching: proto.Bool(true),
			Delimiter: "auto", AddNewToOpenReviewCycles: proto.Bool(false), ResetReviewersAfterManagerChange: proto.Bool(false),
			MaxDeactivations: 0, MaxManagerChanges: -1,
		},
		Summary:        &v1.Summary{New: 30, Deactivated: 12, Error: 1, Warning: 2},
		PreviewVersion: 3, GuardTripped: true, GuardReason: "would deactivate 12 of 60 active people (limit 6)",
		FileWarnings:      []string{"row 2 looks like the template's instruction row and was skipped"},
		RowsTotal:         31,
		ApprovalExpiresAt: timestamppb.New(testCreatedAt.Add(7 * 24 * time.Hour)),
	}
}

func TestImportJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, toImportJSON(sampleImport())); err != nil {
		t.Fatal(err)
	}
	want := `{
  "id": "42",
  "status": "awaiting_approval",
  "source": "upload",
  "file_name": "people.csv",
  "created_by": "Ada Admin",
  "created_at": "2026-03-02T09:30:00Z",
  "preview_version": 3,
  "rows": 31,
  "guard_tripped": true,
  "guard_reason": "would deactivate 12 of 60 active people (limit 6)",
  "error_message": "",
  "file_warnings": [
    "row 2 looks like the template's instruction row and was skipped"
  ],
  "options": {
    "send_password_emails": false,
    "update_existing_core_fields": true,
    "update_managers_of_existing": true,
    "set_managers_of_new": true,
    "deactivate_missing": true,
    "reactivate_matching": true,
    "delimiter": "auto",
    "sheet": "",
    "add_new_to_open_review_cycles": false,
    "reset_reviewers_after_manager_change": false,
    "max_deactivations": 0,
    "max_manager_changes": -1
  },
  "summary": {
    "new": 30,
    "updated": 0,
    "unchanged": 0,
    "deactivated": 12,
    "reactivated": 0,
    "error": 1,
    "warning": 2,
    "pending": 0,
    "started": 0
  },
  "approval_expires_at": "2026-03-09T09:30:00Z",
  "options_source": "",
  "hints": []
}
`
	if buf.String() != want {
		t.Errorf("JSON =\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestImportJSONEmptyListsAndStatuses(t *testing.T) {
	tests := []struct {
		status v1.ImportStatus
		want   string
	}{
		{v1.ImportStatus_IMPORT_STATUS_PARSING, "parsing"},
		{v1.ImportStatus_IMPORT_STATUS_PREVIEWING, "previewing"},
		{v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, "awaiting_approval"},
		{v1.ImportStatus_IMPORT_STATUS_APPLYING, "applying"},
		{v1.ImportStatus_IMPORT_STATUS_APPLIED, "applied"},
		{v1.ImportStatus_IMPORT_STATUS_REJECTED, "rejected"},
		{v1.ImportStatus_IMPORT_STATUS_EXPIRED, "expired"},
		{v1.ImportStatus_IMPORT_STATUS_FAILED, "failed"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		// No options, summary or warnings at all: the JSON must still have every key.
		if err := writeJSON(&buf, toImportJSON(&v1.Import{Id: "1", Status: tt.status})); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{`"status": "` + tt.want + `"`, `"file_warnings": []`, `"send_password_emails": null`, `"warning": 0`, `"created_at": ""`,
			`"approval_expires_at": null`} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: JSON lacks %s:\n%s", tt.status, want, out)
			}
		}
	}
}

func sampleChanges() []*v1.Change {
	return []*v1.Change{
		{Row: 2, Email: "ann@example.com", Name: "Ann Lee", Kind: v1.ChangeKind_CHANGE_KIND_UPDATED, ReasonCode: "fields_changed", Reason: "title changed",
			Fields: []*v1.FieldChange{{Field: "title", Old: "Engineer", New: "Senior Engineer"}}},
		{Row: 3, Email: "bob@example.com", Name: "Bob Stone", Kind: v1.ChangeKind_CHANGE_KIND_ERROR, ReasonCode: "row_error", Reason: "not imported: Email: not a valid email",
			Errors: []*v1.Problem{{Code: "invalid_email", Field: "email", Value: "bob@", Message: "Email: not a valid email"}}},
		{Row: 0, Email: "cy@example.com", Name: "Cy Old", Kind: v1.ChangeKind_CHANGE_KIND_DEACTIVATED, ReasonCode: "missing", Reason: "not in the file",
			Warnings: []*v1.Problem{{Code: "manager_deactivated", Message: "Manager: dee@example.com is deactivated"}}},
	}
}

func TestChangesJSON(t *testing.T) {
	var out []changeJSON
	for _, c := range sampleChanges()[:2] {
		out = append(out, toChangeJSON(c))
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, out); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "row": 2,
    "email": "ann@example.com",
    "name": "Ann Lee",
    "kind": "updated",
    "reason_code": "fields_changed",
    "reason": "title changed",
    "fields": [
      {
        "field": "title",
        "old": "Engineer",
        "new": "Senior Engineer"
      }
    ],
    "errors": [],
    "warnings": []
  },
  {
    "row": 3,
    "email": "bob@example.com",
    "name": "Bob Stone",
    "kind": "error",
    "reason_code": "row_error",
    "reason": "not imported: Email: not a valid email",
    "fields": [],
    "errors": [
      {
        "code": "invalid_email",
        "field": "email",
        "value": "bob@",
        "message": "Email: not a valid email"
      }
    ],
    "warnings": []
  }
]
`
	if buf.String() != want {
		t.Errorf("JSON =\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestSummaryBar(t *testing.T) {
	tests := []struct {
		summary *v1.Summary
		want    string
	}{
		{&v1.Summary{New: 30, Error: 1, Warning: 2}, "new 30 · updated 0 · unchanged 0 · deactivated 0 · reactivated 0 · error 1 · warnings 2"},
		{&v1.Summary{New: 1, Updated: 2, Unchanged: 3, Deactivated: 4, Reactivated: 5, Error: 6, Warning: 7}, "new 1 · updated 2 · unchanged 3 · deactivated 4 · reactivated 5 · error 6 · warnings 7"},
		{nil, "new 0 · updated 0 · unchanged 0 · deactivated 0 · reactivated 0 · error 0 · warnings 0"},
	}
	for _, tt := range tests {
		if got := summaryBar(tt.summary); got != tt.want {
			t.Errorf("summaryBar(%v) = %q, want %q", tt.summary, got, tt.want)
		}
	}
	if got := shortCounts(&v1.Summary{New: 3, Error: 1}); got != "new 3 · error 1" {
		t.Errorf("shortCounts = %q", got)
	}
	if got := shortCounts(&v1.Summary{}); got != "-" {
		t.Errorf("shortCounts of nothing = %q", got)
	}
}

func TestChangesTable(t *testing.T) {
	var buf bytes.Buffer
	writeChangesTable(&buf, sampleChanges())
	want := `ROW  KIND         EMAIL            NAME       REASON
2    updated      ann@example.com  Ann Lee    title changed
  title: "Engineer" -> "Senior Engineer"
3    error        bob@example.com  Bob Stone  not imported: Email: not a valid email
  error: Email: not a valid email
-    deactivated  cy@example.com   Cy Old     not in the file
  warning: Manager: dee@example.com is deactivated
`
	if buf.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	writeChangesTable(&buf, nil)
	if buf.String() != "no changes match\n" {
		t.Errorf("empty table = %q", buf.String())
	}
}

func TestImportText(t *testing.T) {
	a := &app{location: time.UTC}
	var buf bytes.Buffer
	writeImportText(&buf, sampleImport(), a.formatTime)
	want := `Import 42
Status:    awaiting approval
File:      people.csv
Source:    upload
Started:   2026-03-02 09:30 UTC by Ada Admin
Expires:   2026-03-09 09:30 UTC if nobody approves or rejects it by then
Options:
  send-password-emails                   no
  update-existing-core-fields            yes
  update-managers-of-existing            yes
  set-managers-of-new                    yes
  deactivate-missing                     yes
  reactivate-matching                    yes
  add-new-to-open-review-cycles          no
  reset-reviewers-after-manager-change   no
  require-second-approver                default
  activate-on-hire-date                  default
  delimiter                              auto
  sheet                                  (first sheet)
  max-deactivations                      default
  max-manager-changes                    off
File warnings:
  - row 2 looks like the template's instruction row and was skipped
!! SAFETY GUARD TRIPPED: would deactivate 12 of 60 active people (limit 6)
!! Check the changes (` + "`staffsyncctl import changes 42 --kind deactivated`" + `) before approving.
Rows:      31
Preview:   version 3

new 30 · updated 0 · unchanged 0 · deactivated 12 · reactivated 0 · error 1 · warnings 2

Review it with ` + "`staffsyncctl import changes 42`, then `staffsyncctl import approve 42` or `staffsyncctl import reject 42`" + `.
`
	if buf.String() != want {
		t.Errorf("text =\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestImportTextFailed(t *testing.T) {
	im := &v1.Import{
		Id: "7", Status: v1.ImportStatus_IMPORT_STATUS_FAILED, FileName: "bad.csv", Source: "upload",
		ErrorMessage: "a required column is missing: Email. Add it to the header row",
	}
	var buf bytes.Buffer
	writeImportText(&buf, im, (&app{location: time.UTC}).formatTime)
	for _, want := range []string{
		"Status:    failed\n",
		"Started:   - by -\n",
		"Options:\n  (server defaults)\n",
		"Error:     a required column is missing: Email. Add it to the header row\n           Fix the file and import it again with `staffsyncctl import start FILE`.\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "SAFETY GUARD") || strings.Contains(buf.String(), "Review it with") {
		t.Errorf("failed import shows a guard banner or approval hint:\n%s", buf.String())
	}
}

func TestProgress(t *testing.T) {
	term := &terminalBuffer{}
	p := newProgress(term)
	p.show("import 1: previewing (100 rows)")
	p.show("import 1: previewing (100 rows)")
	p.show("import 1: awaiting approval")
	p.finish()
	if want := "\rimport 1: previewing (100 rows)\rimport 1: awaiting approval    \n"; term.String() != want {
		t.Errorf("terminal progress = %q, want %q", term.String(), want)
	}
	var plain bytes.Buffer
	p = newProgress(&plain)
	p.show("import 1: parsing")
	p.show("import 1: parsing")
	p.show("import 1: previewing")
	p.finish()
	if want := "import 1: parsing\nimport 1: previewing\n"; plain.String() != want {
		t.Errorf("plain progress = %q, want %q", plain.String(), want)
	}
}
