package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/sources/bamboohr"
	bamboofake "github.com/staffsync/staffsync/sources/bamboohr/fake"
	"github.com/staffsync/staffsync/sources/personio"
	personiofake "github.com/staffsync/staffsync/sources/personio/fake"
)

// hrisSystem drives one HR system's fake in the vocabulary of the test; ids are the HR
// system's employee ids as text.
type hrisSystem struct {
	kind, name, domain string
	handler            http.Handler
	settings           func(baseURL string) map[string]string
	secrets            map[string]string
	missingAccess      string // the admin-facing message of a run that cannot read status
	badKeyReason       string // the paused reason after the credentials were revoked
	peopleSeen         int    // what the connection test reports for the demo company

	// The demo company: a CEO, a direct report of theirs, and an engineer who changes manager.
	ceo, ceoID, cto, ctoID, ctoEmployeeID string
	engineer, newManager                  string
	engineerID, newManagerID              string
	leaver, leaverID                      string // terminated by the second sync
	hireManager, hireManagerID            string
	visible                               int // people with a work email: the first sync creates them

	hire              func(first, last, email, managerID string)
	setManager        func(id, managerID string)
	terminate         func(id, date string)
	becomes           func(id, first, last, email string) // the id is given to someone else
	restrictStatus    func(restricted bool)
	revokeCredentials func()
}

func bambooHRSystem(t *testing.T) *hrisSystem {
	const apiKey = "e2e-bamboohr-key-7731"
	f := bamboofake.NewServer(bamboofake.Options{APIKey: apiKey})
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &hrisSystem{
		kind: "bamboohr", name: "BambooHR", domain: "acme.example", handler: f,
		settings: func(u string) map[string]string {
			return map[string]string{"subdomain": f.Company(), "base_url": u}
		},
		secrets:       map[string]string{"api_key": apiKey},
		missingAccess: bamboohr.MissingAccessMessage,
		badKeyReason:  `paused: BambooHR rejected the API key (401): Invalid API key "[redacted]"; create a new API key in BambooHR and update the integration`,
		peopleSeen:    25,
		ceo:           "ada.lovelace@acme.example", ceoID: "101",
		cto: "grace.hopper@acme.example", ctoID: "102", ctoEmployeeID: "E002",
		engineer: "dennis.ritchie@acme.example", engineerID: "108",
		newManager: "margaret.hamilton@acme.example", newManagerID: "107",
		leaver: "ken.thompson@acme.example", leaverID: "110",
		hireManager: "linus.torvalds@acme.example", hireManagerID: "106",
		visible: 24, // Rosalind has no work email
		hire: func(first, last, email, managerID string) {
			f.AddPerson(bamboofake.Person{FirstName: first, LastName: last, WorkEmail: email, JobTitle: "Engineer",
				Department: "Engineering", Division: "Platform", Location: "Berlin", SupervisorID: managerID,
				HireDate: "2026-11-16", Status: "Active", EmploymentStatus: "Full-Time", EmployeeNumber: "E026"})
		},
		setManager: func(id, managerID string) { must(f.SetManager(id, managerID)) },
		terminate:  func(id, date string) { must(f.Terminate(id, date)) },
		becomes: func(id, first, last, email string) {
			must(f.Update(id, func(p *bamboofake.Person) {
				p.FirstName, p.LastName, p.WorkEmail, p.Status, p.TerminationDate = first, last, email, "Active", ""
			}))
		},
		restrictStatus: func(restricted bool) {
			if restricted {
				f.SetRestrictedFields("status")
			} else {
				f.SetRestrictedFields()
			}
		},
		revokeCredentials: func() { f.SetAPIKey("e2e-bamboohr-rotated-key-0001") },
	}
}

