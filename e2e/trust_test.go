package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	bamboofake "github.com/staffsync/staffsync/sources/bamboohr/fake"
	personiofake "github.com/staffsync/staffsync/sources/personio/fake"
)

// trustedSystem is one HR system's fake for the issue 17 scenario: who loses their work
// email, who is hired to start next month, who disappears from the source, and how the
// roster comes back short or the token runs out mid-run.
type trustedSystem struct {
	kind, name, domain string
	handler            http.Handler
	settings           func(baseURL string) map[string]string
	secrets            map[string]string

	lostEmail, lostEmailID string // loses the work email in the HR system
	gone, goneID           string // deleted in the HR system (or hidden from the key)
	noEmailID              string // the demo person who never had a work email
	omitID                 string // left out of a short roster

	loseEmail      func(id string)
	hireOn         func(first, last, email, date string)
	remove         func(id string)
	omit           func(ids ...string)
	expireMidRun   func() // nil when the system has no expiring tokens
	finishExpiring func()
}

func bambooTrusted(t *testing.T) *trustedSystem {
	const apiKey = "e2e-trust-bamboohr-key-4410"
	// Login emails are unique across companies: this company's people are not the other
	// HR tests' (same demo, another domain).
	people := bamboofake.DemoPeople()
	for i := range people {
		people[i].WorkEmail = strings.Replace(people[i].WorkEmail, "@acme.example", "@trust.acme.example", 1)
	}
	f := bamboofake.NewServer(bamboofake.Options{APIKey: apiKey, People: people})
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &trustedSystem{
		kind: "bamboohr", name: "BambooHR", domain: "trust.acme.example", handler: f,
		settings:  func(u string) map[string]string { return map[string]string{"subdomain": f.Company(), "base_url": u} },
		secrets:   map[string]string{"api_key": apiKey},
		lostEmail: "barbara.liskov@trust.acme.example", lostEmailID: "109",
		gone: "radia.perlman@trust.acme.example", goneID: "113",
		noEmailID: "125", omitID: "115",
		loseEmail: func(id string) { must(f.Update(id, func(p *bamboofake.Person) { p.WorkEmail = "" })) },
		hireOn: func(first, last, email, date string) {
			f.AddPerson(bamboofake.Person{FirstName: first, LastName: last, WorkEmail: email, JobTitle: "Engineer",
				Department: "Engineering", Location: "Berlin", SupervisorID: "106", HireDate: date, Status: "Active",
				EmploymentStatus: "Full-Time", EmployeeNumber: "E090"})
		},
		remove: func(id string) { must(f.Remove(id)) },
		omit:   func(ids ...string) { f.SetOmitted(ids...) },
	}
}

func personioTrusted(t *testing.T) *trustedSystem {
	const clientID, clientSecret = "e2e-trust-personio-client-7781", "e2e-trust-personio-secret-2296"
	people := personiofake.DemoPeople()
	for i := range people {
		people[i].Email = strings.Replace(people[i].Email, "@globex.example", "@trust.globex.example", 1)
	}
	f := personiofake.NewServer(personiofake.Options{ClientID: clientID, ClientSecret: clientSecret, People: people})
	id := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &trustedSystem{
		kind: "personio", name: "Personio", domain: "trust.globex.example", handler: f,
		settings:  func(u string) map[string]string { return map[string]string{"base_url": u} },
		secrets:   map[string]string{"client_id": clientID, "client_secret": clientSecret},
		lostEmail: "mia.richter@trust.globex.example", lostEmailID: "12",
		gone: "lea.neumann@trust.globex.example", goneID: "16",
		noEmailID: "25", omitID: "20",
		loseEmail: func(p string) { must(f.Update(id(p), func(q *personiofake.Person) { q.Email = "" })) },
		hireOn: func(first, last, email, date string) {
			f.AddPerson(personiofake.Person{FirstName: first, LastName: last, Email: email, Position: "Software Engineer",
				Department: "Engineering", Office: "Munich", SupervisorID: 6, HireDate: date, Status: "onboarding",
				EmploymentType: "internal", Gender: "female"})
		},
		remove: func(p string) { must(f.Remove(id(p))) },
		omit: func(ids ...string) {
			numbers := make([]int, len(ids))
			for i, s := range ids {
				numbers[i] = id(s)
			}
			f.SetOmitted(numbers...)
		},
		// Pages of 10 and a token that stops working after the first one: the client must
		// renew it on Personio's 403 and go on.
		expireMidRun:   func() { f.SetPageCap(10); f.ExpireTokensAfter(1) },
		finishExpiring: func() { f.SetPageCap(0); f.ExpireTokensAfter(0) },
	}
}

