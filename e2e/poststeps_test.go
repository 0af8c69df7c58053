package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/testsuite"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/mailer"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/workflows"
)

// recordingMailer remembers what it sent and refuses the addresses in refuse once each.
type recordingMailer struct {
	mu     sync.Mutex
	sent   []mailer.Message
	refuse map[string]bool
}

func (m *recordingMailer) Send(_ context.Context, msg mailer.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse[msg.To] {
		delete(m.refuse, msg.To)
		return errors.New("550 mailbox unavailable")
	}
	m.sent = append(m.sent, msg)
	return nil
}

// sentTo returns the messages sent to addresses ending in suffix.
func (m *recordingMailer) sentTo(suffix string) []mailer.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []mailer.Message
	for _, msg := range m.sent {
		if strings.HasSuffix(msg.To, suffix) {
			out = append(out, msg)
		}
	}
	return out
}

func (m *recordingMailer) recipients() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, msg := range m.sent {
		out = append(out, msg.To)
	}
	sort.Strings(out)
	return out
}

func TestPasswordEmailsAreQueuedOnceAndDeliveredOnce(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Mail Corp")
	b := func(v bool) *bool { return &v }
	im := tn.start(t, "people.csv", generatedPeople(5, "mail-corp.example"), &v1.ImportOptions{SendPasswordEmails: b(true)})
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if done := tn.approve(t, im); done.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED || done.ProgressPhase != "applied" || done.RowsProcessed != 5 {
		t.Fatalf("import = %v, progress %q %d/%d; want applied with 5 of 5 rows", done.Status, done.ProgressPhase, done.RowsProcessed, done.ProgressTotal)
	}
	var importID int64
	fmt.Sscan(im.Id, &importID)
	ref := activities.ImportRef{CompanyID: tn.companyID, ImportID: importID}
	var result workflows.ImportResult
	if err := s.temporal.GetWorkflow(context.Background(), tn.workflowID(t, im.Id), "").Get(context.Background(), &result); err != nil {
		t.Fatal(err)
	}
	if p := result.PostSteps; p.EmailsQueued != 5 || p.EmailsSent != 5 || len(p.Failed) != 0 {
		t.Fatalf("post-steps = %+v, want 5 emails queued and sent", p)
	}
	if got := s.mail.sentTo("@mail-corp.example"); len(got) != 5 {
		t.Fatalf("the stack's mail sink got %d emails of the import, want 5", len(got))
	}
	// Undo the stack's delivery to watch a delivery that fails once and is retried.
	s.exec(t, `UPDATE outbox SET sent_at = NULL WHERE import_id = $1`, importID)

	// The workflow queued the emails already: queueing again adds none.
	mail := &recordingMailer{refuse: map[string]bool{"person2@mail-corp.example": true}}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	acts := &activities.Activities{Store: s.store, Mailer: mail}
	env.RegisterActivity(acts)
	val, err := env.ExecuteActivity(acts.QueuePasswordEmails, ref)
	if err != nil {
		t.Fatal(err)
	}
	var queued int64
	if err := val.Get(&queued); err != nil || queued != 0 {
		t.Fatalf("queueing again queued %d (%v), want 0", queued, err)
	}

	// The first delivery fails for one address and reports it; the retry sends only that one.
	if _, err := env.ExecuteActivity(acts.DeliverEmails, ref); err == nil || !strings.Contains(err.Error(), "1 emails of import") {
		t.Fatalf("first delivery error = %v, want one failed email", err)
	}
	if got := len(mail.recipients()); got != 4 {
		t.Fatalf("first delivery sent %d, want 4", got)
	}
	val, err = env.ExecuteActivity(acts.DeliverEmails, ref)
	if err != nil {
		t.Fatal(err)
	}
	var delivered activities.DeliverResult
	if err := val.Get(&delivered); err != nil || delivered != (activities.DeliverResult{Sent: 1}) {
		t.Fatalf("retry = %+v (%v), want exactly the failed email sent", delivered, err)
	}
	want := []string{"person0@mail-corp.example", "person1@mail-corp.example", "person2@mail-corp.example", "person3@mail-corp.example", "person4@mail-corp.example"}
	if got := mail.recipients(); !reflect.DeepEqual(got, want) {
		t.Fatalf("recipients = %v, want each new person once: %v", got, want)
	}
	// The body was written when the workflow's worker queued it.
	if body := mail.sent[0].Body; !strings.Contains(body, activities.DefaultSignInURL) || !strings.Contains(body, "pronouns she/her") {
		t.Fatalf("first email body = %q, want the sign-in link and she/her for gender F", body)
	}
	if q, sent, err := s.store.OutboxCounts(context.Background(), importID); err != nil || q != 5 || sent != 5 {
		t.Fatalf("outbox = %d queued, %d sent (%v), want 5 and 5", q, sent, err)
	}
}

