package directory

import (
	"strings"
	"testing"
)

// trustPerson is a directory person for the issue 17 tests.
type trustPerson struct {
	id              int64
	email, sourceID string
	empID, hire     string
	inactive        bool
	pending         bool
}

func trustSnapshot(specs ...trustPerson) Snapshot {
	people := make([]Person, len(specs))
	for i, s := range specs {
		p := Person{ID: s.id, Active: !s.inactive && !s.pending, Pending: s.pending, SourceID: s.sourceID}
		p.Values[FirstName], p.Values[LastName] = strings.SplitN(s.email, "@", 2)[0], "Doe"
		p.Values[Email], p.Values[EmployeeID], p.Values[HireDate] = s.email, s.empID, s.hire
		p.Values[EmploymentType] = "Full-time"
		p.Values[Status] = statusText(p.Active)
		if s.pending {
			p.Values[Status] = StatusPending
		}
		people[i] = p
	}
	return NewSnapshot(3, people)
}

// hrRecord is a record an HR system sent: source id, email (may be empty), hire date.
func hrRecord(row int, sourceID, email, hire string) Record {
	first := strings.SplitN(email, "@", 2)[0]
	r := record(row, map[Field]string{FirstName: first, LastName: "Doe", Email: email, HireDate: hire, Status: StatusActive})
	r.SourceID = sourceID
	return r
}

func findChange(plan Plan, email string) *Change {
	for i := range plan.Changes {
		if strings.EqualFold(plan.Changes[i].Email, email) {
			return &plan.Changes[i]
		}
	}
	return nil
}

func TestSkippedRecordsAreSeenAndListed(t *testing.T) {
	dir := trustSnapshot(
		trustPerson{id: 1, email: "ann@x.com", sourceID: "A1"},
		trustPerson{id: 2, email: "bob@x.com", sourceID: "B2", empID: "E-2"},
		trustPerson{id: 3, email: "cat@x.com", sourceID: "C3"},
		trustPerson{id: 4, email: "dan@x.com", sourceID: "D4"},
	)
	skipBySource := hrRecord(2, "A1", "", "")
	skipBySource.Skip = "no work email in BambooHR"
	skipByEmpID := hrRecord(3, "NEWID", "", "")
	skipByEmpID.Cells.Set(EmployeeID, SetValue("E-2"))
	skipByEmpID.Skip = "work email is not a valid address"
	skipUnknown := hrRecord(4, "Z9", "", "")
	skipUnknown.Skip = "no work email in BambooHR"
	sent := hrRecord(5, "C3", "cat@x.com", "")

	for _, tc := range []struct {
		name       string
		deactivate bool
		wantDan    Kind
		danReason  string
	}{
		{"deactivate missing on", true, KindDeactivated, "deactivated: not sent by the source"},
		{"deactivate missing off", false, KindUnchanged, "unchanged: not sent by the source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.MatchBy, opts.DeactivateMissing = MatchByEmployeeID, tc.deactivate
			plan := PlanImport(Input{Directory: dir, Options: opts,
				Records: []Record{skipBySource, skipByEmpID, skipUnknown, sent}})
			for _, email := range []string{"ann@x.com", "bob@x.com"} {
				c := findChange(plan, email)
				if c == nil || c.Kind != KindError || c.ReasonCode != ReasonSkippedBySource || c.PersonID == 0 {
					t.Fatalf("%s: change %+v, want a skipped_by_source error row naming the person", email, c)
				}
				if !strings.Contains(c.Reason, "cannot be imported") {
					t.Errorf("%s: reason %q does not say why", email, c.Reason)
				}
			}
			if c := findChange(plan, "ann@x.com"); !strings.Contains(c.Reason, "no work email in BambooHR") {
				t.Errorf("reason %q lacks the source's reason", c.Reason)
			}
			var unknown *Change
			for i := range plan.Changes {
				if plan.Changes[i].Row == 4 {
					unknown = &plan.Changes[i]
				}
			}
			if unknown == nil || unknown.Kind != KindError || unknown.ReasonCode != ReasonSkippedBySource || unknown.SourceID != "Z9" {
				t.Fatalf("unmatched skipped record: %+v", unknown)
			}
			dan := findChange(plan, "dan@x.com")
			if dan == nil || dan.Kind != tc.wantDan || dan.ReasonCode != ReasonNotSentBySource || !strings.HasPrefix(dan.Reason, tc.danReason) {
				t.Fatalf("dan (not sent): %+v, want %s %s", dan, tc.wantDan, ReasonNotSentBySource)
			}
			wantDeactivated := 0
			if tc.deactivate {
				wantDeactivated = 1
			}
			if plan.Summary.Deactivated != wantDeactivated {
				t.Errorf("deactivated %d, want %d (only the person not sent)", plan.Summary.Deactivated, wantDeactivated)
			}
		})
	}
}

