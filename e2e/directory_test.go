package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// exampleAt reads an example file with its emails moved to domain, so tenants of one test
// run never share a login email.
func exampleAt(t *testing.T, name, domain string) []byte {
	t.Helper()
	return bytes.ReplaceAll(readExample(t, name), []byte("@northwind.example"), []byte("@"+domain))
}

// withInactive marks the row of email Inactive in a template CSV.
func withInactive(t *testing.T, content []byte, email string) []byte {
	t.Helper()
	var out []string
	found := false
	for _, line := range strings.Split(string(content), "\n") {
		if strings.Contains(line, ","+email+",") && strings.HasSuffix(line, ",Active") {
			line = strings.TrimSuffix(line, ",Active") + ",Inactive"
			found = true
		}
		out = append(out, line)
	}
	if !found {
		t.Fatalf("no active row for %s", email)
	}
	return []byte(strings.Join(out, "\n"))
}

// importApplied uploads a file, waits for the preview and approves it.
func (tn *tenant) importApplied(t *testing.T, name string, content []byte) *v1.Import {
	t.Helper()
	im := tn.start(t, name, content, nil)
	return tn.approvePreview(t, im.Id)
}

// approvePreview waits for an import's preview and approves it until it is applied.
func (tn *tenant) approvePreview(t *testing.T, id string) *v1.Import {
	t.Helper()
	im := tn.waitFor(t, id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if im.Status != v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL {
		t.Fatalf("import %s ended %v: %s", id, im.Status, im.ErrorMessage)
	}
	applied := tn.approve(t, im)
	if applied.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("import %s ended %v: %s", id, applied.Status, applied.ErrorMessage)
	}
	return applied
}

// exportRows exports the directory as CSV and returns its rows by login email.
func (tn *tenant) exportRows(t *testing.T) (map[string][]string, []byte) {
	t.Helper()
	resp, err := tn.people.ExportDirectory(context.Background(), connect.NewRequest(&v1.ExportDirectoryRequest{Format: v1.FileFormat_FILE_FORMAT_CSV}))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	records, err := csv.NewReader(bytes.NewReader(resp.Msg.Content)).ReadAll()
	if err != nil {
		t.Fatalf("read export: %v", err)
	}
	rows := map[string][]string{}
	for _, r := range records[1:] {
		rows[r[4]] = r
	}
	return rows, resp.Msg.Content
}