func TestApprovalOptionsThroughTheAPI(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	tn := s.newTenant(t, "Four Eyes GmbH")
	b := func(v bool) *bool { return &v }
	started := time.Now()
	im := tn.start(t, "people.csv", generatedPeople(3, "four-eyes.example"), &v1.ImportOptions{
		RequireSecondApprover: b(true), ApprovalTimeout: durationpb.New(72 * time.Hour),
	})
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if !im.Options.GetRequireSecondApprover() || im.Options.GetApprovalTimeout().AsDuration() != 72*time.Hour {
		t.Fatalf("options = %v, want second approver and 72h", im.Options)
	}
	// The deadline the admin is shown is 72 hours after the preview.
	if expires := im.GetApprovalExpiresAt().AsTime(); expires.Before(started.Add(72*time.Hour)) || expires.After(time.Now().Add(72*time.Hour)) {
		t.Fatalf("approval expires at %v, want 72h after the preview (started %v)", expires, started)
	}
	_, err := tn.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion}))
	wantCode(t, "uploader approves", err, connect.CodeFailedPrecondition, "needs a second approver")

	token, err := s.store.CreateToken(ctx, tn.companyID, "Second Admin")
	if err != nil {
		t.Fatal(err)
	}
	second := *tn
	second.imports = staffsyncv1connect.NewImportServiceClient(httpClient(), s.server.URL, connect.WithInterceptors(bearer(token)))
	done := second.approve(t, im)
	if done.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED || done.DecidedBy != "Second Admin" {
		t.Fatalf("import = %v decided by %q, want applied by Second Admin", done.Status, done.DecidedBy)
	}

	_, err = tn.imports.StartImport(ctx, connect.NewRequest(&v1.StartImportRequest{FileName: "a.csv", Content: []byte("x"),
		Options: &v1.ImportOptions{ApprovalTimeout: durationpb.New(time.Second)}}))
	wantCode(t, "one-second approval timeout", err, connect.CodeInvalidArgument, "approval_timeout must be at least one minute")
}

// TestCycleServiceAndImportPostSteps: an import adds new people to an objectives cycle open
// to everyone, and with the option to open review cycles with their manager as reviewer.
func TestCycleServiceAndImportPostSteps(t *testing.T) {
	s := getStack(t)
	ctx := context.Background()
	tn := s.newTenant(t, "Cycles Inc")
	cycles := staffsyncv1connect.NewCycleServiceClient(httpClient(), s.server.URL, connect.WithInterceptors(bearer(tn.token(t, s))))
	create := func(name string, kind v1.CycleKind, everyone bool) *v1.Cycle {
		resp, err := cycles.CreateCycle(ctx, connect.NewRequest(&v1.CreateCycleRequest{Name: name, Kind: kind, OpenToEveryone: everyone}))
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return resp.Msg.Cycle
	}
	objectives := create("FY objectives", v1.CycleKind_CYCLE_KIND_OBJECTIVES, true)
	review := create("Annual review", v1.CycleKind_CYCLE_KIND_REVIEW, false)
	_, err := cycles.CreateCycle(ctx, connect.NewRequest(&v1.CreateCycleRequest{Name: "x"}))
	wantCode(t, "cycle without kind", err, connect.CodeInvalidArgument, "choose the cycle kind")

	b := func(v bool) *bool { return &v }
	im := tn.start(t, "people.csv", generatedPeople(10, "cycles.example"), &v1.ImportOptions{AddNewToOpenReviewCycles: b(true)})
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	tn.approve(t, im)
	// Post-steps run after the import shows applied: wait for the workflow's end.
	if err := s.temporal.GetWorkflow(ctx, tn.workflowID(t, im.Id), "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	resp, err := cycles.ListCycles(ctx, connect.NewRequest(&v1.ListCyclesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, c := range resp.Msg.Cycles {
		got[c.Name] = c.Participants
	}
	if want := map[string]int64{"FY objectives": 10, "Annual review": 10}; !reflect.DeepEqual(got, want) {
		t.Fatalf("participants = %v, want %v", got, want)
	}
	added, err := cycles.AddPeople(ctx, connect.NewRequest(&v1.AddPeopleRequest{CycleId: review.Id, Emails: []string{"person1@cycles.example"}}))
	if err != nil || added.Msg.Added != 0 {
		t.Fatalf("adding a participant again = %v, %v; want 0 added", added, err)
	}
	reset, err := cycles.ResetReviewers(ctx, connect.NewRequest(&v1.ResetReviewersRequest{CycleId: review.Id}))
	if err != nil || reset.Msg.ReviewersChanged != 0 {
		t.Fatalf("reset reviewers = %v, %v; want nothing to change (reviewers are the managers)", reset, err)
	}
	_, err = cycles.ResetReviewers(ctx, connect.NewRequest(&v1.ResetReviewersRequest{CycleId: objectives.Id}))
	wantCode(t, "reset reviewers of objectives", err, connect.CodeFailedPrecondition, "has no reviewers")

	other := s.newTenant(t, "Other Cycles Ltd")
	otherCycles := staffsyncv1connect.NewCycleServiceClient(httpClient(), s.server.URL, connect.WithInterceptors(bearer(other.token(t, s))))
	_, err = otherCycles.AddPeople(ctx, connect.NewRequest(&v1.AddPeopleRequest{CycleId: review.Id, Emails: []string{"x@y.example"}}))
	wantCode(t, "another company's cycle", err, connect.CodeNotFound, "does not exist")
}

// token makes another API token for the tenant's company.
func (tn *tenant) token(t *testing.T, s *stack) string {
	t.Helper()
	token, err := s.store.CreateToken(context.Background(), tn.companyID, "cycles admin")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func httpClient() *http.Client { return http.DefaultClient }