func TestHRSyncsNeverDeactivateOrInviteWrongly(t *testing.T) {
	captureLogs()
	for kind, newSystem := range map[string]func(*testing.T) *trustedSystem{"bamboohr": bambooTrusted, "personio": personioTrusted} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			testTrustedSync(t, newSystem(t))
		})
	}
}

func (tn *integrationTenant) diagnose(t *testing.T, importID string) *v1.DiagnoseImportResponse {
	t.Helper()
	resp, err := tn.imports.DiagnoseImport(context.Background(), connect.NewRequest(&v1.DiagnoseImportRequest{ImportId: importID}))
	if err != nil {
		t.Fatalf("diagnose import %s: %v", importID, err)
	}
	return resp.Msg
}

func diagnosed(people []*v1.DiagnosedPerson, sourceID string) *v1.DiagnosedPerson {
	for _, p := range people {
		if p.SourceId == sourceID {
			return p
		}
	}
	return nil
}

func testTrustedSync(t *testing.T, sys *trustedSystem) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "trust-"+sys.kind)
	ctx := context.Background()
	srv := httptest.NewServer(sys.handler)
	defer srv.Close()

	on := true
	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: sys.kind, Name: sys.name, AutoApply: true, Settings: sys.settings(srv.URL), Secrets: sys.secrets,
		Options: &v1.ImportOptions{DeactivateMissing: &on, SendPasswordEmails: &on},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := created.Msg.Integration.Id
	tn.enableAutomaticRuns(t, id)
	first := tn.waitRun(t, id, "", "applied")
	people := tn.byEmail(t)
	if p := people[sys.lostEmail]; p == nil || !p.Active {
		t.Fatalf("after the first sync %s is %+v", sys.lostEmail, p)
	}
	// The person the source sends without a work email is listed with the reason.
	if d := tn.diagnose(t, first.LastImportId); !d.FromSource || diagnosed(d.NotImported, sys.noEmailID) == nil ||
		diagnosed(d.NotImported, sys.noEmailID).ReasonCode != "skipped_by_source" {
		t.Fatalf("first sync's diagnosis does not list the person without a work email: %+v", d)
	}

	// In the HR system: one person's work email is emptied, one is hired to start next
	// month, and one is deleted.
	startsOn := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)
	newHire := "nora.next@" + sys.domain
	sys.loseEmail(sys.lostEmailID)
	sys.hireOn("Nora", "Next", newHire, startsOn)
	sys.remove(sys.goneID)
	second := tn.syncNow(t, first)
	if second.LastResult != "applied" || second.LastImportId == first.LastImportId {
		t.Fatalf("second run: %+v", second)
	}
	people = tn.byEmail(t)
	if p := people[sys.lostEmail]; p == nil || !p.Active {
		t.Fatalf("%s lost the work email in %s and was deactivated: %+v", sys.lostEmail, sys.name, p)
	}
	if p := people[sys.gone]; p == nil || p.Active {
		t.Fatalf("%s, whom %s no longer sends, is %+v; want deactivated (deactivate-missing is on)", sys.gone, sys.name, p)
	}
	if p := people[newHire]; p == nil || p.Active || !p.Pending || p.HireDate != startsOn {
		t.Fatalf("the hire starting on %s is %+v; want pending, not active", startsOn, p)
	}
	d := tn.diagnose(t, second.LastImportId)
	lost := diagnosed(d.NotImported, sys.lostEmailID)
	if lost == nil || lost.ReasonCode != "skipped_by_source" || lost.Email != sys.lostEmail || !strings.Contains(lost.Reason, "no ") {
		t.Fatalf("the person without a work email is not listed as not imported with the reason: %+v", d.NotImported)
	}
	gone := diagnosed(d.NotInSource, sys.goneID)
	if gone == nil || gone.Email != sys.gone || gone.Kind != v1.ChangeKind_CHANGE_KIND_DEACTIVATED ||
		gone.ReasonCode != "not_sent_by_source" || !strings.Contains(gone.Reason, "not sent by the source") {
		t.Fatalf("the deleted person is not named 'not sent by the source': %+v", d.NotInSource)
	}
	if len(d.NotInSource) != 1 {
		t.Fatalf("in staffsync but not in the source: %+v, want only %s", d.NotInSource, sys.gone)
	}
	deactivated := tn.changes(t, second.LastImportId, v1.ChangeKind_CHANGE_KIND_DEACTIVATED)
	if len(deactivated) != 1 || deactivated[0].Email != sys.gone {
		t.Fatalf("the sync deactivated %+v, want only %s", deactivated, sys.gone)
	}
	im, err := tn.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: second.LastImportId}))
	if err != nil {
		t.Fatal(err)
	}
	if im.Msg.Import.Summary.Pending < 1 {
		t.Fatalf("the import's summary counts no pending person: %+v", im.Msg.Import.Summary)
	}
	list, err := tn.people.ListPeople(ctx, connect.NewRequest(&v1.ListPeopleRequest{Status: v1.PersonStatusFilter_PERSON_STATUS_FILTER_PENDING}))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range list.Msg.People {
		found = found || p.Email == newHire
	}
	if !found || list.Msg.PendingCount != int64(len(list.Msg.People)) || list.Msg.BillableCount != int64(activeCount(people)) {
		t.Fatalf("pending people: %d listed (pending count %d, billable %d, active %d); want the new hire, not billable",
			len(list.Msg.People), list.Msg.PendingCount, list.Msg.BillableCount, activeCount(people))
	}
	activeBefore := activeCount(people)

	// The roster comes back short of what the source says it has: the run fails with that
	// message, deactivates nobody and does not pause the integration.
	sys.omit(sys.omitID)
	short := tn.syncNow(t, second)
	if short.LastResult != "failed" || short.LastImportId != second.LastImportId || !strings.Contains(short.LastError, "nobody is deactivated") {
		t.Fatalf("short roster: result %q error %q import %s; want failed saying nobody is deactivated, no import", short.LastResult, short.LastError, short.LastImportId)
	}
	if short.State == v1.IntegrationState_INTEGRATION_STATE_PAUSED {
		t.Fatalf("a short roster paused the integration: %q", short.PausedReason)
	}
	if n := activeCount(tn.byEmail(t)); n != activeBefore {
		t.Fatalf("%d people active after the short roster, want %d", n, activeBefore)
	}
	sys.omit()

	if sys.expireMidRun == nil {
		return
	}
	// The token stops working in the middle of a run: renewed, the run goes on, not paused.
	sys.expireMidRun()
	renewed := tn.syncNow(t, short)
	sys.finishExpiring()
	if renewed.State == v1.IntegrationState_INTEGRATION_STATE_PAUSED || renewed.LastResult != "applied" {
		t.Fatalf("token expired mid-run: state %v result %q error %q reason %q; want applied, not paused",
			renewed.State, renewed.LastResult, renewed.LastError, renewed.PausedReason)
	}
	if n := activeCount(tn.byEmail(t)); n != activeBefore {
		t.Fatalf("%d people active after the renewed run, want %d", n, activeBefore)
	}
}
