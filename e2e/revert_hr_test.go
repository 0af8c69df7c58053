package e2e

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	bamboofake "github.com/staffsync/staffsync/sources/bamboohr/fake"
)

// A revert after a hand deactivation keeps the person inactive with a "kept" warning, and
// a revert of fields BambooHR owns says so and can pause the integration first.
func TestRevertThroughTheAPIKeepsAndExplains(t *testing.T) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "revert-hr")
	ctx := context.Background()
	file := "First Name,Last Name,Title,Login Email\nLéa,Roux,Analyst,lea@revert-hr.example\nBo,Berg,Analyst,bo@revert-hr.example\n"
	tn.approve(t, tn.waitFor(t, tn.start(t, "a.csv", []byte(file), nil).Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL))
	changed := strings.ReplaceAll(file, "Analyst", "Director")
	second := tn.approve(t, tn.waitFor(t, tn.start(t, "b.csv", []byte(changed), nil).Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL))
	if _, err := tn.people.DeactivatePeople(ctx, connect.NewRequest(&v1.DeactivatePeopleRequest{People: []string{"lea@revert-hr.example"}})); err != nil {
		t.Fatal(err)
	}
	// A BambooHR integration now owns titles (it never ran: automatic runs are off).
	srv := httptest.NewServer(bamboofake.NewServer(bamboofake.Options{}))
	defer srv.Close()
	hr, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "bamboohr", Name: "BambooHR", Settings: map[string]string{"subdomain": "acme", "base_url": srv.URL},
		Secrets: map[string]string{"api_key": bamboofake.DemoAPIKey},
	}))
	if err != nil {
		t.Fatal(err)
	}

	check, err := tn.imports.RevertImport(ctx, connect.NewRequest(&v1.RevertImportRequest{ImportId: second.Id, CheckOnly: true}))
	if err != nil {
		t.Fatal(err)
	}
	c := check.Msg
	if !c.CheckOnly || c.Import != nil || c.KeptFields != 1 || len(c.Kept) != 1 || c.Kept[0].Field != "status" || c.Kept[0].Current != "Inactive" {
		t.Fatalf("check = %+v; want Léa's status kept and nothing started", c)
	}
	if len(c.HrOwned) != 1 || c.HrOwned[0].IntegrationId != hr.Msg.Integration.Id || strings.Join(c.HrOwned[0].Fields, ",") != "title" ||
		c.HrOwned[0].People != 2 || !strings.Contains(c.HrOwnedMessage, "sets them again") {
		t.Fatalf("HR owned = %+v %q", c.HrOwned, c.HrOwnedMessage)
	}

	rev, err := tn.imports.RevertImport(ctx, connect.NewRequest(&v1.RevertImportRequest{ImportId: second.Id, PauseIntegrations: true}))
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Msg.PausedIntegrationIds) != 1 || !rev.Msg.HrOwned[0].Paused {
		t.Fatalf("revert with pause = %+v", rev.Msg)
	}
	got, err := tn.integrations.GetIntegration(ctx, connect.NewRequest(&v1.GetIntegrationRequest{Id: hr.Msg.Integration.Id}))
	if err != nil || got.Msg.Integration.State != v1.IntegrationState_INTEGRATION_STATE_PAUSED {
		t.Fatalf("integration after the revert = %v (%v), want paused", got, err)
	}
	im := tn.waitFor(t, rev.Msg.Import.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if im.Summary.Updated != 2 || im.Summary.Reactivated != 0 {
		t.Fatalf("revert summary = %v; want both titles back and nobody reactivated", im.Summary)
	}
	tn.approve(t, im)
	for _, p := range tn.allPeople(t) {
		if p.Title != "Analyst" {
			t.Fatalf("%s has title %q after the revert, want Analyst", p.Email, p.Title)
		}
		if p.Email == "lea@revert-hr.example" && p.Active {
			t.Fatal("the revert reactivated Léa, deactivated by hand since")
		}
	}
}