func personioSystem(t *testing.T) *hrisSystem {
	const clientID, clientSecret = "e2e-personio-client-5521", "e2e-personio-secret-9034"
	f := personiofake.NewServer(personiofake.Options{ClientID: clientID, ClientSecret: clientSecret})
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
	return &hrisSystem{
		kind: "personio", name: "Personio", domain: "globex.example", handler: f,
		settings:      func(u string) map[string]string { return map[string]string{"base_url": u} },
		secrets:       map[string]string{"client_id": clientID, "client_secret": clientSecret},
		missingAccess: personio.MissingAccessMessage,
		badKeyReason:  "paused: Personio rejected the API credentials (401): Wrong credentials; check the client id and secret of the integration",
		peopleSeen:    25,
		ceo:           "alexander.bergmann@globex.example", ceoID: "1",
		cto: "lena.fischer@globex.example", ctoID: "2", ctoEmployeeID: "2",
		engineer: "marie.becker@globex.example", engineerID: "8",
		newManager: "paul.wagner@globex.example", newManagerID: "7",
		leaver: "noah.koch@globex.example", leaverID: "11",
		hireManager: "sofia.keller@globex.example", hireManagerID: "6",
		visible: 24, // Max has no company email
		hire: func(first, last, email, managerID string) {
			f.AddPerson(personiofake.Person{FirstName: first, LastName: last, Email: email, Position: "Software Engineer",
				Department: "Engineering", Office: "Munich", Team: "Platform", SupervisorID: id(managerID),
				HireDate: "2026-11-16", Status: "onboarding", EmploymentType: "internal", Gender: "female"})
		},
		setManager: func(p, managerID string) {
			m := 0
			if managerID != "" {
				m = id(managerID)
			}
			must(f.SetSupervisor(id(p), m))
		},
		terminate: func(p, date string) { must(f.Terminate(id(p), date)) },
		becomes: func(p, first, last, email string) {
			must(f.Update(id(p), func(q *personiofake.Person) {
				q.FirstName, q.LastName, q.PreferredName, q.Email, q.Status, q.TerminationDate = first, last, "", email, "active", ""
			}))
		},
		restrictStatus: func(restricted bool) {
			if restricted {
				f.SetHiddenAttributes("status")
			} else {
				f.SetHiddenAttributes()
			}
		},
		revokeCredentials: func() { f.SetCredentials("e2e-personio-client-rotated", "e2e-personio-secret-rotated") },
	}
}

func TestHRISIntegrations(t *testing.T) {
	captureLogs()
	for kind, newSystem := range map[string]func(*testing.T) *hrisSystem{"bamboohr": bambooHRSystem, "personio": personioSystem} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			// The fake's helpers fail this subtest, so the system is made inside it.
			testHRISIntegration(t, newSystem(t))
		})
	}
}

// byEmail indexes the company's people by login email.
func (tn *integrationTenant) byEmail(t *testing.T) map[string]*v1.Person {
	t.Helper()
	out := map[string]*v1.Person{}
	for _, p := range tn.allPeople(t) {
		out[p.Email] = p
	}
	return out
}

// syncNow asks for a run and waits until one finished after prev.
func (tn *integrationTenant) syncNow(t *testing.T, prev *v1.Integration) *v1.Integration {
	t.Helper()
	if _, err := tn.integrations.SyncNow(context.Background(), connect.NewRequest(&v1.SyncNowRequest{Id: prev.Id})); err != nil {
		t.Fatalf("sync now: %v", err)
	}
	return tn.waitIntegration(t, prev.Id, "the next run", func(in *v1.Integration) bool {
		return in.CurrentImportId == "" && in.LastRunAt != nil && in.LastRunAt.AsTime().After(prev.LastRunAt.AsTime())
	})
}

func activeCount(people map[string]*v1.Person) int {
	n := 0
	for _, p := range people {
		if p.Active {
			n++
		}
	}
	return n
}

// problemsOf returns the import's row problems of one person as "code: message" lines.
func (tn *integrationTenant) problemsOf(t *testing.T, importID, email string) (errs, warnings []string) {
	t.Helper()
	for _, c := range tn.changes(t, importID) {
		if c.Email != email {
			continue
		}
		for _, p := range c.Errors {
			errs = append(errs, p.Code+": "+p.Message)
		}
		for _, p := range c.Warnings {
			warnings = append(warnings, p.Code+": "+p.Message)
		}
	}
	return errs, warnings
}

