package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// requestRecorder is the attacker's server: it keeps every request it sees, headers and body.
type requestRecorder struct {
	mu       sync.Mutex
	requests [][]byte
}

func (r *requestRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	dump, _ := httputil.DumpRequest(req, true)
	r.mu.Lock()
	r.requests = append(r.requests, dump)
	r.mu.Unlock()
	_, _ = w.Write(peopleCSV("repointed.example", "Engineer", "Analyst"))
}

// containing returns the recorded requests that contain any of needles.
func (r *requestRecorder) containing(needles ...string) (n, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, req := range r.requests {
		for _, needle := range needles {
			if bytes.Contains(req, []byte(needle)) {
				n++
				break
			}
		}
	}
	return n, len(r.requests)
}

// TestRepointedIntegrationNeverSendsItsSecret is the careless (or stolen) admin account:
// it points an HTTPS integration with a stored password at a server it runs, then asks for a
// connection test, a sync and a resume. The stored password never reaches that server; the
// integration is paused until a password is entered for the new address.
func TestRepointedIntegrationNeverSendsItsSecret(t *testing.T) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "repointed")
	ctx := context.Background()
	const oldSecret = "e2e-repoint-secret-9931"
	legit := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, p, ok := r.BasicAuth(); !ok || p != oldSecret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write(peopleCSV("repointed.example", "Engineer"))
	}))
	defer legit.Close()
	attacker := &requestRecorder{}
	evil := httptest.NewServer(attacker)
	defer evil.Close()

	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "https", Name: "HR export", AutoApply: true,
		Settings: map[string]string{"url": legit.URL + "/people.csv", "username": "hr"},
		Secrets:  map[string]string{"password": oldSecret},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := created.Msg.Integration.Id
	tn.enableAutomaticRuns(t, id)
	first := tn.waitRun(t, id, "", "applied")

	updated, err := tn.integrations.UpdateIntegration(ctx, connect.NewRequest(&v1.UpdateIntegrationRequest{
		Id: id, Settings: map[string]string{"url": evil.URL + "/people.csv"},
	}))
	if err != nil {
		t.Fatalf("re-point: %v", err)
	}
	in := updated.Msg.Integration
	if in.State != v1.IntegrationState_INTEGRATION_STATE_PAUSED || !strings.Contains(in.PausedReason, "password") ||
		!strings.Contains(in.PausedReason, "dropped") || len(in.Secrets) != 0 {
		t.Fatalf("after re-pointing: state %v, reason %q, secrets %v", in.State, in.PausedReason, in.Secrets)
	}
	listed, err := tn.integrations.ListIntegrations(ctx, connect.NewRequest(&v1.ListIntegrationsRequest{}))
	if err != nil || len(listed.Msg.Integrations) != 1 || listed.Msg.Integrations[0].State != v1.IntegrationState_INTEGRATION_STATE_PAUSED {
		t.Fatalf("list after re-pointing: %v %v", listed, err)
	}

	_, err = tn.integrations.TestConnection(ctx, connect.NewRequest(&v1.TestConnectionRequest{Id: id}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || !strings.Contains(err.Error(), "entered again") {
		t.Fatalf("test connection: %v", err)
	}
	_, err = tn.integrations.SyncNow(ctx, connect.NewRequest(&v1.SyncNowRequest{Id: id}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition || !strings.Contains(err.Error(), "entered again") {
		t.Fatalf("sync now: %v", err)
	}
	_, err = tn.integrations.ResumeIntegration(ctx, connect.NewRequest(&v1.ResumeIntegrationRequest{Id: id}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("resume: %v", err)
	}
	// Changing something else (the name) neither brings the secret back nor unpauses.
	newName := "HR export (new host)"
	renamed, err := tn.integrations.UpdateIntegration(ctx, connect.NewRequest(&v1.UpdateIntegrationRequest{Id: id, Name: &newName}))
	if err != nil || renamed.Msg.Integration.State != v1.IntegrationState_INTEGRATION_STATE_PAUSED {
		t.Fatalf("rename: %v %v", renamed, err)
	}
	time.Sleep(2 * time.Second) // a scheduled run, if any slipped through, would show now

	basic := base64.StdEncoding.EncodeToString([]byte("hr:" + oldSecret))
	if n, total := attacker.containing(oldSecret, basic); n != 0 || total != 0 {
		t.Fatalf("the new host got %d requests before a secret was entered, %d with the old secret", total, n)
	}

	// Entering a secret for the new host resumes the integration, which then uses only it.
	const newSecret = "e2e-repoint-new-secret-1177"
	resumed, err := tn.integrations.UpdateIntegration(ctx, connect.NewRequest(&v1.UpdateIntegrationRequest{
		Id: id, Secrets: map[string]string{"password": newSecret},
	}))
	if err != nil {
		t.Fatalf("enter the secret again: %v", err)
	}
	if resumed.Msg.Integration.State == v1.IntegrationState_INTEGRATION_STATE_PAUSED {
		t.Fatalf("still paused after the secret was entered: %q", resumed.Msg.Integration.PausedReason)
	}
	tn.waitRun(t, id, first.LastImportId, "applied")
	if _, err := tn.integrations.TestConnection(ctx, connect.NewRequest(&v1.TestConnectionRequest{Id: id})); err != nil {
		t.Fatalf("test connection with the new secret: %v", err)
	}
	if n, total := attacker.containing(oldSecret, basic); n != 0 || total == 0 {
		t.Fatalf("after the new secret: %d requests to the new host, %d with the old secret", total, n)
	}
	if n, _ := attacker.containing(base64.StdEncoding.EncodeToString([]byte("hr:" + newSecret))); n == 0 {
		t.Fatal("the new host never got the new secret: the test proves nothing")
	}
	if _, err := tn.integrations.DeleteIntegration(ctx, connect.NewRequest(&v1.DeleteIntegrationRequest{Id: id})); err != nil {
		t.Fatalf("delete: %v", err)
	}
}
