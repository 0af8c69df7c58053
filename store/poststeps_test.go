package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// previewWith creates an import with opts and previews records, up to awaiting approval.
func previewWith(t *testing.T, st *Store, p Principal, opts directory.Options, records []directory.Record) (int64, PreviewSaved) {
	t.Helper()
	ctx := context.Background()
	id, err := st.CreateImport(ctx, NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: directory.SourceUpload,
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
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := st.SavePlan(ctx, p.CompanyID, id, directory.Prepare(directory.Input{Directory: snap, Records: records, Options: opts}), nil)
	if err != nil {
		t.Fatal(err)
	}
	return id, saved
}

func applyApproved(t *testing.T, st *Store, p Principal, id, version int64) {
	t.Helper()
	ctx := context.Background()
	if err := st.ApproveImport(ctx, p, id, version); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyImport(ctx, p.CompanyID, id, version); err != nil {
		t.Fatal(err)
	}
}

func TestRequireSecondApprover(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	uploader := newCompany(t, st, "Acme")
	token, err := st.CreateToken(ctx, uploader.CompanyID, "Bea")
	if err != nil {
		t.Fatal(err)
	}
	second, err := st.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	opts := directory.DefaultOptions()
	opts.RequireSecondApprover = true
	id, saved := previewWith(t, st, uploader, opts, []directory.Record{record(2, "Ann", "Boss", "ann@acme.example", "")})

	err = st.ApproveImport(ctx, uploader, id, saved.PreviewVersion)
	want := "needs a second approver: you started it, so another admin of your company must approve it"
	if !errors.Is(err, directory.ErrPrecondition) || !strings.Contains(err.Error(), want) {
		t.Fatalf("uploader approves own import: %v, want precondition %q", err, want)
	}
	if err := st.ApproveImport(ctx, second, id, saved.PreviewVersion); err != nil {
		t.Fatalf("second admin approves: %v", err)
	}
	im, err := st.GetImport(ctx, uploader.CompanyID, id)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != directory.StatusApplying || im.DecidedBy != "Bea" || !im.Options.RequireSecondApprover {
		t.Fatalf("import = status %s decided by %q options %+v, want applying decided by Bea", im.Status, im.DecidedBy, im.Options)
	}
}

func TestAutoApproveRecordsScheduledSyncAndRespectsGuard(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Acme")
	id, saved := previewWith(t, st, p, directory.DefaultOptions(), []directory.Record{record(2, "Ann", "Boss", "ann@acme.example", "")})
	linkToIntegration(t, st, p.CompanyID, id, true)

	if ok, err := st.AutoApproveImport(ctx, p.CompanyID, id, saved.PreviewVersion+1); err != nil || ok {
		t.Fatalf("auto-approve of another preview = %v, %v; want false", ok, err)
	}
	for attempt := 1; attempt <= 2; attempt++ { // the second run is a retried activity
		ok, err := st.AutoApproveImport(ctx, p.CompanyID, id, saved.PreviewVersion)
		if err != nil || !ok {
			t.Fatalf("auto-approve attempt %d = %v, %v; want true", attempt, ok, err)
		}
	}
	im, err := st.GetImport(ctx, p.CompanyID, id)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != directory.StatusApplying || im.DecidedBy != SystemDecider || im.DecidedAt == nil {
		t.Fatalf("import = %s decided by %q at %v, want applying decided by %q", im.Status, im.DecidedBy, im.DecidedAt, SystemDecider)
	}

	// Deactivating everyone of a company above 20 people trips the guard.
	var everyone []directory.Record
	for i := 0; i < 25; i++ {
		everyone = append(everyone, record(i+2, "P", "N", "p"+string(rune('a'+i))+"@guard.example", ""))
	}
	g := newCompany(t, st, "Guarded")
	first, firstSaved := previewWith(t, st, g, directory.DefaultOptions(), everyone)
	applyApproved(t, st, g, first, firstSaved.PreviewVersion)
	opts := directory.DefaultOptions()
	opts.DeactivateMissing = true
	guarded, guardedSaved := previewWith(t, st, g, opts, everyone[:1])
	linkToIntegration(t, st, g.CompanyID, guarded, true)
	if ok, err := st.AutoApproveImport(ctx, g.CompanyID, guarded, guardedSaved.PreviewVersion); err != nil || ok {
		t.Fatalf("auto-approve with the guard tripped = %v, %v; want false", ok, err)
	}
	if im, _ := st.GetImport(ctx, g.CompanyID, guarded); im.Status != directory.StatusAwaitingApproval || !im.GuardTripped {
		t.Fatalf("guarded import is %s (guard %v), want awaiting approval with the guard tripped", im.Status, im.GuardTripped)
	}
}

func TestPostStepsAreIdempotent(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Acme")
	boss, bossSaved := previewWith(t, st, p, directory.DefaultOptions(), []directory.Record{
		record(2, "Ann", "Boss", "ann@acme.example", ""),
		record(3, "Max", "Lead", "max@acme.example", ""),
	})
	applyApproved(t, st, p, boss, bossSaved.PreviewVersion)

	everyone, err := st.CreateCycle(ctx, p.CompanyID, NewCycle{Name: "Q3 objectives", Kind: CycleObjectives, OpenToEveryone: true})
	if err != nil {
		t.Fatal(err)
	}
	if everyone.Participants != 2 {
		t.Fatalf("objectives cycle open to everyone starts with %d people, want the 2 active ones", everyone.Participants)
	}
	subset, _ := st.CreateCycle(ctx, p.CompanyID, NewCycle{Name: "Sales objectives", Kind: CycleObjectives})
	review, _ := st.CreateCycle(ctx, p.CompanyID, NewCycle{Name: "Annual review", Kind: CycleReview})
	closed, _ := st.CreateCycle(ctx, p.CompanyID, NewCycle{Name: "Old 360", Kind: Cycle360})
	if err := st.CloseCycle(ctx, p.CompanyID, closed.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCycle(ctx, p.CompanyID, NewCycle{Name: "x", Kind: CycleReview, OpenToEveryone: true}); !errors.Is(err, directory.ErrInvalid) {
		t.Fatalf("review cycle open to everyone: %v, want invalid", err)
	}
	if _, err := st.AddCycleParticipants(ctx, p.CompanyID, review.ID, []string{"ANN@acme.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddCycleParticipants(ctx, p.CompanyID, review.ID, []string{"nobody@acme.example"}); err == nil ||
		!strings.Contains(err.Error(), "no active person has the login email nobody@acme.example") {
		t.Fatalf("adding an unknown email: %v", err)
	}

	// The import adds two new people (Cy with an alternative email) and moves Ann under Max.
	cy := record(2, "Cy", "New", "cy@acme.example", "ann@acme.example")
	cy.Cells.Set(directory.AltEmail, directory.SetValue("cy.private@mail.example"))
	cy.Cells.Set(directory.Gender, directory.SetValue("F"))
	dee := record(3, "Dee", "New", "dee@acme.example", "max@acme.example")
	opts := directory.DefaultOptions()
	opts.SendPasswordEmails = true
	id, saved := previewWith(t, st, p, opts, []directory.Record{cy, dee, record(4, "Ann", "Boss", "ann@acme.example", "max@acme.example")})
	applyApproved(t, st, p, id, saved.PreviewVersion)

	steps := []struct {
		name string
		run  func() (int64, error)
		want int64
	}{
		{"objectives", func() (int64, error) { return st.JoinOpenObjectivesCycles(ctx, p.CompanyID, id) }, 2},
		{"review cycles", func() (int64, error) { return st.JoinOpenReviewCycles(ctx, p.CompanyID, id) }, 2},
		{"reset reviewers", func() (int64, error) { return st.ResetReviewersAfterImport(ctx, p.CompanyID, id) }, 1},
		{"password emails", func() (int64, error) {
			return st.QueuePasswordEmails(ctx, p.CompanyID, id, func(r PasswordRecipient) (string, string, string) {
				to := r.Email
				if r.AltEmail != "" {
					to = r.AltEmail
				}
				return to, "Welcome " + r.FirstName, "gender " + r.Gender
			})
		}, 2},
	}
	for _, s := range steps {
		for attempt, want := range []int64{s.want, 0} {
			got, err := s.run()
			if err != nil || got != want {
				t.Fatalf("%s run %d = %d, %v; want %d", s.name, attempt+1, got, err, want)
			}
		}
	}

	participants := func(c Cycle) map[string]string {
		list, err := st.CycleParticipants(ctx, p.CompanyID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, cp := range list {
			out[cp.Email] = cp.ReviewerEmail
		}
		return out
	}
	for _, tc := range []struct {
		cycle Cycle
		want  map[string]string
	}{
		{everyone, map[string]string{"ann@acme.example": "", "max@acme.example": "", "cy@acme.example": "ann@acme.example", "dee@acme.example": "max@acme.example"}},
		{subset, map[string]string{}},
		{review, map[string]string{"ann@acme.example": "max@acme.example", "cy@acme.example": "ann@acme.example", "dee@acme.example": "max@acme.example"}},
		{closed, map[string]string{}},
	} {
		if got := participants(tc.cycle); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("cycle %q participants = %v, want %v", tc.cycle.Name, got, tc.want)
		}
	}

	emails, err := st.UnsentEmails(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) != 2 || emails[0].To != "cy.private@mail.example" || emails[0].Subject != "Welcome Cy" || emails[0].Body != "gender F" ||
		emails[0].IdempotencyKey != PasswordEmailKey(id, participantID(t, st, p, "cy@acme.example")) || emails[1].To != "dee@acme.example" {
		t.Fatalf("outbox = %+v", emails)
	}
	if err := st.MarkEmailSent(ctx, emails[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkEmailFailed(ctx, emails[1].ID, "mailbox full"); err != nil {
		t.Fatal(err)
	}
	queued, sent, err := st.OutboxCounts(ctx, id)
	if err != nil || queued != 2 || sent != 1 {
		t.Fatalf("outbox counts = %d queued, %d sent, %v; want 2 and 1", queued, sent, err)
	}
	if changed, err := st.ResetCycleReviewers(ctx, p.CompanyID, everyone.ID); !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("reset reviewers of an objectives cycle = %d, %v; want precondition", changed, err)
	}
}

func participantID(t *testing.T, st *Store, p Principal, email string) int64 {
	t.Helper()
	snap, err := st.Snapshot(context.Background(), p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	for person := range snap.All() {
		if person.Values[directory.Email] == email {
			return person.ID
		}
	}
	t.Fatalf("no person %s", email)
	return 0
}

// Progress is written from another connection while SaveRows holds the import row locked.
func TestProgressIsWrittenWhileRowsAreSaved(t *testing.T) {
	st := openStore(t)
	p := newCompany(t, st, "Acme")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := st.CreateImport(ctx, NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: directory.SourceUpload,
		FileName: "people.csv", Content: []byte("x"), Options: directory.DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	if _, err := st.SaveRows(ctx, p.CompanyID, id, func() (directory.Record, error) {
		if rows == 3 {
			return directory.Record{}, io.EOF
		}
		rows++
		if err := st.SetImportProgress(ctx, id, ImportProgress{Phase: "parsing", Processed: rows}); err != nil {
			return directory.Record{}, err
		}
		return record(rows+1, "P", "N", fmt.Sprintf("p%d@acme.example", rows), ""), nil
	}, nil); err != nil {
		t.Fatalf("save rows while writing progress: %v", err)
	}
	im, err := st.GetImport(ctx, p.CompanyID, id)
	if err != nil {
		t.Fatal(err)
	}
	if im.ProgressPhase != "parsing" || im.RowsProcessed != 3 || im.ProgressUpdatedAt == nil {
		t.Fatalf("progress = %q %d at %v, want parsing 3", im.ProgressPhase, im.RowsProcessed, im.ProgressUpdatedAt)
	}
}