func TestFileImportMissingStaysNotInFile(t *testing.T) {
	dir := trustSnapshot(trustPerson{id: 1, email: "ann@x.com"}, trustPerson{id: 2, email: "bob@x.com"})
	opts := DefaultOptions()
	opts.DeactivateMissing = true
	plan := PlanImport(Input{Directory: dir, Options: opts, Records: []Record{record(2, map[Field]string{Email: "ann@x.com"})}})
	if c := findChange(plan, "bob@x.com"); c == nil || c.ReasonCode != ReasonNotInFile {
		t.Fatalf("bob: %+v, want not_in_file", c)
	}
	opts.DeactivateMissing = false
	plan = PlanImport(Input{Directory: dir, Options: opts, Records: []Record{record(2, map[Field]string{Email: "ann@x.com"})}})
	if c := findChange(plan, "bob@x.com"); c != nil {
		t.Fatalf("a file import lists people not in the file: %+v", c)
	}
}

func TestPendingPeople(t *testing.T) {
	const today = "2026-12-08"
	dir := trustSnapshot(
		trustPerson{id: 1, email: "wait@x.com", sourceID: "W1", hire: "2027-01-04", pending: true},
		trustPerson{id: 2, email: "go@x.com", sourceID: "G2", hire: "2026-12-08", pending: true},
		trustPerson{id: 3, email: "old@x.com", sourceID: "O3", hire: "2027-02-01"},
	)
	on, off := true, false
	for _, tc := range []struct {
		name    string
		match   MatchBy
		option  *bool
		records []Record
		want    map[string]struct {
			kind   Kind
			reason string
			status string
		}
		pending, started int
	}{
		{
			name:  "HR sync: future hire is pending, today's starts, active stays active",
			match: MatchByEmployeeID,
			records: []Record{
				hrRecord(2, "N1", "new@x.com", "2027-01-04"),
				hrRecord(3, "W1", "wait@x.com", "2027-01-04"),
				hrRecord(4, "G2", "go@x.com", "2026-12-08"),
				hrRecord(5, "O3", "old@x.com", "2027-02-01"),
				hrRecord(6, "N2", "now@x.com", "2026-12-01"),
			},
			want: map[string]struct {
				kind   Kind
				reason string
				status string
			}{
				"new@x.com":  {KindNew, ReasonNewPending, StatusPending},
				"wait@x.com": {KindUnchanged, "no_changes", ""},
				"go@x.com":   {KindReactivated, ReasonPendingStarted, StatusActive},
				"old@x.com":  {KindUnchanged, "no_changes", ""},
				"now@x.com":  {KindNew, "new_person", StatusActive},
			},
			pending: 2, started: 1,
		},
		{
			name:    "HR sync with the option off: a future hire is active",
			match:   MatchByEmployeeID,
			option:  &off,
			records: []Record{hrRecord(2, "N1", "new@x.com", "2027-01-04")},
			want: map[string]struct {
				kind   Kind
				reason string
				status string
			}{"new@x.com": {KindNew, "new_person", StatusActive}},
		},
		{
			name:    "file import: off by default, on when asked",
			match:   MatchByEmail,
			option:  &on,
			records: []Record{full(2, "new@x.com", map[Field]string{HireDate: "2027-01-04"})},
			want: map[string]struct {
				kind   Kind
				reason string
				status string
			}{"new@x.com": {KindNew, ReasonNewPending, StatusPending}},
			pending: 1,
		},
		{
			name:    "file import by default: a future hire is active",
			match:   MatchByEmail,
			records: []Record{full(2, "new@x.com", map[Field]string{HireDate: "2027-01-04"})},
			want: map[string]struct {
				kind   Kind
				reason string
				status string
			}{"new@x.com": {KindNew, "new_person", StatusActive}},
		},
		{
			name:  "the source says inactive: a pending person is deactivated, not started",
			match: MatchByEmployeeID,
			records: []Record{func() Record {
				r := hrRecord(2, "G2", "go@x.com", "2026-12-08")
				r.Cells.Set(Status, SetValue(StatusInactive))
				return r
			}()},
			want: map[string]struct {
				kind   Kind
				reason string
				status string
			}{"go@x.com": {KindUpdated, "fields_changed", StatusInactive}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.MatchBy, opts.ActivateOnHireDate, opts.DeactivateMissing = tc.match, tc.option, true
			opts.MaxDeactivations = -1
			plan := PlanImport(Input{Directory: dir, Options: opts, Records: tc.records, Today: today})
			for email, w := range tc.want {
				c := findChange(plan, email)
				if c == nil || c.Kind != w.kind || c.ReasonCode != w.reason {
					t.Fatalf("%s: %+v, want %s %s", email, c, w.kind, w.reason)
				}
				if w.status != "" && c.AfterValue(Status) != w.status {
					t.Errorf("%s: status after %q, want %q", email, c.AfterValue(Status), w.status)
				}
				if w.reason == ReasonNewPending && !strings.Contains(c.Reason, "starts on 2027-01-04") {
					t.Errorf("%s: reason %q does not give the start date", email, c.Reason)
				}
			}
			if plan.Summary.Pending != tc.pending || plan.Summary.Started != tc.started {
				t.Errorf("summary pending %d started %d, want %d and %d", plan.Summary.Pending, plan.Summary.Started, tc.pending, tc.started)
			}
			for _, c := range plan.Changes {
				if c.Kind == KindDeactivated && c.Email == "wait@x.com" {
					t.Errorf("a pending person was deactivated: %+v", c)
				}
			}
		})
	}
}

