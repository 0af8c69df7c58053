package e2e

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// The preview groups unknown managers by email with the likely person, flags a domain the
// company does not use and a same-name account with another email.
func TestPreviewHintsThroughTheAPI(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Hints Corp")
	base := "First Name,Last Name,Login Email,Manager Email\nJoe,Smith,joe.smith@hints.example,\nJohn,Smith,jsmith@hints.example,joe.smith@hints.example\n"
	first := tn.start(t, "base.csv", []byte(base), nil)
	first = tn.waitFor(t, first.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if len(first.Hints) != 0 {
		t.Fatalf("a clean first import has hints: %v", first.Hints)
	}
	tn.approve(t, first)

	file := "First Name,Last Name,Login Email,Manager Email\n" +
		"A,One,a@hints.example,joe@hints.example\nB,Two,b@hints.example,joe@hints.example\nC,Three,c@hints.example,joe@hints.example\n" +
		"John,Smith,john.smith@hints.example,joe.smith@hints.example\nKai,Berg,kai@hints-gmbh.example,joe.smith@hints.example\n"
	im := tn.start(t, "people.csv", []byte(file), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	got, err := tn.imports.GetImport(context.Background(), connect.NewRequest(&v1.GetImportRequest{ImportId: im.Id}))
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]*v1.ImportHint{}
	for _, h := range got.Msg.Import.Hints {
		byCode[h.Code] = h
	}
	if h := byCode["unknown_manager"]; h == nil || h.Value != "joe@hints.example" || h.RowCount != 3 || len(h.People) != 1 ||
		h.People[0].Email != "joe.smith@hints.example" || h.People[0].Id == "" || !strings.Contains(h.Message, "did you mean Joe Smith") {
		t.Fatalf("unknown manager hint = %v", h)
	}
	if h := byCode["uncommon_domain"]; h == nil || h.Value != "hints-gmbh.example" || len(h.Rows) != 1 || h.Rows[0] != 6 {
		t.Fatalf("domain hint = %v", h)
	}
	if h := byCode["possible_duplicate"]; h == nil || len(h.People) != 2 || h.People[1].Email != "jsmith@hints.example" || h.People[1].Id == "" {
		t.Fatalf("duplicate hint = %v", h)
	}
	if len(got.Msg.Import.Hints) != 3 {
		t.Fatalf("hints = %v, want exactly these three", got.Msg.Import.Hints)
	}
}
