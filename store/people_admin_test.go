package store

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

// seedPeople imports and applies records the way an approved upload does.
func seedPeople(t *testing.T, st *Store, p Principal, records []directory.Record) int64 {
	t.Helper()
	ctx := context.Background()
	id, plan, saved := importRecords(t, st, p, records)
	if plan.Summary.Error != 0 {
		t.Fatalf("seed plan has errors: %+v", plan.Changes)
	}
	if err := st.ApproveImport(ctx, p, id, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	out, err := st.ApplyImport(ctx, p.CompanyID, id, saved.PreviewVersion)
	if err != nil || out.Stale {
		t.Fatalf("apply seed: %+v, %v", out, err)
	}
	return id
}

func directoryVersion(t *testing.T, st *Store, companyID int64) int64 {
	t.Helper()
	snap, err := st.Snapshot(context.Background(), companyID)
	if err != nil {
		t.Fatal(err)
	}
	return snap.Version
}

func mustPerson(t *testing.T, st *Store, companyID int64, ref string) directory.Person {
	t.Helper()
	d, err := st.GetPerson(context.Background(), companyID, ref)
	if err != nil {
		t.Fatalf("get %s: %v", ref, err)
	}
	return d.Person
}

// wantErr checks an error's class and that its admin-facing message contains want.
func wantErr(t *testing.T, what string, err, class error, want string) {
	t.Helper()
	if !errors.Is(err, class) {
		t.Fatalf("%s: error %v, want class %v", what, err, class)
	}
	if msg := directory.PublicMessage(err); !strings.Contains(msg, want) {
		t.Fatalf("%s: message %q does not contain %q", what, msg, want)
	}
}

// acmePeople: Ann runs the company, Bob and Cy report to her, Dee reports to Bob.
func acmePeople(domain string) []directory.Record {
	return []directory.Record{
		record(2, "Ann", "Boss", "ann@"+domain, ""),
		record(3, "Bob", "Lead", "bob@"+domain, "ann@"+domain),
		record(4, "Cy", "Dev", "cy@"+domain, "ann@"+domain),
		record(5, "Dee", "Dev", "dee@"+domain, "bob@"+domain),
	}
}

func set(f directory.Field, v string) FieldEdit {
	return FieldEdit{Field: f, Value: directory.SetValue(v)}
}

func TestUpdatePersonValidates(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Acme")
	other := newCompany(t, st, "Other")
	seedPeople(t, st, p, acmePeople("acme.example"))
	seedPeople(t, st, other, []directory.Record{record(2, "Oz", "Other", "oz@other.example", "")})
	if _, err := st.SetPeopleActive(ctx, p, []string{"cy@acme.example"}, false); err != nil {
		t.Fatal(err)
	}
	version := directoryVersion(t, st, p.CompanyID)

	cases := []struct {
		name   string
		person string
		edits  []FieldEdit
		class  error
		want   string
	}{
		{"unknown person", "nobody@acme.example", []FieldEdit{set(directory.Title, "x")}, directory.ErrNotFound, `no person "nobody@acme.example"`},
		{"other company's person", "oz@other.example", []FieldEdit{set(directory.Title, "x")}, directory.ErrNotFound, `no person "oz@other.example"`},
		{"no fields", "bob@acme.example", nil, directory.ErrInvalid, "name at least one field"},
		{"status", "bob@acme.example", []FieldEdit{set(directory.Status, "Inactive")}, directory.ErrInvalid, "deactivate or reactivate"},
		{"required cleared", "bob@acme.example", []FieldEdit{{Field: directory.FirstName, Value: directory.Value{Op: directory.Clear}}}, directory.ErrInvalid, "First Name is required"},
		{"bad gender", "bob@acme.example", []FieldEdit{set(directory.Gender, "x")}, directory.ErrInvalid, `Gender (column C): "x" is not allowed`},
		{"bad date", "bob@acme.example", []FieldEdit{set(directory.HireDate, "31/12/2020")}, directory.ErrInvalid, "use YYYY-MM-DD"},
		{"twice", "bob@acme.example", []FieldEdit{set(directory.Title, "a"), set(directory.Title, "b")}, directory.ErrInvalid, "given twice"},
		{"unknown manager", "bob@acme.example", []FieldEdit{set(directory.ManagerEmail, "zed@acme.example")}, directory.ErrInvalid, "no person zed@acme.example"},
		{"manager of another company", "bob@acme.example", []FieldEdit{set(directory.ManagerEmail, "oz@other.example")}, directory.ErrInvalid, "no person oz@other.example"},
		{"own manager", "bob@acme.example", []FieldEdit{set(directory.ManagerEmail, "bob@acme.example")}, directory.ErrInvalid, "their own manager"},
		{"loop", "ann@acme.example", []FieldEdit{set(directory.ManagerEmail, "dee@acme.example")}, directory.ErrPrecondition,
			"reporting loop (manager: ann@acme.example → dee@acme.example → bob@acme.example → ann@acme.example)"},
		{"deactivated manager", "dee@acme.example", []FieldEdit{set(directory.ManagerEmail, "cy@acme.example")}, directory.ErrPrecondition, "cy@acme.example is deactivated and cannot be a new manager"},
		{"email of another company", "bob@acme.example", []FieldEdit{set(directory.Email, "OZ@other.example")}, directory.ErrConflict, "already the login email of another account"},
		{"invalid email", "bob@acme.example", []FieldEdit{set(directory.Email, "bob at acme")}, directory.ErrInvalid, "is not a valid email address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.UpdatePerson(ctx, p, tc.person, tc.edits)
			wantErr(t, tc.name, err, tc.class, tc.want)
		})
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version {
		t.Fatalf("refused edits moved the directory version from %d to %d", version, v)
	}

	upd, err := st.UpdatePerson(ctx, p, "BOB@acme.example", []FieldEdit{
		set(directory.Title, "  Head of Sales "), set(directory.Gender, "female"), set(directory.SecondaryManagerEmail, "DEE@acme.example"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []directory.FieldChange{
		{Field: directory.Gender, Old: "", New: "F"},
		{Field: directory.Title, Old: "", New: "Head of Sales"},
		{Field: directory.SecondaryManagerEmail, Old: "", New: "dee@acme.example"},
	}
	if !reflect.DeepEqual(upd.Changes, want) {
		t.Fatalf("changes = %+v, want %+v", upd.Changes, want)
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version+1 {
		t.Fatalf("directory version %d after an edit, want %d", v, version+1)
	}
	bob := mustPerson(t, st, p.CompanyID, "bob@acme.example")
	if bob.Values[directory.Title] != "Head of Sales" || bob.Values[directory.Gender] != "F" || bob.Values[directory.SecondaryManagerEmail] != "dee@acme.example" {
		t.Fatalf("Bob after the edit = %+v", bob.Values)
	}

	// The same values again change nothing: no history, no new version.
	again, err := st.UpdatePerson(ctx, p, "bob@acme.example", []FieldEdit{set(directory.Title, "Head of Sales")})
	if err != nil || len(again.Changes) != 0 {
		t.Fatalf("repeated edit = %+v, %v; want no changes", again.Changes, err)
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version+1 {
		t.Fatalf("a no-op edit moved the version to %d", v)
	}

	// The login email can change here (never by an import); reporting lines follow the person.
	moved, err := st.UpdatePerson(ctx, p, "bob@acme.example", []FieldEdit{set(directory.Email, "robert@acme.example"), {Field: directory.Title, Value: directory.Value{Op: directory.Clear}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(moved.Warnings) != 1 || !strings.Contains(moved.Warnings[0], "signs in with robert@acme.example") {
		t.Fatalf("email change warnings = %q", moved.Warnings)
	}
	dee := mustPerson(t, st, p.CompanyID, "dee@acme.example")
	if dee.Values[directory.ManagerEmail] != "robert@acme.example" {
		t.Fatalf("Dee's manager = %q, want the new email", dee.Values[directory.ManagerEmail])
	}
	if _, err := st.GetPerson(ctx, p.CompanyID, "bob@acme.example"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("old email still finds the person: %v", err)
	}

	history, err := st.PersonHistory(ctx, p.CompanyID, "robert@acme.example", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 3 || history[0].Kind != HistoryUpdated || history[0].AdminName != "Ada" || history[0].ImportID != 0 ||
		history[2].Kind != "new" || history[2].ImportID == 0 || history[2].ImportSource != "upload" {
		t.Fatalf("history = %+v", history)
	}
	wantLatest := []HistoryChange{{Field: "title", Old: "Head of Sales", New: ""}, {Field: "email", Old: "bob@acme.example", New: "robert@acme.example"}}
	if !reflect.DeepEqual(history[0].Changes, wantLatest) {
		t.Fatalf("latest history changes = %+v, want %+v", history[0].Changes, wantLatest)
	}
}

func TestOwnedFieldsAreRefusedNamingTheIntegration(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Owned")
	seedPeople(t, st, p, acmePeople("owned.example"))
	if _, err := st.pool.Exec(ctx, `INSERT INTO integrations (company_id, kind, name, interval_seconds, options) VALUES ($1, 'bamboohr', 'BambooHR EU', 10800, '{}')`, p.CompanyID); err != nil {
		t.Fatal(err)
	}
	_, err := st.UpdatePerson(ctx, p, "bob@owned.example", []FieldEdit{set(directory.Title, "CTO")})
	wantErr(t, "owned title", err, directory.ErrPrecondition, `Title is managed by the integration "BambooHR EU"`)
	upd, err := st.UpdatePerson(ctx, p, "bob@owned.example", []FieldEdit{set(directory.Team, "Platform")})
	if err != nil || len(upd.Changes) != 1 {
		t.Fatalf("a field the integration does not own: %+v, %v", upd.Changes, err)
	}
	d, err := st.GetPerson(ctx, p.CompanyID, "bob@owned.example")
	if err != nil || d.OwnedFields[directory.ManagerEmail] != "BambooHR EU" || len(d.OwnedFields) != 8 {
		t.Fatalf("owned fields = %v, %v", d.OwnedFields, err)
	}
}

func TestGetPersonAndListByManager(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Lines")
	seedPeople(t, st, p, acmePeople("lines.example"))
	d, err := st.GetPerson(ctx, p.CompanyID, "ann@lines.example")
	if err != nil {
		t.Fatal(err)
	}
	if d.Manager != nil || len(d.DirectReports) != 2 || d.DirectReports[0].Email != "cy@lines.example" || d.DirectReports[1].Email != "bob@lines.example" {
		t.Fatalf("Ann = manager %v, reports %+v", d.Manager, d.DirectReports)
	}
	byID, err := st.GetPerson(ctx, p.CompanyID, formatInt(d.Person.ID))
	if err != nil || byID.Person.Values[directory.Email] != "ann@lines.example" {
		t.Fatalf("by id: %+v, %v", byID.Person.Values, err)
	}
	dee, err := st.GetPerson(ctx, p.CompanyID, "dee@lines.example")
	if err != nil || dee.Manager == nil || dee.Manager.Email != "bob@lines.example" || dee.Manager.Name != "Bob Lead" {
		t.Fatalf("Dee's manager = %+v, %v", dee.Manager, err)
	}
	page, err := st.ListPeople(ctx, p.CompanyID, PeopleFilter{ManagerID: d.Person.ID})
	if err != nil || page.Total != 2 || page.Billable != 4 {
		t.Fatalf("Ann's reports: total %d billable %d, %v", page.Total, page.Billable, err)
	}
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func TestDeactivateAndReactivateInBulk(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Bulk")
	other := newCompany(t, st, "Elsewhere")
	seedPeople(t, st, p, acmePeople("bulk.example"))
	seedPeople(t, st, other, []directory.Record{record(2, "Oz", "Other", "oz@elsewhere.example", "")})
	version := directoryVersion(t, st, p.CompanyID)

	_, err := st.SetPeopleActive(ctx, p, []string{"bob@bulk.example", "oz@elsewhere.example", "nobody@bulk.example"}, false)
	wantErr(t, "unknown people", err, directory.ErrNotFound, `not in your directory: "oz@elsewhere.example", "nobody@bulk.example"; nothing was changed`)
	if mustPerson(t, st, p.CompanyID, "bob@bulk.example").Active == false || mustPerson(t, st, other.CompanyID, "oz@elsewhere.example").Active == false {
		t.Fatal("a refused bulk deactivation changed someone")
	}

	results, err := st.SetPeopleActive(ctx, p, []string{"bob@bulk.example", "CY@bulk.example", "bob@bulk.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || !results[0].Changed || !results[1].Changed || results[0].Person.Active {
		t.Fatalf("results = %+v", results)
	}
	if len(results[0].Warnings) != 1 || results[0].Warnings[0] != "bob@bulk.example manages 1 active person (dee@bulk.example); they keep this manager until you assign a new one" {
		t.Fatalf("Bob's warnings = %q", results[0].Warnings)
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version+1 {
		t.Fatalf("version %d after one bulk change, want %d", v, version+1)
	}
	page, err := st.ListPeople(ctx, p.CompanyID, PeopleFilter{Status: "deactivated"})
	if err != nil || page.Total != 2 || page.Billable != 2 {
		t.Fatalf("deactivated: total %d, billable %d, %v; want 2 deactivated and 2 billable", page.Total, page.Billable, err)
	}
	bob := mustPerson(t, st, p.CompanyID, "bob@bulk.example")
	if bob.Values[directory.Status] != "Inactive" || bob.Values[directory.ManagerEmail] != "ann@bulk.example" {
		t.Fatalf("a deactivated person keeps their data: %+v", bob.Values)
	}

	again, err := st.SetPeopleActive(ctx, p, []string{"bob@bulk.example"}, false)
	if err != nil || again[0].Changed || again[0].Warnings[0] != "bob@bulk.example is already deactivated; nothing changed" {
		t.Fatalf("second deactivation = %+v, %v", again, err)
	}
	back, err := st.SetPeopleActive(ctx, p, []string{"bob@bulk.example"}, true)
	if err != nil || !back[0].Changed || !back[0].Person.Active || !strings.Contains(back[0].Warnings[0], "no password email is sent automatically") {
		t.Fatalf("reactivation = %+v, %v", back, err)
	}
	history, err := st.PersonHistory(ctx, p.CompanyID, "bob@bulk.example", 0, 10)
	if err != nil || len(history) != 3 || history[0].Kind != HistoryReactivated || history[1].Kind != HistoryDeactivated ||
		!reflect.DeepEqual(history[1].Changes, []HistoryChange{{Field: "status", Old: "Active", New: "Inactive"}}) {
		t.Fatalf("history = %+v, %v", history, err)
	}
}

func TestMergeMovesReportsCyclesAndHistory(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Merge")
	other := newCompany(t, st, "Foreign")
	seedPeople(t, st, p, append(acmePeople("merge.example"), record(6, "Bob", "Lead2", "robert@merge.example", "ann@merge.example")))
	seedPeople(t, st, other, []directory.Record{record(2, "Oz", "Other", "oz@foreign.example", "")})
	// Cy has Bob as secondary manager; Bob is in a cycle where he also reviews Cy.
	if _, err := st.UpdatePerson(ctx, p, "cy@merge.example", []FieldEdit{set(directory.SecondaryManagerEmail, "bob@merge.example")}); err != nil {
		t.Fatal(err)
	}
	bob := mustPerson(t, st, p.CompanyID, "bob@merge.example")
	cy := mustPerson(t, st, p.CompanyID, "cy@merge.example")
	var cycleID int64
	if err := st.pool.QueryRow(ctx, `INSERT INTO cycles (company_id, name, kind) VALUES ($1, 'Q4 review', 'review') RETURNING id`, p.CompanyID).Scan(&cycleID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.pool.Exec(ctx, `INSERT INTO cycle_participants (cycle_id, person_id, reviewer_id) VALUES ($1, $2, NULL), ($1, $3, $2)`, cycleID, bob.ID, cy.ID); err != nil {
		t.Fatal(err)
	}

	_, err := st.MergePeople(ctx, p, "bob@merge.example", "oz@foreign.example", false)
	wantErr(t, "merge into another company", err, directory.ErrNotFound, `no person "oz@foreign.example"`)
	_, err = st.MergePeople(ctx, other, "oz@foreign.example", "bob@merge.example", true)
	wantErr(t, "merge from another company", err, directory.ErrNotFound, `no person "bob@merge.example"`)
	_, err = st.MergePeople(ctx, p, "bob@merge.example", "BOB@merge.example", false)
	wantErr(t, "merge into itself", err, directory.ErrInvalid, "the same person")
	// Ann reports to nobody; merging Ann into Dee would make Bob (Ann's report) report to Dee, who reports to Bob.
	_, err = st.MergePeople(ctx, p, "ann@merge.example", "dee@merge.example", false)
	wantErr(t, "merge making a loop", err, directory.ErrPrecondition, "reporting loop")

	version := directoryVersion(t, st, p.CompanyID)
	dry, err := st.MergePeople(ctx, p, "bob@merge.example", "robert@merge.example", true)
	if err != nil {
		t.Fatal(err)
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version {
		t.Fatalf("a dry run moved the version to %d", v)
	}
	if mustPerson(t, st, p.CompanyID, "dee@merge.example").Values[directory.ManagerEmail] != "bob@merge.example" {
		t.Fatal("a dry run moved Dee")
	}
	real, err := st.MergePeople(ctx, p, "bob@merge.example", "robert@merge.example", false)
	if err != nil {
		t.Fatal(err)
	}
	dry.DryRun = false
	if !reflect.DeepEqual(dry, real) {
		t.Fatalf("dry run %+v differs from the merge %+v", dry, real)
	}
	if len(real.ReportsMoved) != 1 || real.ReportsMoved[0].Email != "dee@merge.example" ||
		len(real.SecondaryReportsMoved) != 1 || real.SecondaryReportsMoved[0].Email != "cy@merge.example" ||
		real.CycleParticipations != 1 || real.ReviewerRolesMoved != 1 || real.CyclesKept != 0 ||
		real.HistoryEntries != 1 || !real.SourceDeactivated {
		t.Fatalf("merge = %+v", real)
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version+1 {
		t.Fatalf("version %d after a merge, want %d", v, version+1)
	}
	dee := mustPerson(t, st, p.CompanyID, "dee@merge.example")
	cy = mustPerson(t, st, p.CompanyID, "cy@merge.example")
	if dee.Values[directory.ManagerEmail] != "robert@merge.example" || cy.Values[directory.SecondaryManagerEmail] != "robert@merge.example" {
		t.Fatalf("after merge: Dee's manager %q, Cy's secondary %q", dee.Values[directory.ManagerEmail], cy.Values[directory.SecondaryManagerEmail])
	}
	d, err := st.GetPerson(ctx, p.CompanyID, "bob@merge.example")
	if err != nil || d.Person.Active || d.MergedInto == nil || d.MergedInto.Email != "robert@merge.example" {
		t.Fatalf("source after merge = %+v, %v", d, err)
	}
	var participant, reviewer int64
	if err := st.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE person_id = $2), count(*) FILTER (WHERE reviewer_id = $2) FROM cycle_participants WHERE cycle_id = $1`,
		cycleID, real.Destination.ID).Scan(&participant, &reviewer); err != nil || participant != 1 || reviewer != 1 {
		t.Fatalf("destination in cycle: %d participations, %d reviewer roles, %v", participant, reviewer, err)
	}
	history, err := st.PersonHistory(ctx, p.CompanyID, "robert@merge.example", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, h := range history {
		kinds = append(kinds, h.Kind+"/"+h.MergedFrom)
	}
	want := []string{"merged/", "merged/bob@merge.example", "new/", "new/bob@merge.example"}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("destination history = %v, want %v", kinds, want)
	}
	_, err = st.MergePeople(ctx, p, "bob@merge.example", "ann@merge.example", false)
	wantErr(t, "merge twice", err, directory.ErrPrecondition, "was already merged into robert@merge.example")
	_, err = st.MergePeople(ctx, p, "ann@merge.example", "bob@merge.example", false)
	wantErr(t, "merge into a deactivated account", err, directory.ErrPrecondition, "the destination bob@merge.example is deactivated")
}

func TestDeleteErasesPersonalData(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Erase")
	other := newCompany(t, st, "Keep")
	importID := seedPeople(t, st, p, acmePeople("erase.example"))
	seedPeople(t, st, other, []directory.Record{record(2, "Oz", "Other", "oz@keep.example", "")})
	if _, err := st.UpdatePerson(ctx, p, "bob@erase.example", []FieldEdit{set(directory.Title, "Lead of Everything")}); err != nil {
		t.Fatal(err)
	}

	_, err := st.DeletePerson(ctx, p, "bob@erase.example", "bob@erase.example")
	wantErr(t, "delete an active person", err, directory.ErrPrecondition, "is active; deactivate them first")
	if _, err := st.SetPeopleActive(ctx, p, []string{"bob@erase.example"}, false); err != nil {
		t.Fatal(err)
	}
	_, err = st.DeletePerson(ctx, p, "bob@erase.example", "bob@erase")
	wantErr(t, "wrong confirmation", err, directory.ErrInvalid, "type the person's login email exactly")
	if _, err := st.SetPeopleActive(ctx, other, []string{"oz@keep.example"}, false); err != nil {
		t.Fatal(err)
	}
	_, err = st.DeletePerson(ctx, p, "oz@keep.example", "oz@keep.example")
	wantErr(t, "delete another company's person", err, directory.ErrNotFound, `no person "oz@keep.example"`)

	version := directoryVersion(t, st, p.CompanyID)
	bob := mustPerson(t, st, p.CompanyID, "bob@erase.example")
	res, err := st.DeletePerson(ctx, p, "bob@erase.example", " BOB@erase.example ")
	if err != nil {
		t.Fatal(err)
	}
	if res.PersonID != bob.ID || res.HistoryErased != 3 || res.ReportsUnassigned != 1 || res.FilesDeleted != 1 {
		t.Fatalf("delete = %+v", res)
	}
	if v := directoryVersion(t, st, p.CompanyID); v != version+1 {
		t.Fatalf("version %d after delete, want %d", v, version+1)
	}
	if _, err := st.GetPerson(ctx, p.CompanyID, "bob@erase.example"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("deleted person still found: %v", err)
	}
	if _, err := st.GetPerson(ctx, other.CompanyID, "oz@keep.example"); err != nil {
		t.Fatalf("the other company's person is gone: %v", err)
	}
	// Nothing of Bob's remains in the company's data but the tombstone.
	var leftovers int
	if err := st.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM people_history WHERE company_id = $1 AND (changes::text || coalesce(created::text, '') ILIKE '%bob%' OR changes::text || coalesce(created::text, '') ILIKE '%Lead of Everything%'))
			+ (SELECT count(*) FROM import_changes c JOIN imports i ON i.id = c.import_id WHERE i.company_id = $1
				AND (c.email ILIKE '%bob%' OR c.name ILIKE '%bob%' OR c.fields::text ILIKE '%bob%' OR coalesce(c.after, '') ILIKE '%bob%'))
			+ (SELECT count(*) FROM import_rows r JOIN imports i ON i.id = r.import_id WHERE i.company_id = $1 AND array_to_string(r.cells, ',') ILIKE '%bob%')
			+ (SELECT count(*) FROM import_files WHERE import_id = $2)`, p.CompanyID, importID).Scan(&leftovers); err != nil {
		t.Fatal(err)
	}
	if leftovers != 0 {
		t.Fatalf("%d records still mention the deleted person", leftovers)
	}
	var tombstones, erased int
	if err := st.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE kind = 'deleted' AND person_id IS NULL), count(*) FILTER (WHERE erased AND kind <> 'deleted')
		FROM people_history WHERE former_person_id = $1`, bob.ID).Scan(&tombstones, &erased); err != nil || tombstones != 1 || erased != 3 {
		t.Fatalf("tombstones %d, erased rows %d, %v; want 1 and 3", tombstones, erased, err)
	}
	dee, err := st.PersonHistory(ctx, p.CompanyID, "dee@erase.example", 0, 10)
	if err != nil || len(dee) != 2 || !reflect.DeepEqual(dee[0].Changes, []HistoryChange{{Field: "manager_email", Old: deletedPlaceholder, New: ""}}) {
		t.Fatalf("Dee's history = %+v, %v", dee, err)
	}
}

func TestSendPasswordEmails(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Mail")
	records := acmePeople("mail.example")
	records[1].Cells.Set(directory.AltEmail, directory.SetValue("bob.private@home.example"))
	seedPeople(t, st, p, records)
	if _, err := st.SetPeopleActive(ctx, p, []string{"dee@mail.example"}, false); err != nil {
		t.Fatal(err)
	}
	first, err := st.SendPasswordEmails(ctx, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var queued []string
	for _, q := range first.Queued {
		queued = append(queued, q.Email)
	}
	if !reflect.DeepEqual(queued, []string{"ann@mail.example", "cy@mail.example", "bob@mail.example"}) || len(first.Warnings) != 0 {
		t.Fatalf("first round queued %v, warnings %q", queued, first.Warnings)
	}
	var to string
	if err := st.pool.QueryRow(ctx, `SELECT to_address FROM outbox WHERE person_id = $1`, first.Queued[2].ID).Scan(&to); err != nil || to != "bob.private@home.example" {
		t.Fatalf("Bob's email goes to %q, %v; want the alternative email", to, err)
	}
	second, err := st.SendPasswordEmails(ctx, p, nil)
	if err != nil || len(second.Queued) != 0 {
		t.Fatalf("second round queued %+v, %v; everyone already had one", second.Queued, err)
	}
	named, err := st.SendPasswordEmails(ctx, p, []string{"ann@mail.example", "dee@mail.example"})
	if err != nil || len(named.Queued) != 1 || named.Queued[0].Email != "ann@mail.example" ||
		!reflect.DeepEqual(named.Warnings, []string{"dee@mail.example is deactivated and cannot log in; reactivate them first"}) {
		t.Fatalf("named = %+v, %v", named, err)
	}
	d, err := st.GetPerson(ctx, p.CompanyID, "ann@mail.example")
	if err != nil || !d.PasswordEmailSent {
		t.Fatalf("Ann password email sent = %v, %v", d.PasswordEmailSent, err)
	}
}

// An edit racing an import's apply lands before it (the apply finds the directory changed
// and the import is previewed again) or after it; either way neither change is lost.
func TestUpdateDuringApplyIsNeverLost(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Race")
	seedPeople(t, st, p, acmePeople("race.example"))
	outcomes := map[string]int{}
	for round := 0; round < 6; round++ {
		title := "Title " + strconv.Itoa(round)
		team := "Team " + strconv.Itoa(round)
		rec := record(2, "Bob", "Lead", "bob@race.example", "")
		rec.Cells.Set(directory.Title, directory.SetValue(title))
		id, _, saved := importRecords(t, st, p, []directory.Record{rec})
		if err := st.ApproveImport(ctx, p, id, saved.PreviewVersion); err != nil {
			t.Fatal(err)
		}
		var applied ApplyOutcome
		var applyErr, editErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			applied, applyErr = st.ApplyImport(ctx, p.CompanyID, id, saved.PreviewVersion)
		}()
		_, editErr = st.UpdatePerson(ctx, p, "bob@race.example", []FieldEdit{set(directory.Team, team)})
		<-done
		if applyErr != nil || editErr != nil {
			t.Fatalf("round %d: apply %v, edit %v", round, applyErr, editErr)
		}
		if applied.Stale {
			outcomes["edit first"]++
			applyStoredRows(t, st, p, id)
		} else {
			outcomes["apply first"]++
		}
		bob := mustPerson(t, st, p.CompanyID, "bob@race.example")
		if bob.Values[directory.Title] != title || bob.Values[directory.Team] != team {
			t.Fatalf("round %d: Bob has title %q and team %q, want %q and %q", round, bob.Values[directory.Title], bob.Values[directory.Team], title, team)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}
