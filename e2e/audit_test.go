package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
)

// TestAuditLogShowsEveryChangeWithItsActor makes the changes of a working day through the
// real API, as an owner and as an admin's script token, and reads them back from the audit
// log: each with the right actor, role and object, secret values nowhere.
func TestAuditLogShowsEveryChangeWithItsActor(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	owner := s.newIntegrationTenant(t, "audit-co")
	ownerAccess := staffsyncv1connect.NewAccessServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(ownerTokenOf(t, s, owner.companyID))))
	made, err := ownerAccess.CreateToken(ctx, connect.NewRequest(&v1.CreateTokenRequest{Name: "hr-script", Role: "admin"}))
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	script := staffsyncv1connect.NewIntegrationServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(made.Msg.Secret)))
	scriptImports := staffsyncv1connect.NewImportServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(made.Msg.Secret)))
	scriptTenant := &tenant{companyID: owner.companyID, imports: scriptImports, people: staffsyncv1connect.NewDirectoryServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(made.Msg.Secret)))}

	// The script imports and approves; the owner edits a person.
	im := scriptTenant.start(t, "people.csv", peopleCSV("audit-co.example", "Engineer", "Designer"), nil)
	im = scriptTenant.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	scriptTenant.approve(t, im)
	if _, err := owner.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: "p0@audit-co.example", Fields: []*v1.FieldValue{{Field: "title", Value: "Lead"}}})); err != nil {
		t.Fatalf("update person: %v", err)
	}

	// The owner makes an auto-applying integration; the script rotates its secret, pauses,
	// resumes and deletes it. The script cannot turn the safety guard off.
	const password, rotated = "audit-first-secret-1111", "audit-rotated-secret-2222"
	hr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(peopleCSV("audit-co.example", "Engineer", "Designer"))
	}))
	defer hr.Close()
	created, err := owner.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "https", Name: "HR export", AutoApply: true, IntervalSeconds: 24 * 3600,
		Settings: map[string]string{"url": hr.URL + "/people.csv", "username": "hr"},
		Secrets:  map[string]string{"password": password},
	}))
	if err != nil {
		t.Fatalf("create integration: %v", err)
	}
	id := created.Msg.Integration.Id
	if _, err := script.UpdateIntegration(ctx, connect.NewRequest(&v1.UpdateIntegrationRequest{Id: id, Settings: map[string]string{"username": "hr2"}, Secrets: map[string]string{"password": rotated}})); err != nil {
		t.Fatalf("update integration: %v", err)
	}
	if _, err := script.UpdateIntegration(ctx, connect.NewRequest(&v1.UpdateIntegrationRequest{Id: id, Options: &v1.ImportOptions{MaxDeactivations: -1}})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("an admin token turned the safety guard off: %v", err)
	}
	for _, call := range []func() error{
		func() error {
			_, err := script.PauseIntegration(ctx, connect.NewRequest(&v1.PauseIntegrationRequest{Id: id, Reason: "audit"}))
			return err
		},
		func() error {
			_, err := script.ResumeIntegration(ctx, connect.NewRequest(&v1.ResumeIntegrationRequest{Id: id}))
			return err
		},
		func() error {
			_, err := script.DeleteIntegration(ctx, connect.NewRequest(&v1.DeleteIntegrationRequest{Id: id}))
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatalf("integration call: %v", err)
		}
	}

	resp, err := ownerAccess.ListAuditEvents(ctx, connect.NewRequest(&v1.ListAuditEventsRequest{Limit: 1000}))
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	ownerActor := "token admin of audit-co (of admin of audit-co)"
	scriptActor := "token hr-script (of admin of audit-co)"
	want := []struct{ action, actor, role, object, outcome, detail string }{
		{"AccessService.CreateToken", ownerActor, "owner", "token_id=" + made.Msg.Token.Id, "ok", `"name":"hr-script"`},
		{"ImportService.StartImport", scriptActor, "admin", "import_id=" + im.Id, "ok", `"file_name":"people.csv"`},
		{"ImportService.ApproveImport", scriptActor, "admin", "import_id=" + im.Id, "ok", ""},
		{"DirectoryService.UpdatePerson", ownerActor, "owner", "person=p0@audit-co.example", "ok", `"value":"Lead"`},
		{"IntegrationService.CreateIntegration", ownerActor, "owner", "integration_id=" + id, "ok", `"password":"(set)"`},
		{"IntegrationService.UpdateIntegration", scriptActor, "admin", "integration_id=" + id, "ok", `"username":"hr2"`},
		{"IntegrationService.UpdateIntegration", scriptActor, "admin", "integration_id=" + id, "permission_denied", `"max_deactivations":-1`},
		{"IntegrationService.PauseIntegration", scriptActor, "admin", "integration_id=" + id, "ok", `"reason":"audit"`},
		{"IntegrationService.ResumeIntegration", scriptActor, "admin", "integration_id=" + id, "ok", ""},
		{"IntegrationService.DeleteIntegration", scriptActor, "admin", "integration_id=" + id, "ok", ""},
	}
	events := resp.Msg.Events
	// Newest first; read oldest first to compare with the order of the calls.
	var got []*v1.AuditEvent
	for i := len(events) - 1; i >= 0; i-- {
		got = append(got, events[i])
	}
	if len(got) != len(want) {
		for _, e := range got {
			t.Logf("%s %s %s %s", e.Action, e.Actor, e.Object, e.Outcome)
		}
		t.Fatalf("audit has %d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		e := got[i]
		if e.Action != w.action || e.Actor != w.actor || e.Role != w.role || e.Outcome != w.outcome || !strings.Contains(e.Object, w.object) || !strings.Contains(strings.ReplaceAll(e.DetailJson, " ", ""), w.detail) || e.ClientAddress != "127.0.0.1" {
			t.Errorf("event %d: %s by %q (%s) on %q: %s from %s, detail %s\nwant %+v", i, e.Action, e.Actor, e.Role, e.Object, e.Outcome, e.ClientAddress, e.DetailJson, w)
		}
		for _, secret := range []string{password, rotated, made.Msg.Secret} {
			if strings.Contains(e.DetailJson, secret) || strings.Contains(e.Object, secret) {
				t.Errorf("event %d holds a secret: %s", i, e.DetailJson)
			}
		}
	}

	// Another company sees none of it.
	other := s.newTenant(t, "audit-other")
	otherAccess := staffsyncv1connect.NewAccessServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(other.apiToken)))
	theirs, err := otherAccess.ListAuditEvents(ctx, connect.NewRequest(&v1.ListAuditEventsRequest{}))
	if err != nil {
		t.Fatalf("another company's audit: %v", err)
	}
	if len(theirs.Msg.Events) != 0 {
		t.Fatalf("another company sees %d audit events", len(theirs.Msg.Events))
	}
}

// ownerTokenOf makes a fresh owner token for the company (the tenant helpers keep theirs).
func ownerTokenOf(t *testing.T, s *stack, companyID int64) string {
	t.Helper()
	admins, err := s.store.ListAdmins(context.Background(), companyID)
	if err != nil || len(admins) == 0 {
		t.Fatalf("admins: %v", err)
	}
	p := store.Principal{CompanyID: companyID, AdminID: admins[0].ID, AdminName: admins[0].Name, Role: store.RoleOwner}
	_, secret, err := s.store.CreateAPIToken(context.Background(), p, store.NewAPIToken{Name: "admin of audit-co", Role: store.RoleOwner})
	if err != nil {
		t.Fatalf("owner token: %v", err)
	}
	return secret
}
