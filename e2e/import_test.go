package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"net/http"

	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/workflows"
)

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func countRows(t *testing.T, raw []byte) int {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(records) - 1
}

func TestImportApplyAndReimportIsUnchanged(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Northwind Bikes")
	file := readExample(t, "people.csv")
	people := countRows(t, file)

	im := tn.start(t, "people.csv", file, nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if im.Status != v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL {
		t.Fatalf("import ended %v: %s", im.Status, im.ErrorMessage)
	}
	if got := im.Summary; got.New != int64(people) || got.Error != 0 || got.Updated != 0 {
		t.Fatalf("first preview summary = %v, want %d new and nothing else", got, people)
	}
	newChanges := tn.changes(t, im.Id, v1.ChangeKind_CHANGE_KIND_NEW)
	if len(newChanges) != people {
		t.Fatalf("ListChanges(new) returned %d, want %d", len(newChanges), people)
	}
	if len(newChanges[0].Fields) == 0 || newChanges[0].Row != 2 {
		t.Fatalf("first change = %v, want row 2 with field values", newChanges[0])
	}

	applied := tn.approve(t, im)
	if applied.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("approved import ended %v: %s", applied.Status, applied.ErrorMessage)
	}
	dir := tn.allPeople(t)
	if len(dir) != people {
		t.Fatalf("directory has %d people, want %d", len(dir), people)
	}
	withManager := 0
	for _, p := range dir {
		if p.ManagerEmail != "" {
			withManager++
		}
	}
	if withManager != people-1 {
		t.Fatalf("%d people have a manager, want everyone but the CEO (%d)", withManager, people-1)
	}

	again := tn.start(t, "people.csv", file, nil)
	again = tn.waitFor(t, again.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if got := again.Summary; got.Unchanged != int64(people) || got.New+got.Updated+got.Error+got.Deactivated+got.Reactivated != 0 {
		t.Fatalf("re-import summary = %v, want all %d unchanged", got, people)
	}

	// The directory's own export imports as all unchanged.
	export, err := tn.people.ExportDirectory(context.Background(), connect.NewRequest(&v1.ExportDirectoryRequest{Format: v1.FileFormat_FILE_FORMAT_CSV}))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	roundTrip := tn.start(t, "export.csv", export.Msg.Content, nil)
	roundTrip = tn.waitFor(t, roundTrip.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if got := roundTrip.Summary; got.Unchanged != int64(people) || got.New+got.Updated+got.Error != 0 {
		t.Fatalf("export -> import summary = %v (%s), want all %d unchanged", got, roundTrip.ErrorMessage, people)
	}
}

func TestApprovalIsCheckedAndDecidedOnce(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Approvals Inc")
	im := tn.start(t, "people.csv", readExample(t, "people.csv"), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	ctx := context.Background()

	_, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion + 1}))
	wantCode(t, "approve a preview version nobody saw", err, connect.CodeFailedPrecondition, "preview changed")

	_, err = tn.imports.RejectImport(ctx, connect.NewRequest(&v1.RejectImportRequest{ImportId: im.Id, Reason: "wrong file"}))
	if err != nil {
		t.Fatalf("reject: %v", err)
	}
	rejected := tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_REJECTED)
	if rejected.RejectReason != "wrong file" || rejected.DecidedBy == "" {
		t.Fatalf("rejected import = reason %q by %q, want the reason and the admin", rejected.RejectReason, rejected.DecidedBy)
	}
	_, err = tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion}))
	wantCode(t, "approve a rejected import", err, connect.CodeFailedPrecondition, "rejected")
	if n := len(tn.allPeople(t)); n != 0 {
		t.Fatalf("a rejected import left %d people", n)
	}
}

func TestFileErrorFailsTheImportWithAMessage(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Broken Files Ltd")
	im := tn.start(t, "report.pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_FAILED, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if im.Status != v1.ImportStatus_IMPORT_STATUS_FAILED || !strings.Contains(strings.ToLower(im.ErrorMessage), "pdf") {
		t.Fatalf("PDF import = %v %q, want failed with a message about the PDF", im.Status, im.ErrorMessage)
	}
}

