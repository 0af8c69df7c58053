package directory

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// want is the expected change of one row (row > 0) or one person not in the file (row 0, email).
type want struct {
	row      int
	email    string
	kind     Kind
	reason   string            // ReasonCode
	fields   []FieldChange     // exact; nil means none for updated and unchanged, unchecked otherwise
	errors   []string          // problem codes, exact
	warnings []string          // problem codes, exact
	messages []string          // each must appear in some error or warning message
	after    map[Field]string  // selected After values
	text     map[string]string // other exact strings: "Reason", "Name"
}

func TestPlanRules(t *testing.T) {
	ann := personSpec{id: 1, email: "ann@x.com", values: map[Field]string{Title: "Engineer", Department: "Ops", EmployeeID: "E1"}}
	bob := personSpec{id: 2, email: "bob@x.com", manager: 1, values: map[Field]string{EmployeeID: "E2"}}
	cat := personSpec{id: 3, email: "cat@x.com", manager: 2}
	gone := personSpec{id: 4, email: "gone@x.com", inactive: true}

	tests := []struct {
		name    string
		people  []personSpec
		options func(*Options)
		input   func(*Input)
		records []Record
		want    []want
		count   int // total number of changes expected (0 = one per record)
	}{
		{
			name:    "new person gets the file values and Full-time",
			people:  []personSpec{ann},
			records: []Record{full(2, "New@x.com", map[Field]string{ManagerEmail: "ANN@x.com", Gender: "female"})},
			want: []want{{row: 2, kind: KindNew, reason: "new_person", fields: []FieldChange{
				{Field: FirstName, New: "New"}, {Field: LastName, New: "Person"}, {Field: Gender, New: "F"}, {Field: Email, New: "New@x.com"},
				{Field: ManagerEmail, New: "ann@x.com"}, {Field: EmploymentType, New: "Full-time"}, {Field: Status, New: "Active"}},
				text: map[string]string{"Reason": "new: not in the directory yet", "Name": "New Person", "Email": "New@x.com"}}},
		},
		{
			name:    "new person with status Inactive is new and inactive",
			records: []Record{full(2, "new@x.com", map[Field]string{Status: "false", EmploymentType: "intern"})},
			want: []want{{row: 2, kind: KindNew, reason: "new_person_inactive", fields: []FieldChange{
				{Field: FirstName, New: "New"}, {Field: LastName, New: "Person"}, {Field: Email, New: "new@x.com"},
				{Field: EmploymentType, New: "Intern"}, {Field: Status, New: "Inactive"}}}},
		},
		{
			name:    "new person without a last name is an error",
			records: []Record{record(2, map[Field]string{FirstName: "A", Email: "a@x.com"})},
			want: []want{{row: 2, kind: KindError, reason: "row_error", errors: []string{"required_missing"},
				messages: []string{"Last Name (column B) is required for a new person; fill it in"},
				text:     map[string]string{"Reason": "not imported: Last Name (column B) is required for a new person; fill it in"}}},
		},
		{
			name:    "changed field is updated with old and new",
			people:  []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", Title: "CTO"})},
			want: []want{{row: 2, kind: KindUpdated, reason: "fields_changed", fields: []FieldChange{{Field: Title, Old: "Engineer", New: "CTO"}},
				after: map[Field]string{Title: "CTO", Department: "Ops", Status: "Active"}, text: map[string]string{"Reason": "updated: Title changed"}}},
		},
		{
			name:    "same values are unchanged with no fields",
			people:  []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "Ann@X.com", FirstName: "Ann", Title: "Engineer"})},
			want:    []want{{row: 2, kind: KindUnchanged, reason: "no_changes"}},
		},
		{
			name:    "blank keeps and a dash clears",
			people:  []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", Department: "-"})},
			want:    []want{{row: 2, kind: KindUpdated, reason: "fields_changed", fields: []FieldChange{{Field: Department, Old: "Ops"}}, after: map[Field]string{Title: "Engineer"}}},
		},
		{
			name:    "clearing a required field is an error",
			people:  []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", FirstName: "-"})},
			want: []want{{row: 2, kind: KindError, errors: []string{"required_cleared"},
				messages: []string{"First Name (column A) is required and cannot be cleared with a dash"}}},
		},
		{
			name:    "set values are re-validated",
			people:  []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", Gender: "X", HireDate: "2020-13-01"})},
			want: []want{{row: 2, kind: KindError, errors: []string{"invalid_gender", "invalid_date"},
				messages: []string{`Gender (column C): "X" is not allowed; use one of M, F or N`, `Hiring Date (column K): "2020-13-01" is not a date; use YYYY-MM-DD`}}},
		},
		{
			name:   "reader problems are kept: warnings pass, errors stop the row",
			people: []personSpec{ann},
			records: func() []Record {
				ok := record(2, map[Field]string{Email: "ann@x.com"})
				ok.Problems = []Problem{{Severity: SeverityWarning, Code: "ambiguous_date", Field: HireDate, Message: "read as MM/DD"}}
				bad := full(3, "new@x.com", nil)
				bad.Problems = []Problem{{Severity: SeverityError, Code: "invalid_date", Field: HireDate, Message: "not a date"}}
				return []Record{ok, bad}
			}(),
			want: []want{
				{row: 2, kind: KindUnchanged, reason: "no_changes", warnings: []string{"ambiguous_date"}},
				{row: 3, kind: KindError, errors: []string{"invalid_date"}},
			},
		},
		{
			name:   "the same email twice is an error on every occurrence",
			people: []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com"}), record(3, map[Field]string{Email: "ANN@x.com"}),
				full(4, "n@x.com", nil), full(5, "N@x.com", nil)},
			want: []want{
				{row: 2, kind: KindError, errors: []string{"duplicate_email"}, messages: []string{`Login Email (column E): "ann@x.com" appears more than once in the file (also on row 3); keep one row per person`}},
				{row: 3, kind: KindError, errors: []string{"duplicate_email"}, messages: []string{"(also on row 2)"}},
				{row: 4, kind: KindError, errors: []string{"duplicate_email"}},
				{row: 5, kind: KindError, errors: []string{"duplicate_email"}},
			},
		},
		{
			name:    "an email of another company is an error that does not name it",
			input:   func(in *Input) { in.ForeignEmails = map[string]bool{"other@y.com": true} },
			records: []Record{full(2, "Other@y.com", nil)},
			want: []want{{row: 2, kind: KindError, errors: []string{"email_taken"},
				messages: []string{"this email is already used by another account; use a different login email"}}},
		},
		{
			name:   "an employee id twice in the file is an error on every occurrence",
			people: []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", EmployeeID: "E9"}),
				full(3, "n@x.com", map[Field]string{EmployeeID: "E9"})},
			want: []want{
				{row: 2, kind: KindError, errors: []string{"duplicate_employee_id"}, messages: []string{`Employee ID (column J): "E9" appears more than once in the file (also on row 3); employee ids must be unique within the company`}},
				{row: 3, kind: KindError, errors: []string{"duplicate_employee_id"}},
			},
		},
		{
			name:    "an employee id owned by another person is an error",
			people:  []personSpec{ann, bob},
			records: []Record{full(2, "n@x.com", map[Field]string{EmployeeID: "E2"})},
			want: []want{{row: 2, kind: KindError, errors: []string{"employee_id_taken"},
				messages: []string{`Employee ID (column J): "E2" already belongs to bob@x.com; employee ids must be unique within the company`}}},
		},
		{
			name:   "employee ids can be swapped within one import",
			people: []personSpec{ann, bob},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", EmployeeID: "E2"}),
				record(3, map[Field]string{Email: "bob@x.com", EmployeeID: "E1"})},
			want: []want{
				{row: 2, kind: KindUpdated, fields: []FieldChange{{Field: EmployeeID, Old: "E1", New: "E2"}}},
				{row: 3, kind: KindUpdated, fields: []FieldChange{{Field: EmployeeID, Old: "E2", New: "E1"}}},
			},
		},
		{
			name:    "core fields off leaves fields but updates managers",
			people:  []personSpec{ann, bob, cat},
			options: func(o *Options) { o.UpdateExistingCoreFields = false },
			records: []Record{record(2, map[Field]string{Email: "cat@x.com", Title: "Boss", ManagerEmail: "ann@x.com"})},
			want: []want{{row: 2, kind: KindUpdated, reason: "fields_changed",
				fields: []FieldChange{{Field: ManagerEmail, Old: "bob@x.com", New: "ann@x.com"}}, text: map[string]string{"ManagerChanged": "true"}}},
		},
		{
			name:    "managers of existing off leaves the manager",
			people:  []personSpec{ann, bob, cat},
			options: func(o *Options) { o.UpdateManagersOfExisting = false },
			records: []Record{record(2, map[Field]string{Email: "cat@x.com", Title: "Boss", ManagerEmail: "ann@x.com"})},
			want: []want{{row: 2, kind: KindUpdated, fields: []FieldChange{{Field: Title, New: "Boss"}},
				after: map[Field]string{ManagerEmail: "bob@x.com"}, text: map[string]string{"ManagerChanged": "false"}}},
		},
		{
			name:    "managers of new off gives new people no manager",
			people:  []personSpec{ann},
			options: func(o *Options) { o.SetManagersOfNew = false },
			records: []Record{full(2, "n@x.com", map[Field]string{ManagerEmail: "ann@x.com"})},
			want:    []want{{row: 2, kind: KindNew, after: map[Field]string{ManagerEmail: ""}}},
		},
		{
			name:   "manager not found: unchanged for existing, empty for new",
			people: []personSpec{ann, bob},
			records: []Record{record(2, map[Field]string{Email: "bob@x.com", ManagerEmail: "who@x.com"}),
				full(3, "n@x.com", map[Field]string{SecondaryManagerEmail: "who@x.com"})},
			want: []want{
				{row: 2, kind: KindUnchanged, warnings: []string{"manager_not_found"},
					messages: []string{`Manager Email (column F): "who@x.com" is not in the directory or in this import; the manager is left unchanged`}},
				{row: 3, kind: KindNew, warnings: []string{"manager_not_found"}, after: map[Field]string{SecondaryManagerEmail: ""},
					messages: []string{`Secondary Manager Email (column M): "who@x.com" is not in the directory or in this import; the manager is left empty`}},
			},
		},
		{
			name:   "a manager can be a new person of the same file, in any row order",
			people: []personSpec{ann},
			records: []Record{full(2, "report@x.com", map[Field]string{ManagerEmail: "BOSS@x.com"}),
				full(3, "boss@x.com", map[Field]string{ManagerEmail: "ann@x.com"})},
			want: []want{
				{row: 2, kind: KindNew, after: map[Field]string{ManagerEmail: "boss@x.com"}},
				{row: 3, kind: KindNew, after: map[Field]string{ManagerEmail: "ann@x.com"}},
			},
		},
		{
			name:   "a manager on an error row is not imported",
			people: []personSpec{ann},
			records: []Record{full(2, "report@x.com", map[Field]string{ManagerEmail: "boss@x.com"}),
				full(3, "boss@x.com", map[Field]string{Gender: "Q"})},
			want: []want{
				{row: 2, kind: KindNew, warnings: []string{"manager_not_imported"}, after: map[Field]string{ManagerEmail: ""},
					messages: []string{`Manager Email (column F): "boss@x.com" is on row 3, which has errors and is not imported; the manager is left empty`}},
				{row: 3, kind: KindError, errors: []string{"invalid_gender"}},
			},
		},
		{
			name:    "a deactivated manager is a warning",
			people:  []personSpec{ann, bob, gone},
			records: []Record{record(2, map[Field]string{Email: "bob@x.com", ManagerEmail: "gone@x.com"})},
			want: []want{{row: 2, kind: KindUpdated, warnings: []string{"manager_inactive"},
				fields:   []FieldChange{{Field: ManagerEmail, Old: "ann@x.com", New: "gone@x.com"}},
				messages: []string{"Manager Email (column F): gone@x.com is deactivated; they stay set as manager until you choose another one"}}},
		},
		{
			name:    "a manager deactivated by this import is a warning",
			people:  []personSpec{ann, bob},
			options: func(o *Options) { o.DeactivateMissing = true },
			records: []Record{record(2, map[Field]string{Email: "bob@x.com"})},
			count:   2,
			want: []want{
				{row: 2, kind: KindUnchanged, warnings: []string{"manager_inactive"}, messages: []string{"ann@x.com is deactivated by this import"}},
				{row: 0, email: "ann@x.com", kind: KindDeactivated, reason: "not_in_file"},
			},
		},
		{
			name:    "a person cannot be their own manager",
			people:  []personSpec{ann},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", ManagerEmail: "Ann@x.com"}), full(3, "n@x.com", map[Field]string{SecondaryManagerEmail: "n@x.com"})},
			want: []want{
				{row: 2, kind: KindError, errors: []string{"self_manager"}, messages: []string{`Manager Email (column F): "Ann@x.com" is this person; a person cannot be their own manager`}},
				{row: 3, kind: KindError, errors: []string{"self_manager"}},
			},
		},
		{
			name: "a reporting loop fails every row on it and names the path",
			// ann (not in the file) reports to bob; the file makes bob report to cat and cat to ann.
			people: []personSpec{{id: 1, email: "ann@x.com", manager: 2}, {id: 2, email: "bob@x.com"}, {id: 3, email: "cat@x.com"}, {id: 5, email: "dan@x.com", manager: 2}},
			records: []Record{record(2, map[Field]string{Email: "bob@x.com", ManagerEmail: "cat@x.com"}),
				record(3, map[Field]string{Email: "cat@x.com", ManagerEmail: "ann@x.com"}),
				record(4, map[Field]string{Email: "dan@x.com", Title: "Lead"})},
			want: []want{
				{row: 2, kind: KindError, errors: []string{"manager_loop"}, messages: []string{"Manager Email (column F): this makes a reporting loop ann@x.com -> bob@x.com -> cat@x.com -> ann@x.com; change one of these managers"}},
				{row: 3, kind: KindError, errors: []string{"manager_loop"}, messages: []string{"ann@x.com -> bob@x.com -> cat@x.com -> ann@x.com"}},
				{row: 4, kind: KindUpdated, fields: []FieldChange{{Field: Title, New: "Lead"}}},
			},
		},
		{
			name:    "deactivate missing spares protected people and the admin",
			people:  []personSpec{ann, bob, cat, gone, {id: 6, email: "safe@x.com", protected: true}, {id: 7, email: "admin@x.com"}},
			options: func(o *Options) { o.DeactivateMissing = true },
			input:   func(in *Input) { in.ActorEmail = "ADMIN@x.com" },
			records: []Record{record(2, map[Field]string{Email: "ann@x.com"}), record(3, map[Field]string{Email: "bob@x.com"})},
			count:   5,
			want: []want{
				{row: 2, kind: KindUnchanged},
				{row: 3, kind: KindUnchanged},
				{row: 0, email: "admin@x.com", kind: KindUnchanged, reason: "actor_not_deactivated"},
				{row: 0, email: "cat@x.com", kind: KindDeactivated, reason: "not_in_file", fields: []FieldChange{{Field: Status, Old: "Active", New: "Inactive"}},
					after: map[Field]string{Status: "Inactive", ManagerEmail: "bob@x.com"},
					text:  map[string]string{"Reason": "deactivated: not in the file and 'deactivate accounts not imported' is on"}},
				{row: 0, email: "safe@x.com", kind: KindUnchanged, reason: "protected_not_deactivated"},
			},
		},
		{
			name:    "a deactivated person in the file is reactivated",
			people:  []personSpec{gone},
			records: []Record{record(2, map[Field]string{Email: "gone@x.com", Title: "Back"})},
			want: []want{{row: 2, kind: KindReactivated, reason: "reactivated",
				fields: []FieldChange{{Field: Title, New: "Back"}, {Field: Status, Old: "Inactive", New: "Active"}}}},
		},
		{
			name:    "reactivation off leaves them deactivated with a warning",
			people:  []personSpec{gone},
			options: func(o *Options) { o.ReactivateMatching = false },
			records: []Record{record(2, map[Field]string{Email: "gone@x.com", Status: "Active"}), full(3, "n@x.com", nil)},
			want: []want{
				{row: 2, kind: KindUnchanged, warnings: []string{"not_reactivated"}, messages: []string{"deactivated person not reactivated because 'reactivate matching accounts' is off"}},
				{row: 3, kind: KindNew},
			},
		},
		{
			name:    "status Inactive deactivates, except protected people and the admin",
			people:  []personSpec{ann, {id: 6, email: "safe@x.com", protected: true}, {id: 7, email: "admin@x.com"}},
			input:   func(in *Input) { in.ActorEmail = "admin@x.com" },
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", Status: "inactive"}), record(3, map[Field]string{Email: "safe@x.com", Status: "False"}), record(4, map[Field]string{Email: "admin@x.com", Status: "Inactive"})},
			want: []want{
				{row: 2, kind: KindDeactivated, reason: "status_inactive", fields: []FieldChange{{Field: Status, Old: "Active", New: "Inactive"}}},
				{row: 3, kind: KindUnchanged, warnings: []string{"protected_not_deactivated"}},
				{row: 4, kind: KindUnchanged, warnings: []string{"actor_not_deactivated"}},
			},
		},
		{
			name:   "fields owned by an integration are left alone with one warning",
			people: []personSpec{ann, bob},
			input: func(in *Input) {
				in.OwnedFields = map[Field]string{Title: "BambooHR", ManagerEmail: "BambooHR", Location: "Personio"}
			},
			records: []Record{record(2, map[Field]string{Email: "ann@x.com", Title: "CTO", Location: "Paris", Team: "Core", ManagerEmail: "bob@x.com"}), full(3, "n@x.com", map[Field]string{Title: "Dev"})},
			want: []want{
				{row: 2, kind: KindUpdated, fields: []FieldChange{{Field: Team, New: "Core"}}, warnings: []string{"owned_field"},
					messages: []string{"Title, Manager Email managed by BambooHR; Location managed by Personio while that integration is active; the file's values are ignored, change them in the HR system"}},
				{row: 3, kind: KindNew, after: map[Field]string{Title: "Dev"}},
			},
		},
		{
			name:   "HRIS: matched by source id, an email change is a warning and the email is kept",
			people: []personSpec{{id: 1, email: "ann@x.com", sourceID: "100"}},
			input:  func(in *Input) { in.Options.MatchBy = MatchByEmployeeID },
			records: func() []Record {
				r := record(2, map[Field]string{Email: "ann.new@x.com", Title: "CTO"})
				r.SourceID = "100"
				return []Record{r}
			}(),
			want: []want{{row: 2, kind: KindUpdated, fields: []FieldChange{{Field: Title, New: "CTO"}}, warnings: []string{"email_change_ignored"},
				after: map[Field]string{Email: "ann@x.com"}, text: map[string]string{"SourceID": "100"}}},
		},
		{
			name:   "HRIS: an id of one person and an email of another is an identity conflict for both",
			people: []personSpec{{id: 1, email: "ann@x.com", sourceID: "100"}, {id: 2, email: "bob@x.com", sourceID: "200"}},
			input:  func(in *Input) { in.Options.MatchBy = MatchByEmployeeID; in.Options.DeactivateMissing = true },
			records: func() []Record {
				r := record(2, map[Field]string{Email: "bob@x.com", Title: "CTO"})
				r.SourceID = "100"
				b := record(3, map[Field]string{Email: "bob@x.com", Title: "CFO"})
				b.SourceID = "200"
				return []Record{r, b}
			}(),
			want: []want{
				{row: 2, kind: KindError, errors: []string{"duplicate_email", "identity_conflict"},
					messages: []string{`identity conflict: the HR system's employee id "100" belongs to ann@x.com but the email bob@x.com belongs to bob@x.com`}},
				{row: 3, kind: KindError, errors: []string{"duplicate_email", "identity_conflict"}, messages: []string{"identity conflict on row 2 involves bob@x.com"}},
			},
		},
		{
			name:   "HRIS: the manager's source id wins over the manager email",
			people: []personSpec{{id: 1, email: "ann@x.com", sourceID: "100"}, {id: 2, email: "bob@x.com", sourceID: "200"}},
			input:  func(in *Input) { in.Options.MatchBy = MatchByEmployeeID },
			records: func() []Record {
				r := record(2, map[Field]string{Email: "bob@x.com", ManagerEmail: "nobody@x.com"})
				r.SourceID, r.ManagerSourceID = "200", "300"
				n := full(3, "new@x.com", nil)
				n.SourceID = "300"
				return []Record{r, n}
			}(),
			count: 3,
			want: []want{
				{row: 2, kind: KindUpdated, fields: []FieldChange{{Field: ManagerEmail, New: "new@x.com"}}},
				{row: 3, kind: KindNew, text: map[string]string{"SourceID": "300"}},
				{row: 0, email: "ann@x.com", kind: KindUnchanged, reason: "not_sent_by_source"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Directory: snapshot(tc.people...), Options: DefaultOptions(), Records: tc.records}
			if tc.options != nil {
				tc.options(&in.Options)
			}
			if tc.input != nil {
				tc.input(&in)
			}
			plan := PlanImport(in)
			count := tc.count
			if count == 0 {
				count = len(tc.records)
			}
			if len(plan.Changes) != count {
				t.Fatalf("got %d changes, want %d:%s", len(plan.Changes), count, describe(plan))
			}
			if plan.DirectoryVersion != 7 {
				t.Errorf("DirectoryVersion = %d, want 7", plan.DirectoryVersion)
			}
			for _, w := range tc.want {
				checkChange(t, plan, w)
			}
		})
	}
}

