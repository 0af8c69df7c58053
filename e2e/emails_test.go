package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// exec runs one statement on the stack's database (for setting up what a test watches).
func (s *stack) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// waitForMail waits until the stack's sink holds n emails to addresses ending in suffix.
func (s *stack) waitForMail(t *testing.T, suffix string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := s.mail.sentTo(suffix)
		if len(got) >= n || time.Now().After(deadline) {
			var keys []string
			for _, m := range got {
				keys = append(keys, m.To+" "+m.Subject)
			}
			if len(got) != n {
				t.Fatalf("mail sink has %d emails to *%s, want %d: %v", len(got), suffix, n, keys)
			}
			return keys
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Emails queued outside an import (an admin's password and welcome emails) are delivered
// by the company's outbox workflow, each exactly once, with the idempotency key as Message-ID.
func TestAdminQueuedEmailsAreDelivered(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Welcome Corp")
	ctx := context.Background()
	im := tn.start(t, "people.csv", generatedPeople(4, "welcome-corp.example"), nil)
	tn.approve(t, tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL))
	if got := s.mail.sentTo("@welcome-corp.example"); len(got) != 0 {
		t.Fatalf("an import without send_password_emails sent %d emails", len(got))
	}

	// Deactivate one, then welcome everyone not yet invited: three emails, one skipped.
	if _, err := tn.people.DeactivatePeople(ctx, connect.NewRequest(&v1.DeactivatePeopleRequest{People: []string{"person3@welcome-corp.example"}})); err != nil {
		t.Fatal(err)
	}
	welcome, err := tn.people.SendWelcomeEmails(ctx, connect.NewRequest(&v1.SendWelcomeEmailsRequest{NotYetInvited: true}))
	if err != nil {
		t.Fatal(err)
	}
	if len(welcome.Msg.Queued) != 3 || len(welcome.Msg.Warnings) != 0 {
		t.Fatalf("welcome = %d queued, warnings %v; want 3 and none", len(welcome.Msg.Queued), welcome.Msg.Warnings)
	}
	s.waitForMail(t, "@welcome-corp.example", 3)
	for _, p := range tn.allPeople(t) {
		if p.Invited != p.Active {
			t.Fatalf("%s (active %v) is listed with invited %v after welcoming everyone active", p.Email, p.Active, p.Invited)
		}
	}
	first := s.mail.sentTo("@welcome-corp.example")[0]
	if !strings.HasPrefix(first.IdempotencyKey, "password/welcome/") || !strings.Contains(first.Subject, "Welcome to Welcome Corp") {
		t.Fatalf("welcome email = key %q subject %q; want a welcome key and the import's welcome text", first.IdempotencyKey, first.Subject)
	}

	// Everyone active is invited now: asking again queues nothing.
	again, err := tn.people.SendWelcomeEmails(ctx, connect.NewRequest(&v1.SendWelcomeEmailsRequest{NotYetInvited: true}))
	if err != nil || len(again.Msg.Queued) != 0 {
		t.Fatalf("second welcome = %v (%v), want nobody left to invite", again, err)
	}
	// Named people are always sent one; a deactivated one is skipped with a warning.
	named, err := tn.people.SendWelcomeEmails(ctx, connect.NewRequest(&v1.SendWelcomeEmailsRequest{People: []string{"person0@welcome-corp.example", "person3@welcome-corp.example"}}))
	if err != nil || len(named.Msg.Queued) != 1 || len(named.Msg.Skipped) != 1 || len(named.Msg.Warnings) != 1 {
		t.Fatalf("named welcome = %v (%v), want one queued and one deactivated skipped", named, err)
	}
	if _, err := tn.people.SendWelcomeEmails(ctx, connect.NewRequest(&v1.SendWelcomeEmailsRequest{})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("welcome without people = %v, want InvalidArgument (never everyone by accident)", err)
	}

	// The password email of a reactivated person (people send-password-emails) arrives too.
	if _, err := tn.people.ReactivatePeople(ctx, connect.NewRequest(&v1.ReactivatePeopleRequest{People: []string{"person3@welcome-corp.example"}})); err != nil {
		t.Fatal(err)
	}
	pw, err := tn.people.SendPasswordEmails(ctx, connect.NewRequest(&v1.SendPasswordEmailsRequest{People: []string{"person3@welcome-corp.example"}}))
	if err != nil || len(pw.Msg.Queued) != 1 {
		t.Fatalf("password email = %v (%v)", pw, err)
	}
	s.waitForMail(t, "@welcome-corp.example", 5)
	if got := s.mail.sentTo("person3@welcome-corp.example"); len(got) != 1 || !strings.HasPrefix(got[0].IdempotencyKey, "password/admin/") {
		t.Fatalf("person3 got %d emails, want the one password email", len(got))
	}
	// Nothing is left queued, and nothing is sent twice.
	time.Sleep(200 * time.Millisecond)
	s.waitForMail(t, "@welcome-corp.example", 5)
	seen := map[string]bool{}
	for _, m := range s.mail.sentTo("@welcome-corp.example") {
		if seen[m.IdempotencyKey] {
			t.Fatalf("email %s sent twice", m.IdempotencyKey)
		}
		seen[m.IdempotencyKey] = true
	}
}
