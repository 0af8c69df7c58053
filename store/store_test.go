package store

import (
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func openStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("second migrate must be a no-op: %v", err)
	}
	return st
}

func record(row int, first, last, email, manager string) directory.Record {
	r := directory.Record{Row: row}
	r.Cells.Set(directory.FirstName, directory.SetValue(first))
	r.Cells.Set(directory.LastName, directory.SetValue(last))
	r.Cells.Set(directory.Email, directory.SetValue(email))
	if manager != "" {
		r.Cells.Set(directory.ManagerEmail, directory.SetValue(manager))
	}
	return r
}

// importRecords runs records through the store the way the workflow does, up to awaiting approval.
func importRecords(t *testing.T, st *Store, p Principal, records []directory.Record) (int64, directory.Plan, PreviewSaved) {
	t.Helper()
	return importRecordsWith(t, st, p, records, directory.DefaultOptions())
}

// importRecordsWith is importRecords with the import's options.
func importRecordsWith(t *testing.T, st *Store, p Principal, records []directory.Record, opts directory.Options) (int64, directory.Plan, PreviewSaved) {
	t.Helper()
	ctx := context.Background()
	id, err := st.CreateImport(ctx, NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: directory.SourceUpload,
		FileName: "people.csv", Content: []byte("x"), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	parsed, err := st.SaveRows(ctx, p.CompanyID, id, func() (directory.Record, error) {
		if i == len(records) {
			return directory.Record{}, io.EOF
		}
		i++
		return records[i-1], nil
	}, func() []string { return []string{"a warning"} })
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Rows != len(records) {
		t.Fatalf("saved %d rows, want %d", parsed.Rows, len(records))
	}
	loaded, err := st.LoadRows(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, records) {
		t.Fatalf("rows do not round-trip:\n got %+v\nwant %+v", loaded, records)
	}
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	in := directory.Input{Directory: snap, Records: loaded, Options: directory.DefaultOptions()}
	plan := directory.PlanImport(in)
	saved, err := st.SavePlan(ctx, p.CompanyID, id, directory.Prepare(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Outcome != plan.Outcome {
		t.Fatalf("saved outcome %+v, planned %+v", saved.Outcome, plan.Outcome)
	}
	return id, plan, saved
}

func newCompany(t *testing.T, st *Store, name string) Principal {
	t.Helper()
	ctx := context.Background()
	_, token, err := st.CreateCompany(ctx, name, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if p.AdminName != "Ada" {
		t.Fatalf("principal = %+v", p)
	}
	return p
}

func TestAuthenticateRejectsUnknownToken(t *testing.T) {
	st := openStore(t)
	_, err := st.Authenticate(context.Background(), "sst_nope")
	if !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("unknown token: %v, want not found", err)
	}
}

// An import awaiting approval shows when it expires: its approval timeout after the preview
// was stored. A decided import has no deadline.
func TestAwaitingImportShowsItsApprovalDeadline(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default", 0, 7 * 24 * time.Hour},
		{"from the options", 72 * time.Hour, 72 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newCompany(t, st, "Deadline "+tt.name)
			opts := directory.DefaultOptions()
			opts.ApprovalTimeout = tt.timeout
			before := time.Now()
			id, _, _ := importRecordsWith(t, st, p, []directory.Record{record(2, "Ann", "Lee", "ann@deadline.example", "")}, opts)
			after := time.Now()
			im, err := st.GetImport(ctx, p.CompanyID, id)
			if err != nil {
				t.Fatal(err)
			}
			if im.ApprovalExpiresAt == nil || im.ApprovalExpiresAt.Before(before.Add(tt.want-time.Second)) || im.ApprovalExpiresAt.After(after.Add(tt.want+time.Second)) {
				t.Fatalf("expires at %v, want %v after the preview (between %v and %v)", im.ApprovalExpiresAt, tt.want, before, after)
			}
			if err := st.RejectImport(ctx, p, id, "not now"); err != nil {
				t.Fatal(err)
			}
			if im, err = st.GetImport(ctx, p.CompanyID, id); err != nil || im.ApprovalExpiresAt != nil {
				t.Fatalf("a rejected import expires at %v (%v)", im.ApprovalExpiresAt, err)
			}
		})
	}
}

func TestApplyIsAtomicIdempotentAndChecksVersions(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Acme")
	records := []directory.Record{
		record(2, "Ann", "Boss", "ann@acme.example", ""),
		record(3, "Bob", "Report", "Bob@acme.example", "ann@acme.example"),
	}
	records[1].Cells.Set(directory.Title, directory.Value{Op: directory.Clear})
	id, plan, saved := importRecords(t, st, p, records)
	if plan.Summary.New != 2 || saved.PreviewVersion != 1 {
		t.Fatalf("summary %+v version %d, want 2 new at version 1", plan.Summary, saved.PreviewVersion)
	}

	if err := st.ApproveImport(ctx, p, id, 7); !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("approving a version nobody saw: %v, want precondition", err)
	}
	if _, err := st.ApplyImport(ctx, p.CompanyID, id, 1); !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("applying before approval: %v, want precondition", err)
	}
	if err := st.ApproveImport(ctx, p, id, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.ApproveImport(ctx, p, id, 1); !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("second approval: %v, want precondition", err)
	}
	out, err := st.ApplyImport(ctx, p.CompanyID, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	if out.PeopleWritten != 2 || out.HistoryWritten != 2 || out.Stale || out.AlreadyApplied {
		t.Fatalf("apply = %+v, want 2 people and 2 history rows", out)
	}
	again, err := st.ApplyImport(ctx, p.CompanyID, id, 1)
	if err != nil || !again.AlreadyApplied || again.PeopleWritten != 0 {
		t.Fatalf("second apply = %+v, %v; want already applied, nothing written", again, err)
	}

	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version != 1 || snap.Len() != 2 {
		t.Fatalf("snapshot version %d with %d people, want version 1 with 2", snap.Version, snap.Len())
	}
	bob := snap.Person(1)
	if bob.Values[directory.Email] != "Bob@acme.example" || bob.Values[directory.ManagerEmail] != "ann@acme.example" ||
		bob.ManagerID != snap.Person(0).ID || bob.Values[directory.EmploymentType] != "Full-time" || !bob.Active {
		t.Fatalf("Bob = %+v", bob)
	}

	// A preview made on version 1 is stale once another import has applied.
	stale, _, _ := importRecords(t, st, p, []directory.Record{record(2, "Ann", "Boss", "ann@acme.example", ""), record(3, "Cy", "New", "cy@acme.example", "")})
	fresh, _, _ := importRecords(t, st, p, []directory.Record{record(2, "Dee", "New", "dee@acme.example", "")})
	for _, id := range []int64{stale, fresh} {
		if err := st.ApproveImport(ctx, p, id, 1); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := st.ApplyImport(ctx, p.CompanyID, fresh, 1); err != nil || out.PeopleWritten != 1 {
		t.Fatalf("fresh apply = %+v, %v", out, err)
	}
	out, err = st.ApplyImport(ctx, p.CompanyID, stale, 1)
	if err != nil || !out.Stale || out.PeopleWritten != 0 {
		t.Fatalf("stale apply = %+v, %v; want stale and nothing written", out, err)
	}
	im, err := st.GetImport(ctx, p.CompanyID, stale)
	if err != nil || im.Status != directory.StatusPreviewing {
		t.Fatalf("stale import status = %v, %v; want previewing", im.Status, err)
	}
}

func TestUnchangedImportWritesNothing(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Steady")
	records := []directory.Record{record(2, "Ann", "Boss", "ann@steady.example", "")}
	id, _, _ := importRecords(t, st, p, records)
	if err := st.ApproveImport(ctx, p, id, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyImport(ctx, p.CompanyID, id, 1); err != nil {
		t.Fatal(err)
	}
	id2, plan, saved := importRecords(t, st, p, records)
	if plan.Summary.Unchanged != 1 {
		t.Fatalf("re-import summary %+v, want 1 unchanged", plan.Summary)
	}
	if err := st.ApproveImport(ctx, p, id2, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	out, err := st.ApplyImport(ctx, p.CompanyID, id2, saved.PreviewVersion)
	if err != nil || out.PeopleWritten != 0 || out.HistoryWritten != 0 {
		t.Fatalf("unchanged apply = %+v, %v; want nothing written", out, err)
	}
	snap, _ := st.Snapshot(ctx, p.CompanyID)
	if snap.Version != 1 {
		t.Fatalf("directory version %d after a no-op import, want 1", snap.Version)
	}
}

func TestOtherCompaniesAreInvisible(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	a := newCompany(t, st, "A")
	b := newCompany(t, st, "B")
	id, _, _ := importRecords(t, st, a, []directory.Record{record(2, "Ann", "A", "ann@a.example", "")})
	if _, err := st.GetImport(ctx, b.CompanyID, id); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("B reads A's import: %v", err)
	}
	if err := st.ApproveImport(ctx, b, id, 1); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("B approves A's import: %v", err)
	}
	if _, err := st.ListChanges(ctx, b.CompanyID, id, ChangeFilter{}); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("B lists A's changes: %v", err)
	}
	if err := st.ApproveImport(ctx, a, id, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyImport(ctx, a.CompanyID, id, 1); err != nil {
		t.Fatal(err)
	}
	foreign, err := st.ForeignEmails(ctx, b.CompanyID, []string{"ann@a.example", "nobody@b.example", "other@a.example"})
	if err != nil || !reflect.DeepEqual(foreign, map[string]bool{"ann@a.example": true}) {
		t.Fatalf("foreign emails for B = %v, %v", foreign, err)
	}
	page, err := st.ListPeople(ctx, b.CompanyID, PeopleFilter{Status: "all"})
	if err != nil || len(page.People) != 0 || page.Billable != 0 {
		t.Fatalf("B lists %d people (billable %d), %v", len(page.People), page.Billable, err)
	}
	// The other way round: B's people are foreign to A, which was created first.
	idB, _, _ := importRecords(t, st, b, []directory.Record{record(2, "Bo", "B", "bo@b.example", "")})
	if err := st.ApproveImport(ctx, b, idB, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyImport(ctx, b.CompanyID, idB, 1); err != nil {
		t.Fatal(err)
	}
	foreign, err = st.ForeignEmails(ctx, a.CompanyID, []string{"bo@b.example", "ann@a.example", "new@a.example"})
	if err != nil || !reflect.DeepEqual(foreign, map[string]bool{"bo@b.example": true}) {
		t.Fatalf("foreign emails for A = %v, %v", foreign, err)
	}
}

// New people take the ids reserved while the plan ran, then fresh ones, and their
// reporting lines point at those ids.
func TestSavePlanUsesReservedIDs(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Reserved")
	reserved, err := st.ReservePersonIDs(ctx, 1)
	if err != nil || len(reserved) != 1 {
		t.Fatalf("reserve: %v, %v", reserved, err)
	}
	id, err := st.CreateImport(ctx, NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: directory.SourceUpload,
		FileName: "people.csv", Options: directory.DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	records := []directory.Record{record(2, "Ann", "Boss", "ann@r.example", ""), record(3, "Bo", "Report", "bo@r.example", "ann@r.example")}
	if err := st.MarkParsed(ctx, p.CompanyID, id, len(records), nil); err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	in := directory.Input{Directory: snap, Records: records, Options: directory.DefaultOptions()}
	saved, err := st.SavePlan(ctx, p.CompanyID, id, directory.Prepare(in), reserved)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApproveImport(ctx, p, id, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyImport(ctx, p.CompanyID, id, saved.PreviewVersion); err != nil {
		t.Fatal(err)
	}
	after, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for person := range after.All() {
		ids[person.Values[directory.Email]] = person.ID
	}
	ann, bo := ids["ann@r.example"], ids["bo@r.example"]
	if ann != reserved[0] || bo == 0 || bo == ann {
		t.Fatalf("ids: ann %d, bo %d; reserved %v", ann, bo, reserved)
	}
	for person := range after.All() {
		if person.ID == bo && person.ManagerID != ann {
			t.Fatalf("bo's manager is %d, want ann %d", person.ManagerID, ann)
		}
	}
}