// reimportIsUnchanged imports the directory's own export and expects every row unchanged.
func (tn *tenant) reimportIsUnchanged(t *testing.T, what string) {
	t.Helper()
	rows, content := tn.exportRows(t)
	im := tn.start(t, "export.csv", content, nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if got := im.Summary; got.Unchanged != int64(len(rows)) || got.New+got.Updated+got.Error+got.Deactivated+got.Reactivated != 0 {
		t.Fatalf("%s: export -> import summary = %v (%s), want all %d unchanged", what, got, im.ErrorMessage, len(rows))
	}
	if _, err := tn.imports.RejectImport(context.Background(), connect.NewRequest(&v1.RejectImportRequest{ImportId: im.Id, Reason: "check only"})); err != nil {
		t.Fatalf("reject the check import: %v", err)
	}
}

func TestDirectoryManagementAndTenantBoundary(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	a := s.newTenant(t, "Directory A")
	b := s.newTenant(t, "Directory B")
	a.importApplied(t, "people.csv", exampleAt(t, "people.csv", "dir-a.example"))
	b.importApplied(t, "people.csv", exampleAt(t, "people.csv", "dir-b.example"))
	hannahA := "hannah.schmidt@dir-a.example"

	// Company B can never see, change, merge with or delete company A's people.
	_, err := b.people.GetPerson(ctx, connect.NewRequest(&v1.GetPersonRequest{Person: hannahA}))
	wantCode(t, "B reads A's person", err, connect.CodeNotFound, "no person")
	_, err = b.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: hannahA, Fields: []*v1.FieldValue{{Field: "title", Value: "x"}}}))
	wantCode(t, "B updates A's person", err, connect.CodeNotFound, "no person")
	_, err = b.people.DeactivatePeople(ctx, connect.NewRequest(&v1.DeactivatePeopleRequest{People: []string{"hannah.schmidt@dir-b.example", hannahA}}))
	wantCode(t, "B deactivates A's person", err, connect.CodeNotFound, "nothing was changed")
	_, err = b.people.MergePeople(ctx, connect.NewRequest(&v1.MergePeopleRequest{Source: hannahA, Destination: "hannah.schmidt@dir-b.example"}))
	wantCode(t, "B merges A's person", err, connect.CodeNotFound, "no person")
	_, err = b.people.MergePeople(ctx, connect.NewRequest(&v1.MergePeopleRequest{Source: "hannah.schmidt@dir-b.example", Destination: hannahA, DryRun: true}))
	wantCode(t, "B merges into A's person", err, connect.CodeNotFound, "no person")
	_, err = b.people.DeletePerson(ctx, connect.NewRequest(&v1.DeletePersonRequest{Person: hannahA, ConfirmEmail: hannahA}))
	wantCode(t, "B deletes A's person", err, connect.CodeNotFound, "no person")
	_, err = b.people.GetPersonHistory(ctx, connect.NewRequest(&v1.GetPersonHistoryRequest{Person: hannahA}))
	wantCode(t, "B reads A's history", err, connect.CodeNotFound, "no person")
	list, err := b.people.ListPeople(ctx, connect.NewRequest(&v1.ListPeopleRequest{Status: v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL, Search: "dir-a.example"}))
	if err != nil || len(list.Msg.People) != 0 {
		t.Fatalf("B searches A's people: %d found, %v", len(list.Msg.GetPeople()), err)
	}

	person, err := a.people.GetPerson(ctx, connect.NewRequest(&v1.GetPersonRequest{Person: hannahA}))
	if err != nil {
		t.Fatal(err)
	}
	if person.Msg.Manager.GetEmail() != "amara.okafor@dir-a.example" || len(person.Msg.DirectReports) != 0 || len(person.Msg.OwnedFields) != 0 {
		t.Fatalf("Hannah = %v", person.Msg)
	}

	upd, err := a.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: hannahA, Fields: []*v1.FieldValue{
		{Field: "title", Value: "Head of People"}, {Field: "Team", Clear: true}, {Field: "hire_date", Value: "2020-02-01"},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(upd.Msg.Changes); got != 3 || upd.Msg.Person.Title != "Head of People" || upd.Msg.Person.Team != "" {
		t.Fatalf("update = %v", upd.Msg)
	}
	_, err = a.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: hannahA, Fields: []*v1.FieldValue{{Field: "hire_date", Value: "01.02.2020"}}}))
	wantCode(t, "invalid date", err, connect.CodeInvalidArgument, `Hiring Date (column K): "01.02.2020" is not a date; use YYYY-MM-DD`)
	_, err = a.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: hannahA, Fields: []*v1.FieldValue{{Field: "shoe_size", Value: "42"}}}))
	wantCode(t, "unknown field", err, connect.CodeInvalidArgument, `unknown field "shoe_size"`)
	_, err = a.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: "amara.okafor@dir-a.example", Fields: []*v1.FieldValue{{Field: "manager_email", Value: hannahA}}}))
	wantCode(t, "reporting loop", err, connect.CodeFailedPrecondition, "reporting loop (manager: amara.okafor@dir-a.example → hannah.schmidt@dir-a.example → amara.okafor@dir-a.example)")

	history, err := a.people.GetPersonHistory(ctx, connect.NewRequest(&v1.GetPersonHistoryRequest{Person: hannahA}))
	if err != nil {
		t.Fatal(err)
	}
	if h := history.Msg.Entries; len(h) != 2 || h[0].Kind != "updated" || h[0].Admin != "admin of Directory A" || h[0].ImportId != "" ||
		h[1].Kind != "new" || h[1].ImportId == "" || h[1].ImportSource != "upload" {
		t.Fatalf("history = %v", history.Msg.Entries)
	}

	// Merge: Chiara's reports move to Matteo, Chiara is deactivated.
	dry, err := a.people.MergePeople(ctx, connect.NewRequest(&v1.MergePeopleRequest{Source: "chiara.bianchi@dir-a.example", Destination: "matteo.rossi@dir-a.example", DryRun: true}))
	if err != nil {
		t.Fatal(err)
	}
	if !dry.Msg.DryRun || len(dry.Msg.ReportsMoved) != 2 || !dry.Msg.SourceDeactivated {
		t.Fatalf("dry run = %v", dry.Msg)
	}
	merged, err := a.people.MergePeople(ctx, connect.NewRequest(&v1.MergePeopleRequest{Source: "chiara.bianchi@dir-a.example", Destination: "matteo.rossi@dir-a.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if merged.Msg.DryRun || !reflect.DeepEqual(refEmails(merged.Msg.ReportsMoved), refEmails(dry.Msg.ReportsMoved)) {
		t.Fatalf("merge = %v, dry run said %v", merged.Msg, dry.Msg)
	}
	reports, err := a.people.ListPeople(ctx, connect.NewRequest(&v1.ListPeopleRequest{Manager: "matteo.rossi@dir-a.example"}))
	if err != nil || reports.Msg.Total != 3 {
		t.Fatalf("Matteo's reports after the merge: %d, %v; want Jonas, Rui and Aoife", reports.Msg.GetTotal(), err)
	}

	// Deactivate and delete.
	deactivated, err := a.people.DeactivatePeople(ctx, connect.NewRequest(&v1.DeactivatePeopleRequest{People: []string{"rui.ferreira@dir-a.example", "AOIFE.BYRNE@dir-a.example"}}))
	if err != nil || len(deactivated.Msg.Results) != 2 || !deactivated.Msg.Results[1].Changed {
		t.Fatalf("deactivate = %v, %v", deactivated.Msg, err)
	}
	active, err := a.people.ListPeople(ctx, connect.NewRequest(&v1.ListPeopleRequest{Status: v1.PersonStatusFilter_PERSON_STATUS_FILTER_DEACTIVATED}))
	if err != nil || active.Msg.Total != 3 || active.Msg.BillableCount != 27 {
		t.Fatalf("deactivated %d, billable %d, %v; want 3 deactivated and 27 billable", active.Msg.GetTotal(), active.Msg.GetBillableCount(), err)
	}
	_, err = a.people.DeletePerson(ctx, connect.NewRequest(&v1.DeletePersonRequest{Person: hannahA, ConfirmEmail: hannahA}))
	wantCode(t, "delete an active person", err, connect.CodeFailedPrecondition, "deactivate them first")
	_, err = a.people.DeletePerson(ctx, connect.NewRequest(&v1.DeletePersonRequest{Person: "rui.ferreira@dir-a.example", ConfirmEmail: "rui"}))
	wantCode(t, "delete without the right confirmation", err, connect.CodeInvalidArgument, "type the person's login email exactly")
	deleted, err := a.people.DeletePerson(ctx, connect.NewRequest(&v1.DeletePersonRequest{Person: "rui.ferreira@dir-a.example", ConfirmEmail: "rui.ferreira@dir-a.example"}))
	if err != nil || deleted.Msg.HistoryEntriesErased != 3 {
		t.Fatalf("delete = %v, %v; want 3 history entries erased (import, merge move, deactivation)", deleted.Msg, err)
	}
	_, err = a.people.GetPerson(ctx, connect.NewRequest(&v1.GetPersonRequest{Person: "rui.ferreira@dir-a.example"}))
	wantCode(t, "read a deleted person", err, connect.CodeNotFound, "no person")

	sent, err := a.people.SendPasswordEmails(ctx, connect.NewRequest(&v1.SendPasswordEmailsRequest{}))
	if err != nil || len(sent.Msg.Queued) != 27 {
		t.Fatalf("password emails queued for %d people, %v; want the 27 active", len(sent.Msg.GetQueued()), err)
	}

	// Deactivated people export with status Inactive, and the export re-imports unchanged.
	rows, _ := a.exportRows(t)
	if len(rows) != 29 || rows["aoife.byrne@dir-a.example"][17] != "Inactive" || rows["chiara.bianchi@dir-a.example"][17] != "Inactive" ||
		rows["aoife.byrne@dir-a.example"][5] != "matteo.rossi@dir-a.example" {
		t.Fatalf("export after merge and deactivation: %d rows, Aoife %v, Chiara %v", len(rows), rows["aoife.byrne@dir-a.example"], rows["chiara.bianchi@dir-a.example"])
	}
	a.reimportIsUnchanged(t, "after merge, deactivation and delete")
	if n := len(b.allPeople(t)); n != 30 {
		t.Fatalf("company B has %d people after A's changes, want its 30", n)
	}
}

func refEmails(refs []*v1.PersonRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Email
	}
	return out
}