func TestTenantsCannotSeeEachOther(t *testing.T) {
	s := getStack(t)
	a := s.newTenant(t, "Tenant A")
	b := s.newTenant(t, "Tenant B")
	im := a.start(t, "people.csv", readExample(t, "people.csv"), nil)
	im = a.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	ctx := context.Background()

	_, err := b.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: im.Id}))
	wantCode(t, "B gets A's import", err, connect.CodeNotFound, "does not exist")
	_, err = b.imports.ListChanges(ctx, connect.NewRequest(&v1.ListChangesRequest{ImportId: im.Id}))
	wantCode(t, "B lists A's changes", err, connect.CodeNotFound, "does not exist")
	_, err = b.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion}))
	wantCode(t, "B approves A's import", err, connect.CodeNotFound, "does not exist")
	_, err = b.imports.RejectImport(ctx, connect.NewRequest(&v1.RejectImportRequest{ImportId: im.Id}))
	wantCode(t, "B rejects A's import", err, connect.CodeNotFound, "does not exist")
	list, err := b.imports.ListImports(ctx, connect.NewRequest(&v1.ListImportsRequest{}))
	if err != nil || len(list.Msg.Imports) != 0 {
		t.Fatalf("B's import list = %v, %v; want empty", list, err)
	}

	a.approve(t, im)
	if n := len(b.allPeople(t)); n != 0 {
		t.Fatalf("B sees %d people of A", n)
	}
	// A's emails are taken: B importing the same file gets errors that do not name A.
	im2 := b.start(t, "people.csv", readExample(t, "people.csv"), nil)
	im2 = b.waitFor(t, im2.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if im2.Summary.Error != im2.RowsTotal {
		t.Fatalf("B importing A's people: summary %v, want every row an error", im2.Summary)
	}
	for _, c := range b.changes(t, im2.Id) {
		for _, e := range c.Errors {
			if strings.Contains(e.Message, "Tenant A") {
				t.Fatalf("error reveals the other company: %q", e.Message)
			}
		}
	}

	stranger := staffsyncv1connect.NewImportServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer("sst_not-a-token")))
	_, err = stranger.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: im.Id}))
	wantCode(t, "unknown token", err, connect.CodeUnauthenticated, "unknown API token")
	_, err = a.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: "not-a-number"}))
	wantCode(t, "malformed id", err, connect.CodeInvalidArgument, "not a valid import id")
}

func wantCode(t *testing.T, what string, err error, code connect.Code, msgPart string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: error = %v, want %v", what, err, code)
	}
	if ce.Code() != code || !strings.Contains(ce.Message(), msgPart) {
		t.Fatalf("%s: error = %v %q, want %v containing %q", what, ce.Code(), ce.Message(), code, msgPart)
	}
}

// generatedPeople writes a CSV of n people in a manager tree, with emails at domain.
func generatedPeople(n int, domain string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"First Name", "Last Name", "Gender", "Title", "Login Email", "Manager Email", "Department", "Team", "Location",
		"Employee ID", "Hiring Date", "Alternative Email", "Secondary Manager Email", "Preferred Name", "Leaving Date",
		"Termination Type", "Employment Type", "Active / Account Status"})
	departments := []string{"Engineering", "Sales", "Operations", "People", "Finance"}
	locations := []string{"Berlin", "Lisbon", "Toronto", "São Paulo"}
	for i := 0; i < n; i++ {
		manager := ""
		if i > 0 {
			manager = fmt.Sprintf("person%d@%s", (i-1)/8, domain)
		}
		_ = w.Write([]string{
			fmt.Sprintf("Zoë%d", i), fmt.Sprintf("Müller%d", i), []string{"F", "M", "N"}[i%3], "Engineer",
			fmt.Sprintf("person%d@%s", i, domain), manager, departments[i%len(departments)], "Team " + fmt.Sprint(i%40),
			locations[i%len(locations)], fmt.Sprintf("E%06d", i), fmt.Sprintf("20%02d-%02d-%02d", 10+i%15, 1+i%12, 1+i%28),
			"", "", "", "", "", "Full-time", "Active",
		})
	}
	w.Flush()
	return b.Bytes()
}

func TestLargeImportKeepsASmallHistoryWithoutEmails(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Large Corp")
	const domain = "large-corp.example"
	im := tn.start(t, "people.csv", generatedPeople(10_000, domain), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if im.Summary.New != 10_000 {
		t.Fatalf("summary = %v (%s), want 10000 new", im.Summary, im.ErrorMessage)
	}
	if done := tn.approve(t, im); done.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("import ended %v: %s", done.Status, done.ErrorMessage)
	}

	var id int64
	fmt.Sscan(im.Id, &id)
	iter := s.temporal.GetWorkflowHistory(context.Background(), workflows.ImportWorkflowID(tn.companyID, id), "", false, 0)
	events := 0
	var history strings.Builder
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("read history: %v", err)
		}
		events++
		raw, err := protojson.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		history.Write(raw)
	}
	if events == 0 || events >= 60 {
		t.Fatalf("history has %d events, want 1..59", events)
	}
	if strings.Contains(history.String(), domain) || strings.Contains(history.String(), "person1@") {
		t.Fatalf("history contains an email address")
	}
	if history.Len() > 64<<10 {
		t.Fatalf("history is %d bytes, want under 64 KiB", history.Len())
	}
}
