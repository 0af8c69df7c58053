package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// A revert keeps every field someone changed after the import, status and manager
// included: a person deactivated by hand stays inactive, the source of a merge stays
// merged and inactive, a manager set by hand stays; each is reported as kept.
func TestRevertKeepsStatusAndManagerChangedSince(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Kept")
	seedPeople(t, st, p, append(acmePeople("kept.example"), record(6, "Léa", "Roux", "lea@kept.example", "ann@kept.example"),
		record(7, "Leah", "Roux", "leah.roux@kept.example", "ann@kept.example")))

	// The import changes titles of Léa, Bob and Leah, and Cy's manager.
	lea := record(2, "Léa", "Roux", "lea@kept.example", "")
	lea.Cells.Set(directory.Title, directory.SetValue("Director"))
	bob := record(3, "Bob", "Lead", "bob@kept.example", "")
	bob.Cells.Set(directory.Title, directory.SetValue("VP"))
	leah := record(4, "Leah", "Roux", "leah.roux@kept.example", "")
	leah.Cells.Set(directory.Title, directory.SetValue("Analyst"))
	cy := record(5, "Cy", "Dev", "cy@kept.example", "bob@kept.example")
	imported := seedPeople(t, st, p, []directory.Record{lea, bob, leah, cy})

	// Since: Léa deactivated by hand, Leah merged into Léa's colleague Bob, Cy's manager set
	// back to Ann by hand.
	if _, err := st.SetPeopleActive(ctx, p, []string{"lea@kept.example"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MergePeople(ctx, p, "leah.roux@kept.example", "bob@kept.example", false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdatePerson(ctx, p, "cy@kept.example", []FieldEdit{set(directory.ManagerEmail, "ann@kept.example")}); err != nil {
		t.Fatal(err)
	}

	check, err := st.PlanRevert(ctx, p, imported, time.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	if !check.CheckOnly || check.ImportID != 0 {
		t.Fatalf("check only = %+v, want nothing stored", check)
	}
	var n int
	if err := st.pool.QueryRow(ctx, `SELECT count(*) FROM imports WHERE reverts_import_id = $1`, imported).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a check stored %d reverts (%v)", n, err)
	}

	revert, err := st.CreateRevertImport(ctx, p, imported, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]KeptField{}
	for _, k := range revert.KeptFields {
		kept[k.Person.Email+" "+k.Field] = k
	}
	if len(kept) != 3 || revert.Kept != 3 || check.Kept != 3 {
		t.Fatalf("kept = %v (check %d), want Léa's status, Leah's status and Cy's manager", kept, check.Kept)
	}
	if k := kept["lea@kept.example status"]; k.Current != directory.StatusInactive || k.ChangedBy != "Ada" || k.ChangedAt.IsZero() {
		t.Fatalf("Léa's kept status = %+v, want Inactive, changed by Ada", k)
	}
	if k := kept["cy@kept.example manager_email"]; k.Current != "ann@kept.example" || k.ImportOld != "ann@kept.example" {
		t.Fatalf("Cy's kept manager = %+v", k)
	}
	if _, ok := kept["leah.roux@kept.example status"]; !ok {
		t.Fatalf("the merged source's status is not kept: %v", kept)
	}

	plan := applyStoredRows(t, st, p, revert.ImportID)
	if plan.Summary.Reactivated != 0 || plan.Summary.Deactivated != 0 || plan.Summary.Error != 0 {
		t.Fatalf("revert summary = %+v; nobody's status may change", plan.Summary)
	}
	var warnings []string
	for _, c := range plan.Changes {
		for _, w := range c.Warnings {
			if w.Code == "revert_kept" {
				warnings = append(warnings, c.Email+": "+w.Message)
			}
		}
	}
	if len(warnings) != 3 || !strings.Contains(strings.Join(warnings, "\n"), "lea@kept.example: kept: status changed since by Ada") {
		t.Fatalf("kept warnings = %q", warnings)
	}
	after := directoryValues(t, st, p.CompanyID)
	if v := after["lea@kept.example"]; v[directory.Status] != directory.StatusInactive || v[directory.Title] != "" {
		t.Fatalf("Léa after the revert: status %q title %q; want still inactive, title restored", v[directory.Status], v[directory.Title])
	}
	if v := after["leah.roux@kept.example"]; v[directory.Status] != directory.StatusInactive {
		t.Fatalf("the merged account was reactivated: %v", v)
	}
	if v := after["cy@kept.example"]; v[directory.ManagerEmail] != "ann@kept.example" {
		t.Fatalf("Cy's manager = %q, want the hand-set ann@", v[directory.ManagerEmail])
	}
	if v := after["bob@kept.example"]; v[directory.Title] != "" {
		t.Fatalf("Bob's title = %q, want it restored", v[directory.Title])
	}
}

// A revert that sets fields an HR integration owns says which integration will set them
// again; fields it does not own are not reported.
func TestRevertReportsHROwnedFields(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "HR Owned")
	seedPeople(t, st, p, acmePeople("owned.example"))
	bob := record(2, "Bob", "Lead", "bob@owned.example", "")
	bob.Cells.Set(directory.Title, directory.SetValue("VP"))
	team := record(3, "Cy", "Dev", "cy@owned.example", "")
	team.Cells.Set(directory.Team, directory.SetValue("Platform"))
	imported := seedPeople(t, st, p, []directory.Record{bob, team})

	if r, err := st.PlanRevert(ctx, p, imported, time.Now(), true); err != nil || len(r.HROwned) != 0 {
		t.Fatalf("without an HR integration: %+v, %v", r.HROwned, err)
	}
	id, err := st.CreateIntegration(ctx, p.CompanyID, IntegrationConfig{Kind: KindBambooHR, Name: "BambooHR",
		Settings: map[string]string{"subdomain": "owned"}, Interval: 3 * time.Hour, Options: directory.DefaultOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.PlanRevert(ctx, p, imported, time.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.HROwned) != 1 {
		t.Fatalf("HR owned = %+v, want the BambooHR integration", r.HROwned)
	}
	h := r.HROwned[0]
	if h.IntegrationID != id || h.People != 1 || strings.Join(h.Fields, ",") != "title" || h.Paused || h.AutomaticRuns {
		t.Fatalf("HR owned = %+v, want title of 1 person, integration not paused, automatic runs off", h)
	}
}