func TestRevertKeepsLaterEditsAndRevertsBack(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	tn := s.newTenant(t, "Revert GmbH")
	const domain = "revert.example"
	tn.importApplied(t, "people.csv", exampleAt(t, "people.csv", domain))
	base, _ := tn.exportRows(t)

	changes := withInactive(t, exampleAt(t, "people-changes.csv", domain), "kai.lindholm@"+domain)
	applied := tn.importApplied(t, "people-changes.csv", changes)
	if got := applied.Summary; got.New != 2 || got.Updated != 4 || got.Deactivated != 1 {
		t.Fatalf("changes import summary = %v", got)
	}
	hannah := "hannah.schmidt@" + domain
	if _, err := tn.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: hannah,
		Fields: []*v1.FieldValue{{Field: "title", Value: "Head of People"}}})); err != nil {
		t.Fatal(err)
	}
	edited, _ := tn.exportRows(t)

	_, err := s.newTenant(t, "Revert Intruder").imports.RevertImport(ctx, connect.NewRequest(&v1.RevertImportRequest{ImportId: applied.Id}))
	wantCode(t, "revert another company's import", err, connect.CodeNotFound, "does not exist")

	resp, err := tn.imports.RevertImport(ctx, connect.NewRequest(&v1.RevertImportRequest{ImportId: applied.Id}))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Msg.KeptFields != 1 || resp.Msg.Import.Source != "revert" || resp.Msg.Import.FileName != "revert of import "+applied.Id {
		t.Fatalf("revert = %v", resp.Msg)
	}
	revert := tn.waitFor(t, resp.Msg.Import.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if got := revert.Summary; got.Updated != 3 || got.Deactivated != 2 || got.Reactivated != 1 || got.Unchanged != 1 || got.Error != 0 || got.Warning != 1 {
		t.Fatalf("revert preview = %v (%s)", got, revert.ErrorMessage)
	}
	warned := tn.changesWithWarnings(t, revert.Id)
	if len(warned) != 1 || warned[0].Email != hannah || !strings.HasPrefix(warned[0].Warnings[0].Message, "kept: edited since by admin of Revert GmbH on ") ||
		!strings.HasSuffix(warned[0].Warnings[0].Message, `Title stays as it is now (the reverted import changed it from "People Partner" to "Senior People Partner")`) {
		t.Fatalf("kept warnings = %v", warned)
	}
	tn.approvePreview(t, revert.Id)

	// Everything is back as before the import, except Hannah's title (edited since) and the
	// two people the import created, who stay as deactivated accounts.
	want := map[string][]string{}
	for email, row := range base {
		want[email] = row
	}
	hannahRow := append([]string(nil), base[hannah]...)
	hannahRow[3] = "Head of People"
	want[hannah] = hannahRow
	for _, email := range []string{"lena.fischer@" + domain, "tiago.mendes@" + domain} {
		row := append([]string(nil), edited[email]...)
		row[17] = "Inactive"
		want[email] = row
	}
	if got, _ := tn.exportRows(t); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the revert:\n got %v\nwant %v", got, want)
	}
	tn.reimportIsUnchanged(t, "after the revert")

	// Reverting the revert restores the import's result (with the later edit).
	again, err := tn.imports.RevertImport(ctx, connect.NewRequest(&v1.RevertImportRequest{ImportId: revert.Id}))
	if err != nil {
		t.Fatal(err)
	}
	if again.Msg.KeptFields != 0 {
		t.Fatalf("revert of the revert kept %d fields", again.Msg.KeptFields)
	}
	tn.approvePreview(t, again.Msg.Import.Id)
	if got, _ := tn.exportRows(t); !reflect.DeepEqual(got, edited) {
		t.Fatalf("after reverting the revert:\n got %v\nwant %v", got, edited)
	}
	tn.reimportIsUnchanged(t, "after reverting the revert")
}

