package store

import (
	"context"
	"io"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

// previewOn stores records as an HR sync's rows, loads them back and previews them on the
// given day, the way the preview activity does.
func previewOn(t *testing.T, st *Store, p Principal, opts directory.Options, records []directory.Record, today string) (int64, PreviewSaved) {
	t.Helper()
	ctx := context.Background()
	id, err := st.CreateImport(ctx, NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: "bamboohr",
		FileName: "people.csv", Content: []byte("x"), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	if _, err := st.SaveRows(ctx, p.CompanyID, id, func() (directory.Record, error) {
		if i == len(records) {
			return directory.Record{}, io.EOF
		}
		i++
		return records[i-1], nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := st.LoadRows(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range records {
		if loaded[k].Skip != records[k].Skip {
			t.Fatalf("row %d: skip reason %q stored as %q", records[k].Row, records[k].Skip, loaded[k].Skip)
		}
	}
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := st.SavePlan(ctx, p.CompanyID, id, directory.Prepare(directory.Input{Directory: snap, Records: loaded, Options: opts, Today: today}), nil)
	if err != nil {
		t.Fatal(err)
	}
	return id, saved
}

func hrRecord(row int, sourceID, first, email, hire string) directory.Record {
	r := record(row, first, "Doe", email, "")
	r.SourceID = sourceID
	if hire != "" {
		r.Cells.Set(directory.HireDate, directory.SetValue(hire))
	}
	r.Cells.Set(directory.Status, directory.SetValue(directory.StatusActive))
	return r
}

func TestPendingPeopleStartOnTheirHireDate(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Pending Co")
	opts := directory.DefaultOptions()
	opts.MatchBy = directory.MatchByEmployeeID
	opts.SendPasswordEmails = true

	id, saved := previewOn(t, st, p, opts, []directory.Record{
		hrRecord(2, "1", "Ann", "ann@pending.example", "2020-01-01"),
		hrRecord(3, "2", "Pat", "pat@pending.example", "2027-01-04"),
	}, "2026-12-08")
	if saved.Summary.New != 2 || saved.Summary.Pending != 1 {
		t.Fatalf("summary %+v, want 2 new of whom 1 pending", saved.Summary)
	}
	applyApproved(t, st, p, id, saved.PreviewVersion)
	cycle, err := st.CreateCycle(ctx, p.CompanyID, NewCycle{Name: "Objectives", Kind: CycleObjectives, OpenToEveryone: true})
	if err != nil {
		t.Fatal(err)
	}
	if cycle.Participants != 1 {
		t.Fatalf("an objectives cycle for everyone starts with %d people, want 1 (a pending person is not in it)", cycle.Participants)
	}
	queued, err := st.QueuePasswordEmails(ctx, p.CompanyID, id, func(r PasswordRecipient) (string, string, string) { return r.Email, "s", "b" })
	if err != nil || queued != 1 {
		t.Fatalf("queued %d password emails (%v), want 1: none for the pending person", queued, err)
	}
	pat := mustPerson(t, st, p.CompanyID, "pat@pending.example")
	if pat.Active || !pat.Pending || pat.Values[directory.Status] != directory.StatusPending {
		t.Fatalf("pat: active %v pending %v status %q, want pending", pat.Active, pat.Pending, pat.Values[directory.Status])
	}
	for _, tc := range []struct {
		status        string
		want, billed  int64
		wantPendingOf int64
	}{{"pending", 1, 1, 1}, {"active", 1, 1, 1}, {"deactivated", 0, 1, 1}, {"all", 2, 1, 1}} {
		page, err := st.ListPeople(ctx, p.CompanyID, PeopleFilter{Status: tc.status})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != tc.want || page.Billable != tc.billed || page.Pending != tc.wantPendingOf {
			t.Errorf("%s: total %d billable %d pending %d, want %d %d %d", tc.status, page.Total, page.Billable, page.Pending, tc.want, tc.billed, tc.wantPendingOf)
		}
	}
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	pending := 0
	for person := range snap.All() {
		if person.Pending {
			pending++
		}
	}
	if pending != 1 {
		t.Fatalf("the snapshot has %d pending people, want 1", pending)
	}

	// A sync before the hire date keeps Pat pending; the first one on it activates her and
	// runs the new people's post-steps for her.
	id, saved = previewOn(t, st, p, opts, []directory.Record{
		hrRecord(2, "1", "Ann", "ann@pending.example", "2020-01-01"),
		hrRecord(3, "2", "Pat", "pat@pending.example", "2027-01-04"),
	}, "2027-01-03")
	if saved.Summary.Unchanged != 2 || saved.Summary.Pending != 1 {
		t.Fatalf("the day before: %+v, want both unchanged and Pat still pending", saved.Summary)
	}
	if err := st.RejectImport(ctx, p, id, "not today"); err != nil {
		t.Fatal(err)
	}
	id, saved = previewOn(t, st, p, opts, []directory.Record{
		hrRecord(2, "1", "Ann", "ann@pending.example", "2020-01-01"),
		hrRecord(3, "2", "Pat", "pat@pending.example", "2027-01-04"),
	}, "2027-01-04")
	if saved.Summary.Reactivated != 1 || saved.Summary.Started != 1 || saved.Summary.Pending != 0 {
		t.Fatalf("on the hire date: %+v, want Pat started", saved.Summary)
	}
	applyApproved(t, st, p, id, saved.PreviewVersion)
	if pat := mustPerson(t, st, p.CompanyID, "pat@pending.example"); !pat.Active || pat.Pending {
		t.Fatalf("pat after her start: active %v pending %v", pat.Active, pat.Pending)
	}
	if joined, err := st.JoinOpenObjectivesCycles(ctx, p.CompanyID, id); err != nil || joined != 1 {
		t.Fatalf("joined %d (%v), want Pat in the objectives cycle", joined, err)
	}
	queued, err = st.QueuePasswordEmails(ctx, p.CompanyID, id, func(r PasswordRecipient) (string, string, string) { return r.Email, "s", "b" })
	if err != nil || queued != 1 {
		t.Fatalf("queued %d password emails (%v) on the start date, want 1 for Pat", queued, err)
	}
}

func TestReactivatingAPendingPersonEndsPending(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Early Co")
	opts := directory.DefaultOptions()
	opts.MatchBy = directory.MatchByEmployeeID
	id, saved := previewOn(t, st, p, opts, []directory.Record{hrRecord(2, "9", "Eve", "eve@early.example", "2030-05-01")}, "2026-12-08")
	applyApproved(t, st, p, id, saved.PreviewVersion)
	if _, err := st.SetPeopleActive(ctx, p, []string{"eve@early.example"}, true); err != nil {
		t.Fatal(err)
	}
	if eve := mustPerson(t, st, p.CompanyID, "eve@early.example"); !eve.Active || eve.Pending {
		t.Fatalf("eve reactivated by hand: active %v pending %v, want active and no longer pending", eve.Active, eve.Pending)
	}
}

func TestDiagnoseListsSkippedAndNotSent(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Diag Co")
	opts := directory.DefaultOptions()
	opts.MatchBy = directory.MatchByEmployeeID
	id, saved := previewOn(t, st, p, opts, []directory.Record{
		hrRecord(2, "1", "Ann", "ann@diag.example", ""),
		hrRecord(3, "2", "Bob", "bob@diag.example", ""),
		hrRecord(4, "3", "Cat", "cat@diag.example", ""),
	}, "2026-12-08")
	applyApproved(t, st, p, id, saved.PreviewVersion)

	lost := hrRecord(3, "2", "Bob", "", "")
	lost.Skip = "no work email in BambooHR"
	for _, deactivate := range []bool{false, true} {
		opts.DeactivateMissing = deactivate
		id, _ := previewOn(t, st, p, opts, []directory.Record{hrRecord(2, "1", "Ann", "ann@diag.example", ""), lost}, "2026-12-08")
		d, err := st.DiagnoseImport(ctx, p.CompanyID, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !d.FromSource || d.NotImportedTotal != 1 || len(d.NotImported) != 1 || d.NotInSourceTotal != 1 || len(d.NotInSource) != 1 {
			t.Fatalf("deactivate %v: diagnosis %+v, want Bob not imported and Cat not in the source", deactivate, d)
		}
		bob, cat := d.NotImported[0], d.NotInSource[0]
		if bob.SourceID != "2" || bob.ReasonCode != directory.ReasonSkippedBySource || bob.Email != "bob@diag.example" || bob.Name != "Bob Doe" {
			t.Errorf("not imported: %+v", bob)
		}
		wantKind := directory.KindUnchanged
		if deactivate {
			wantKind = directory.KindDeactivated
		}
		if cat.Email != "cat@diag.example" || cat.ReasonCode != directory.ReasonNotSentBySource || cat.Kind != wantKind {
			t.Errorf("not in the source: %+v, want cat %s", cat, wantKind)
		}
		if err := st.RejectImport(ctx, p, id, "test"); err != nil {
			t.Fatal(err)
		}
	}
	other := newCompany(t, st, "Other Co")
	if _, err := st.DiagnoseImport(ctx, other.CompanyID, id, 0); err == nil {
		t.Fatal("another company could diagnose this import")
	}
}

func TestDeactivatingAPendingPersonCancelsTheStart(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Cancel Co")
	opts := directory.DefaultOptions()
	opts.MatchBy = directory.MatchByEmployeeID
	id, saved := previewOn(t, st, p, opts, []directory.Record{hrRecord(2, "9", "Ivy", "ivy@cancel.example", "2030-05-01")}, "2026-12-08")
	applyApproved(t, st, p, id, saved.PreviewVersion)
	res, err := st.SetPeopleActive(ctx, p, []string{"ivy@cancel.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || !res[0].Changed {
		t.Fatalf("deactivating a pending person: %+v, want a change", res)
	}
	if ivy := mustPerson(t, st, p.CompanyID, "ivy@cancel.example"); ivy.Active || ivy.Pending || ivy.Values[directory.Status] != directory.StatusInactive {
		t.Fatalf("ivy: active %v pending %v status %q, want deactivated", ivy.Active, ivy.Pending, ivy.Values[directory.Status])
	}
	// Deactivating her again changes nothing.
	if res, err := st.SetPeopleActive(ctx, p, []string{"ivy@cancel.example"}, false); err != nil || len(res) != 1 || res[0].Changed {
		t.Fatalf("deactivating her twice: %+v %v", res, err)
	}
	// On her old hire date a sync does not make her pending again, nor start her: she is a
	// deactivated person, whom the HR system's status (still active) reactivates as usual.
	_, saved = previewOn(t, st, p, opts, []directory.Record{hrRecord(2, "9", "Ivy", "ivy@cancel.example", "2030-05-01")}, "2030-05-01")
	if saved.Summary.Started != 0 || saved.Summary.Pending != 0 || saved.Summary.Reactivated != 1 {
		t.Fatalf("after the cancelled start: %+v, want a plain reactivation", saved.Summary)
	}
}