func checkChange(t *testing.T, plan Plan, w want) {
	t.Helper()
	c := changeFor(t, plan, w.row, w.email)
	where := w.email
	if w.row > 0 {
		where = "row " + itoa(w.row)
	}
	if c.Kind != w.kind {
		t.Errorf("%s: kind %s, want %s:%s", where, c.Kind, w.kind, describe(plan))
	}
	if w.reason != "" && c.ReasonCode != w.reason {
		t.Errorf("%s: reason code %q, want %q", where, c.ReasonCode, w.reason)
	}
	if c.Reason == "" {
		t.Errorf("%s: empty Reason", where)
	}
	fieldsChecked := w.fields != nil || w.kind == KindUpdated || w.kind == KindUnchanged
	if fieldsChecked && !slices.Equal(c.FieldChanges(), w.fields) {
		t.Errorf("%s: fields\n got %v\nwant %v", where, c.FieldChanges(), w.fields)
	}
	if got := codes(c.Errors); !slices.Equal(got, nilIfEmpty(w.errors)) && !(len(got) == 0 && len(w.errors) == 0) {
		t.Errorf("%s: errors %v, want %v (%v)", where, got, w.errors, c.Errors)
	}
	if got := codes(c.Warnings); !slices.Equal(got, w.warnings) && !(len(got) == 0 && len(w.warnings) == 0) {
		t.Errorf("%s: warnings %v, want %v (%v)", where, got, w.warnings, c.Warnings)
	}
	for _, m := range w.messages {
		found := false
		for _, p := range append(slices.Clone(c.Errors), c.Warnings...) {
			found = found || strings.Contains(p.Message, m)
		}
		if !found {
			t.Errorf("%s: no message contains %q in errors %v warnings %v", where, m, c.Errors, c.Warnings)
		}
	}
	if (c.After != nil) != c.Applies() {
		t.Errorf("%s: a %s change has After %v; only changes that apply carry it", where, c.Kind, c.After)
	}
	for f, v := range w.after {
		if c.AfterValue(f) != v {
			t.Errorf("%s: After[%s] = %q, want %q", where, f, c.AfterValue(f), v)
		}
	}
	for key, v := range w.text {
		var got string
		switch key {
		case "Reason":
			got = c.Reason
		case "Name":
			got = c.Name
		case "Email":
			got = c.Email
		case "SourceID":
			got = c.SourceID
		case "ManagerChanged":
			got = map[bool]string{true: "true", false: "false"}[c.ManagerChanged]
		default:
			t.Fatalf("unknown text key %q", key)
		}
		if got != v {
			t.Errorf("%s: %s = %q, want %q", where, key, got, v)
		}
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// Managers are linked by id whether or not the loader sorted the people by id.
func TestSnapshotLinksManagersByID(t *testing.T) {
	for name, ids := range map[string][]int64{"sorted": {3, 7, 9, 40}, "unsorted": {9, 3, 40, 7}} {
		people := make([]Person, len(ids))
		for i, id := range ids {
			people[i] = Person{ID: id, ManagerID: ids[(i+1)%len(ids)], SecondaryManagerID: 41}
			people[i].Values[Email] = "p" + itoa(int(id)) + "@x.com"
		}
		s := NewSnapshot(1, people)
		for i := range ids {
			got := s.Person(i)
			want := "p" + itoa(int(ids[(i+1)%len(ids)])) + "@x.com"
			if got.ID != ids[i] || got.Values[ManagerEmail] != want || got.Values[SecondaryManagerEmail] != "" || got.SecondaryManagerID != 41 {
				t.Errorf("%s: person %d = %+v, want manager %s and no secondary manager email", name, i, got, want)
			}
		}
	}
}

// A person reads back as it was added; repeated values are stored once.
func TestSnapshotKeepsPeople(t *testing.T) {
	people := make([]Person, 3)
	for i := range people {
		p := &people[i]
		p.ID, p.Active, p.Protected, p.SourceID = int64(i+1), i != 1, i == 2, "S"+itoa(i)
		for f := range p.Values {
			p.Values[f] = Field(f).Key() + "-" + itoa(i%2)
		}
		p.Values[ManagerEmail], p.Values[SecondaryManagerEmail] = "", ""
		p.Values[Status] = statusText(p.Active)
	}
	people[2].Values[Title] = ""
	s := NewSnapshot(4, people)
	if s.Version != 4 || s.Len() != 3 {
		t.Fatalf("version %d, %d people", s.Version, s.Len())
	}
	if got := slices.Collect(s.All()); !reflect.DeepEqual(got, people) {
		t.Errorf("people read back as\n%+v\nwant\n%+v", got, people)
	}
	if len(s.text) > 600 {
		t.Errorf("%d bytes of text for 3 people who share most values", len(s.text))
	}
}

func TestUnknownEmails(t *testing.T) {
	s := snapshot(personSpec{id: 1, email: "Ann@X.com"}, personSpec{id: 2, email: "bo@x.com"})
	records := []Record{
		record(2, map[Field]string{Email: "ann@x.com"}),
		record(3, map[Field]string{Email: " NEW@x.com"}),
		record(4, map[Field]string{FirstName: "No email"}),
		record(5, map[Field]string{Email: "new@x.com"}),
		record(6, map[Field]string{Email: "BO@x.com"}),
	}
	if got, want := s.UnknownEmails(records), []string{"new@x.com", "new@x.com"}; !slices.Equal(got, want) {
		t.Errorf("UnknownEmails = %q, want %q", got, want)
	}
	if got := (&Snapshot{}).UnknownEmails(records[:1]); !slices.Equal(got, []string{"ann@x.com"}) {
		t.Errorf("UnknownEmails of an empty directory = %q", got)
	}
}