func (tn *tenant) changesWithWarnings(t *testing.T, id string) []*v1.Change {
	t.Helper()
	resp, err := tn.imports.ListChanges(context.Background(), connect.NewRequest(&v1.ListChangesRequest{ImportId: id, HasWarnings: true, PageSize: 100}))
	if err != nil {
		t.Fatalf("list changes: %v", err)
	}
	return resp.Msg.Changes
}

// An edit while an import waits for approval makes its preview stale: the approval of the
// old preview leads to a new preview, and the edit is kept. An edit racing the apply lands
// before (new preview) or after it; never lost.
func TestUpdateDuringImportIsNeverLost(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	tn := s.newTenant(t, "Race Ltd")
	const domain = "race.example"
	tn.importApplied(t, "people.csv", exampleAt(t, "people.csv", domain))
	hannah := "hannah.schmidt@" + domain
	// The file leaves Preferred Name blank (keep), so an edit of it must survive the import.
	setPreferred := func(name string) {
		if _, err := tn.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: hannah,
			Fields: []*v1.FieldValue{{Field: "preferred_name", Value: name}}})); err != nil {
			t.Errorf("update: %v", err)
		}
	}

	im := tn.start(t, "people-changes.csv", exampleAt(t, "people-changes.csv", domain), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	setPreferred("Hanna")
	if _, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion})); err != nil {
		t.Fatal(err)
	}
	for {
		cur := tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_APPLIED, v1.ImportStatus_IMPORT_STATUS_FAILED)
		if cur.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED {
			t.Fatal("the import applied a preview made before the edit")
		}
		if cur.Status == v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL && cur.PreviewVersion > im.PreviewVersion {
			im = cur
			break
		}
	}

	// Now race the approval of the fresh preview against another edit.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		setPreferred("Hanni")
	}()
	_, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion}))
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cur := tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_APPLIED, v1.ImportStatus_IMPORT_STATUS_FAILED)
		if cur.Status == v1.ImportStatus_IMPORT_STATUS_FAILED {
			t.Fatalf("import failed: %s", cur.ErrorMessage)
		}
		if cur.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED {
			break
		}
		if cur.PreviewVersion > im.PreviewVersion {
			// The edit came first: approve the new preview.
			im = cur
			if _, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion})); err != nil {
				t.Fatal(err)
			}
		}
	}
	person, err := tn.people.GetPerson(ctx, connect.NewRequest(&v1.GetPersonRequest{Person: hannah}))
	if err != nil {
		t.Fatal(err)
	}
	if p := person.Msg.Person; p.Title != "Senior People Partner" || p.PreferredName != "Hanni" {
		t.Fatalf("Hannah has title %q and preferred name %q; want the import's title and the last edit's name", p.Title, p.PreferredName)
	}
}
