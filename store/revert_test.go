package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// applyStoredRows previews an import's stored rows with its options and applies them, as
// the workflow does after parsing.
func applyStoredRows(t *testing.T, st *Store, p Principal, importID int64) directory.Plan {
	t.Helper()
	ctx := context.Background()
	im, err := st.GetImport(ctx, p.CompanyID, importID)
	if err != nil {
		t.Fatal(err)
	}
	records, err := st.LoadRows(ctx, importID, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	in := directory.Input{Directory: snap, Records: records, Options: im.Options}
	plan := directory.PlanImport(in)
	saved, err := st.SavePlan(ctx, p.CompanyID, importID, directory.Prepare(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApproveImport(ctx, p, importID, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	if out, err := st.ApplyImport(ctx, p.CompanyID, importID, saved.PreviewVersion); err != nil || out.Stale {
		t.Fatalf("apply import %d: %+v, %v", importID, out, err)
	}
	return plan
}

// directoryValues is the company's directory as an export sees it, by email.
func directoryValues(t *testing.T, st *Store, companyID int64) map[string][directory.NumFields]string {
	t.Helper()
	snap, err := st.Snapshot(context.Background(), companyID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][directory.NumFields]string{}
	for person := range snap.All() {
		out[person.Values[directory.Email]] = person.Values
	}
	return out
}

func withStatus(r directory.Record, status string) directory.Record {
	r.Cells.Set(directory.Status, directory.SetValue(status))
	return r
}

func TestRevertRestoresAndKeepsLaterEdits(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Undo")
	other := newCompany(t, st, "Bystander")
	seedPeople(t, st, p, append(acmePeople("undo.example"),
		withStatus(record(6, "Eve", "Gone", "eve@undo.example", ""), "Inactive"),
		record(7, "Fay", "Stays", "fay@undo.example", "ann@undo.example")))
	before := directoryValues(t, st, p.CompanyID)

	bob := record(2, "Bob", "Lead", "bob@undo.example", "")
	bob.Cells.Set(directory.Title, directory.SetValue("VP"))
	bob.Cells.Set(directory.Department, directory.SetValue("Sales"))
	cy := record(3, "Cy", "Dev", "cy@undo.example", "bob@undo.example")
	gus := record(4, "Gus", "New", "gus@undo.example", "ann@undo.example")
	eve := withStatus(record(5, "Eve", "Gone", "eve@undo.example", ""), "Active")
	fay := withStatus(record(6, "Fay", "Stays", "fay@undo.example", ""), "Inactive")
	imported := seedPeople(t, st, p, []directory.Record{bob, cy, gus, eve, fay})
	if _, err := st.UpdatePerson(ctx, p, "bob@undo.example", []FieldEdit{set(directory.Title, "Head of Sales")}); err != nil {
		t.Fatal(err)
	}
	edited := directoryValues(t, st, p.CompanyID)

	_, err := st.CreateRevertImport(ctx, other, imported, time.Now())
	wantErr(t, "revert another company's import", err, directory.ErrNotFound, "does not exist")
	_, err = st.CreateRevertImport(ctx, p, imported, time.Now().Add(RevertWindow+time.Hour))
	wantErr(t, "revert after 30 days", err, directory.ErrPrecondition, "more than 30 days ago; it can no longer be reverted")

	revert, err := st.CreateRevertImport(ctx, p, imported, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if revert.Rows != 5 || revert.Kept != 1 || revert.Skipped != 0 {
		t.Fatalf("revert = %+v, want 5 rows and 1 kept field", revert)
	}
	_, err = st.CreateRevertImport(ctx, p, imported, time.Now())
	wantErr(t, "second pending revert", err, directory.ErrPrecondition, "already reverts import")
	_, err = st.CreateRevertImport(ctx, p, revert.ImportID, time.Now())
	wantErr(t, "revert an unapplied revert", err, directory.ErrPrecondition, "is previewing; only an applied import can be reverted")
	im, err := st.GetImport(ctx, p.CompanyID, revert.ImportID)
	if err != nil || im.Source != SourceRevert || im.Status != directory.StatusPreviewing || im.RowsTotal != 5 || !strings.Contains(im.FileWarnings[1], "1 field is kept") {
		t.Fatalf("revert import = %+v, %v", im, err)
	}

	plan := applyStoredRows(t, st, p, revert.ImportID)
	if plan.Summary.Updated != 2 || plan.Summary.Deactivated != 2 || plan.Summary.Reactivated != 1 || plan.Summary.Error != 0 || plan.Summary.Warning != 1 {
		t.Fatalf("revert plan summary = %+v", plan.Summary)
	}
	var kept []string
	for _, c := range plan.Changes {
		for _, w := range c.Warnings {
			kept = append(kept, c.Email+": "+w.Message)
		}
	}
	wantKept := "bob@undo.example: kept: edited since by Ada on " + time.Now().UTC().Format(time.DateOnly) +
		`; Title stays as it is now (the reverted import changed it from "" to "VP")`
	if len(kept) != 1 || kept[0] != wantKept {
		t.Fatalf("kept warnings = %q, want %q", kept, wantKept)
	}

	after := directoryValues(t, st, p.CompanyID)
	wantAfter := map[string][directory.NumFields]string{}
	for email, v := range before {
		wantAfter[email] = v
	}
	bobWant := before["bob@undo.example"]
	bobWant[directory.Title] = "Head of Sales"
	wantAfter["bob@undo.example"] = bobWant
	gusWant := edited["gus@undo.example"]
	gusWant[directory.Status] = directory.StatusInactive
	wantAfter["gus@undo.example"] = gusWant
	if !reflect.DeepEqual(after, wantAfter) {
		t.Fatalf("after the revert:\n got %v\nwant %v", after, wantAfter)
	}

	// Reverting the revert brings back the import's result, with the later edit.
	again, err := st.CreateRevertImport(ctx, p, revert.ImportID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if again.Kept != 0 {
		t.Fatalf("revert of the revert kept %d fields, want 0", again.Kept)
	}
	applyStoredRows(t, st, p, again.ImportID)
	if got := directoryValues(t, st, p.CompanyID); !reflect.DeepEqual(got, edited) {
		t.Fatalf("after reverting the revert:\n got %v\nwant %v", got, edited)
	}
}

func TestRevertSkipsDeletedPeopleAndRefusesEmptyImports(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Gone")
	imported := seedPeople(t, st, p, acmePeople("gone.example"))
	if _, err := st.SetPeopleActive(ctx, p, []string{"dee@gone.example"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeletePerson(ctx, p, "dee@gone.example", "dee@gone.example"); err != nil {
		t.Fatal(err)
	}
	revert, err := st.CreateRevertImport(ctx, p, imported, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if revert.Rows != 3 || revert.Skipped != 1 {
		t.Fatalf("revert = %+v, want 3 rows and the deleted person skipped", revert)
	}
	applyStoredRows(t, st, p, revert.ImportID)
	page, err := st.ListPeople(ctx, p.CompanyID, PeopleFilter{})
	if err != nil || page.Total != 0 {
		t.Fatalf("%d people active after reverting the import that created them, %v", page.Total, err)
	}

	unchanged, _, saved := importRecords(t, st, p, nil)
	if err := st.ApproveImport(ctx, p, unchanged, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyImport(ctx, p.CompanyID, unchanged, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateRevertImport(ctx, p, unchanged, time.Now())
	wantErr(t, "revert an import that changed nothing", err, directory.ErrPrecondition, "changed nobody; there is nothing to revert")
}