func testHRISIntegration(t *testing.T, sys *hrisSystem) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "hris-"+sys.kind)
	ctx := context.Background()
	srv := httptest.NewServer(sys.handler)
	defer srv.Close()

	// Olga was added from a spreadsheet before the company connected its HR system.
	olga := "olga.sommer@" + sys.domain
	pre := tn.start(t, "before.csv", []byte("First Name,Last Name,Title,Login Email\nOlga,Sommer,Consultant,"+olga+"\n"), nil)
	if got := tn.approve(t, tn.waitFor(t, pre.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)); got.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("spreadsheet import: %v %s", got.Status, got.ErrorMessage)
	}

	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: sys.kind, Name: sys.name, AutoApply: true, Settings: sys.settings(srv.URL), Secrets: sys.secrets,
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := created.Msg.Integration.Id
	tn.enableAutomaticRuns(t, id)
	for name, value := range sys.secrets {
		if want := "set, ends in " + value[len(value)-4:]; created.Msg.Integration.Secrets[name] != want {
			t.Errorf("secret %s shown as %q, want %q", name, created.Msg.Integration.Secrets[name], want)
		}
	}
	tested, err := tn.integrations.TestConnection(ctx, connect.NewRequest(&v1.TestConnectionRequest{Id: id}))
	if err != nil {
		t.Fatalf("test connection: %v", err)
	}
	if want := fmt.Sprintf("connected; the credentials see %d people", sys.peopleSeen); !tested.Msg.Ok || !strings.HasPrefix(tested.Msg.Message, want) {
		t.Fatalf("test connection: ok=%v %q, want %q", tested.Msg.Ok, tested.Msg.Message, want)
	}

	// First sync: everyone with a work email, managers by the HR system's ids.
	first := tn.waitRun(t, id, "", "applied")
	people := tn.byEmail(t)
	if len(people) != sys.visible+1 {
		t.Fatalf("after the first sync: %d people, want %d (HR people with a work email and Olga)", len(people), sys.visible+1)
	}
	if p := people[sys.cto]; p == nil || p.ManagerEmail != sys.ceo || p.EmployeeId != sys.ctoEmployeeID || !p.Active {
		t.Fatalf("after the first sync: %s is %+v, want manager %s and employee id %s", sys.cto, p, sys.ceo, sys.ctoEmployeeID)
	}
	if p := people[sys.ceo]; p == nil || p.ManagerEmail != "" {
		t.Fatalf("after the first sync: the CEO is %+v", p)
	}
	// The demo data has one person without a work email: the import says so.
	firstImport, err := tn.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: first.LastImportId}))
	if err != nil {
		t.Fatalf("get first sync's import: %v", err)
	}
	if w := firstImport.Msg.Import.FileWarnings; len(w) != 1 || !strings.HasPrefix(w[0], "1 person sent by "+sys.name+" could not be imported") {
		t.Fatalf("first sync's import warnings = %q, want one about the person without a work email", w)
	}
	if p := people[sys.engineer]; p == nil || p.ManagerEmail == sys.newManager {
		t.Fatalf("after the first sync: %s is %+v", sys.engineer, p)
	}

	// A hire, a manager change and a termination in the HR system reach the next run.
	hire := "hana.sato@" + sys.domain
	sys.hire("Hana", "Sato", hire, sys.hireManagerID)
	sys.setManager(sys.engineerID, sys.newManagerID)
	sys.terminate(sys.leaverID, "2026-10-30")
	second := tn.syncNow(t, first)
	if second.LastResult != "applied" || second.LastImportId == first.LastImportId {
		t.Fatalf("second run: %+v", second)
	}
	people = tn.byEmail(t)
	if p := people[hire]; p == nil || !p.Active || p.ManagerEmail != sys.hireManager || p.HireDate != "2026-11-16" {
		t.Fatalf("the new hire is %+v", p)
	}
	if p := people[sys.engineer]; p.ManagerEmail != sys.newManager {
		t.Fatalf("%s reports to %q, want %s", sys.engineer, p.ManagerEmail, sys.newManager)
	}
	if p := people[sys.leaver]; p.Active || p.LeavingDate != "2026-10-30" {
		t.Fatalf("the leaver is %+v, want inactive, leaving 2026-10-30", p)
	}
	activeBefore := activeCount(people)

	// Field ownership: a spreadsheet leaves the HR system's fields alone and says so; a
	// manual edit of one is refused naming the integration.
	file := fmt.Sprintf("First Name,Last Name,Title,Login Email,Team\n%s,%s,Chief Cat Herder,%s,Compilers\n",
		people[sys.cto].FirstName, people[sys.cto].LastName, sys.cto)
	im := tn.waitFor(t, tn.start(t, "titles.csv", []byte(file), nil).Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	_, warnings := tn.problemsOf(t, im.Id, sys.cto)
	wantWarning := "owned_field: Title managed by " + sys.name + " while that integration is active; the file's values are ignored, change them in the HR system"
	if len(warnings) != 1 || warnings[0] != wantWarning {
		t.Fatalf("warnings of the spreadsheet import: %q, want %q", warnings, wantWarning)
	}
	tn.approve(t, im)
	if p := tn.byEmail(t)[sys.cto]; p.Title != people[sys.cto].Title || p.Team != "Compilers" {
		t.Fatalf("after the spreadsheet: title %q team %q; want the HR title %q kept and the team changed", p.Title, p.Team, people[sys.cto].Title)
	}
	_, err = tn.people.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: sys.cto,
		Fields: []*v1.FieldValue{{Field: "title", Value: "Chief Cat Herder"}}}))
	wantRefusal := fmt.Sprintf("Title is managed by the integration %q while it is active; change it there, or pause the integration first", sys.name)
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr.Code() != connect.CodeFailedPrecondition || cerr.Message() != wantRefusal {
		t.Fatalf("manual edit of an owned field: %v, want FailedPrecondition %q", err, wantRefusal)
	}

	// The key's user loses access to status: the run fails loudly and deactivates nobody.
	sys.restrictStatus(true)
	failed := tn.syncNow(t, second)
	if failed.LastResult != "failed" || failed.LastError != sys.missingAccess || failed.LastImportId != second.LastImportId {
		t.Fatalf("run without status: result %q error %q import %s; want failed with %q and no import",
			failed.LastResult, failed.LastError, failed.LastImportId, sys.missingAccess)
	}
	if n := activeCount(tn.byEmail(t)); n != activeBefore {
		t.Fatalf("%d people active after the failed run, want %d", n, activeBefore)
	}
	sys.restrictStatus(false)

	// Identity problems are preview errors, never a silent duplicate: the leaver's id is
	// recycled for Olga (whom staffsync knows by email), and the CEO now reports to their report.
	sys.becomes(sys.leaverID, "Olga", "Sommer", olga)
	sys.setManager(sys.ceoID, sys.ctoID)
	third := tn.syncNow(t, failed)
	if third.LastImportId == second.LastImportId {
		t.Fatalf("identity run made no import: %+v", third)
	}
	errs, _ := tn.problemsOf(t, third.LastImportId, olga)
	wantConflict := fmt.Sprintf("identity_conflict: identity conflict: the HR system's employee id %q belongs to %s but the email %s belongs to %s; nothing is changed for either until the HR system is fixed",
		sys.leaverID, sys.leaver, olga, olga)
	if len(errs) != 1 || errs[0] != wantConflict {
		t.Fatalf("recycled id: errors %q, want %q", errs, wantConflict)
	}
	wantLoop := fmt.Sprintf("manager_loop: %s (column %s): this makes a reporting loop %s -> %s -> %s; change one of these managers",
		directory.ManagerEmail.Header(), directory.ManagerEmail.Column(), sys.ceo, sys.cto, sys.ceo)
	for _, email := range []string{sys.ceo, sys.cto} {
		if errs, _ := tn.problemsOf(t, third.LastImportId, email); len(errs) != 1 || errs[0] != wantLoop {
			t.Fatalf("reporting loop: errors of %s %q, want %q", email, errs, wantLoop)
		}
	}
	after := tn.byEmail(t)
	if len(after) != len(people) {
		t.Fatalf("%d people after the identity run, want %d (no duplicate)", len(after), len(people))
	}
	if p := after[olga]; p.FirstName != "Olga" || p.Title != "Consultant" || !p.Active {
		t.Fatalf("Olga changed: %+v", p)
	}
	if p := after[sys.leaver]; p.Active || p.FirstName != people[sys.leaver].FirstName {
		t.Fatalf("the leaver changed: %+v", p)
	}
	if p := after[sys.ceo]; p.ManagerEmail != "" {
		t.Fatalf("the CEO now reports to %q", p.ManagerEmail)
	}

	// Revoked credentials pause the integration with the reason.
	sys.revokeCredentials()
	paused := tn.syncNow(t, third)
	if paused.State != v1.IntegrationState_INTEGRATION_STATE_PAUSED || paused.PausedReason != sys.badKeyReason || paused.LastResult != "paused: bad credentials" {
		t.Fatalf("after the key was revoked: state %v reason %q result %q; want paused with %q", paused.State, paused.PausedReason, paused.LastResult, sys.badKeyReason)
	}
	if n := activeCount(tn.byEmail(t)); n != activeBefore {
		t.Fatalf("%d people active after the paused run, want %d", n, activeBefore)
	}

	listed, err := tn.integrations.ListIntegrations(ctx, connect.NewRequest(&v1.ListIntegrationsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range sys.secrets {
		assertNoSecret(t, s, tn.companyID, secret, created.Msg, tested.Msg, listed.Msg, paused)
	}
}