func TestPendingWithoutTodayHoldsNobody(t *testing.T) {
	opts := DefaultOptions()
	opts.MatchBy = MatchByEmployeeID
	plan := PlanImport(Input{Directory: trustSnapshot(), Options: opts, Records: []Record{hrRecord(2, "N1", "new@x.com", "2099-01-04")}})
	if c := findChange(plan, "new@x.com"); c == nil || c.AfterValue(Status) != StatusActive {
		t.Fatalf("without a date the plan held someone pending: %+v", c)
	}
}

func TestAPendingManagerIsNotADeactivatedManager(t *testing.T) {
	dir := trustSnapshot(trustPerson{id: 1, email: "boss@x.com", sourceID: "B1", hire: "2027-03-01", pending: true})
	opts := DefaultOptions()
	opts.MatchBy = MatchByEmployeeID
	lead := hrRecord(2, "L1", "lead@x.com", "2027-02-01")
	report := hrRecord(3, "R1", "report@x.com", "2020-01-01")
	report.ManagerSourceID = "L1"
	other := hrRecord(4, "R2", "other@x.com", "2020-01-01")
	other.ManagerSourceID = "B1"
	plan := PlanImport(Input{Directory: dir, Options: opts, Records: []Record{lead, report, other}, Today: "2026-12-08"})
	for _, email := range []string{"report@x.com", "other@x.com"} {
		c := findChange(plan, email)
		if c == nil || c.Kind != KindNew {
			t.Fatalf("%s: %+v", email, c)
		}
		for _, w := range c.Warnings {
			if w.Code == "manager_inactive" {
				t.Errorf("%s: a pending manager is reported as deactivated: %s", email, w.Message)
			}
		}
	}
	if c := findChange(plan, "lead@x.com"); c == nil || c.ReasonCode != ReasonNewPending {
		t.Fatalf("lead: %+v", c)
	}
}

func TestARehireStartingLaterIsPendingNotReactivated(t *testing.T) {
	dir := trustSnapshot(trustPerson{id: 1, email: "back@x.com", sourceID: "R1", hire: "2019-01-01", inactive: true})
	opts := DefaultOptions()
	opts.MatchBy = MatchByEmployeeID
	plan := PlanImport(Input{Directory: dir, Options: opts, Records: []Record{hrRecord(2, "R1", "back@x.com", "2027-01-04")}, Today: "2026-12-08"})
	c := findChange(plan, "back@x.com")
	if c == nil || c.Kind != KindUpdated || c.ReasonCode != ReasonPendingRehire || c.AfterValue(Status) != StatusPending || c.StartsOn != "2027-01-04" {
		t.Fatalf("rehire: %+v, want updated to pending", c)
	}
	// On the day, the pending rehire starts.
	plan = PlanImport(Input{Directory: dir, Options: opts, Records: []Record{hrRecord(2, "R1", "back@x.com", "2026-12-08")}, Today: "2026-12-08"})
	if c := findChange(plan, "back@x.com"); c == nil || c.Kind != KindReactivated || c.ReasonCode != "reactivated" {
		t.Fatalf("rehire starting today: %+v, want a plain reactivation", c)
	}
}
