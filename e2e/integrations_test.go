package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	pkgsftp "github.com/pkg/sftp"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/worker"
	"golang.org/x/crypto/ssh"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/api"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/sources/sftpdrop"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// The server settings the integration tests run with: a secret key, and private networks
// allowed because the test sources listen on 127.0.0.1.
func init() {
	key, err := secrets.GenerateKey()
	if err != nil {
		panic(err)
	}
	os.Setenv(secrets.KeyEnv, key)
	os.Setenv(activities.AllowPrivateNetworksEnv, "true")
}

// capturedLogs keeps everything the process logs through slog, to look for secrets.
var capturedLogs = struct {
	sync.Mutex
	bytes.Buffer
}{}

type logSink struct{}

func (logSink) Write(p []byte) (int, error) {
	capturedLogs.Lock()
	defer capturedLogs.Unlock()
	return capturedLogs.Write(p)
}

func captureLogs() {
	slog.SetDefault(slog.New(slog.NewTextHandler(logSink{}, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

type integrationTenant struct {
	*tenant
	integrations staffsyncv1connect.IntegrationServiceClient
}

func (s *stack) newIntegrationTenant(t *testing.T, name string) *integrationTenant {
	t.Helper()
	id, token, err := s.store.CreateCompany(context.Background(), name, "admin of "+name)
	if err != nil {
		t.Fatalf("create company: %v", err)
	}
	auth := connect.WithInterceptors(bearer(token))
	return &integrationTenant{
		tenant: &tenant{
			companyID: id,
			url:       s.server.URL,
			apiToken:  token,
			imports:   staffsyncv1connect.NewImportServiceClient(http.DefaultClient, s.server.URL, auth),
			people:    staffsyncv1connect.NewDirectoryServiceClient(http.DefaultClient, s.server.URL, auth),
		},
		integrations: staffsyncv1connect.NewIntegrationServiceClient(http.DefaultClient, s.server.URL, auth),
	}
}

// waitIntegration polls until cond holds.
func (tn *integrationTenant) waitIntegration(t *testing.T, id string, what string, cond func(*v1.Integration) bool) *v1.Integration {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := tn.integrations.GetIntegration(context.Background(), connect.NewRequest(&v1.GetIntegrationRequest{Id: id}))
		if err != nil {
			t.Fatalf("get integration %s: %v", id, err)
		}
		if cond(resp.Msg.Integration) {
			return resp.Msg.Integration
		}
		if time.Now().After(deadline) {
			t.Fatalf("integration %s: waited for %s; it is %+v", id, what, resp.Msg.Integration)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitRun waits for a finished run with an import other than after and returns it.
func (tn *integrationTenant) waitRun(t *testing.T, id, after, result string) *v1.Integration {
	t.Helper()
	return tn.waitIntegration(t, id, "a run with result "+result, func(in *v1.Integration) bool {
		return in.LastImportId != "" && in.LastImportId != after && in.LastResult == result && in.CurrentImportId == ""
	})
}

func peopleCSV(domain string, titles ...string) []byte {
	var b strings.Builder
	b.WriteString("First Name,Last Name,Title,Login Email,Department\n")
	for i, title := range titles {
		fmt.Fprintf(&b, "Person%d,Test,%s,p%d@%s,Ops\n", i, title, i, domain)
	}
	return []byte(b.String())
}

func (tn *integrationTenant) titles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range tn.allPeople(t) {
		out[p.Email] = p.Title
	}
	return out
}

// assertNoSecret checks API answers, Temporal histories and logs for a secret.
func assertNoSecret(t *testing.T, s *stack, companyID int64, secret string, answers ...any) {
	t.Helper()
	for _, a := range answers {
		raw, _ := json.Marshal(a)
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("an API answer contains the secret: %s", raw)
		}
	}
	ctx := context.Background()
	resp, err := s.temporal.ListWorkflow(ctx, listRequest(fmt.Sprintf("StaffsyncCompany = '%d'", companyID)))
	if err != nil {
		t.Fatalf("list workflows: %v", err)
	}
	if len(resp.Executions) == 0 {
		t.Fatal("no workflows of the company to check")
	}
	for _, ex := range resp.Executions {
		iter := s.temporal.GetWorkflowHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, false, 0)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				t.Fatalf("history of %s: %v", ex.Execution.WorkflowId, err)
			}
			raw, _ := json.Marshal(ev)
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("the history of %s contains the secret", ex.Execution.WorkflowId)
			}
		}
	}
	capturedLogs.Lock()
	defer capturedLogs.Unlock()
	if bytes.Contains(capturedLogs.Bytes(), []byte(secret)) {
		t.Error("the logs contain the secret")
	}
}

func TestHTTPSIntegrationSyncsPausesAndResumes(t *testing.T) {
	captureLogs()
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "https-sync")
	const password = "e2e-https-password-4821"
	var file atomic.Value
	file.Store(peopleCSV("https-sync.example", "Engineer", "Designer"))
	var downloads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "hr" || p != password {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		downloads.Add(1)
		_, _ = w.Write(file.Load().([]byte))
	}))
	defer srv.Close()
	ctx := context.Background()

	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "https", Name: "HR export", AutoApply: true,
		Settings: map[string]string{"url": srv.URL + "/people.csv", "username": "hr"},
		Secrets:  map[string]string{"password": password},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	in := tn.enableAutomaticRuns(t, created.Msg.Integration.Id)
	if in.Secrets["password"] != "set, ends in 4821" {
		t.Fatalf("secret hint %q", in.Secrets["password"])
	}

	first := tn.waitRun(t, in.Id, "", "applied")
	if got := tn.titles(t); got["p0@https-sync.example"] != "Engineer" || len(got) != 2 {
		t.Fatalf("after the first sync: %v", got)
	}

	file.Store(peopleCSV("https-sync.example", "Staff Engineer", "Designer", "Writer"))
	if _, err := tn.integrations.SyncNow(ctx, connect.NewRequest(&v1.SyncNowRequest{Id: in.Id})); err != nil {
		t.Fatalf("sync now: %v", err)
	}
	second := tn.waitRun(t, in.Id, first.LastImportId, "applied")
	if got := tn.titles(t); got["p0@https-sync.example"] != "Staff Engineer" || len(got) != 3 {
		t.Fatalf("after the second sync: %v", got)
	}

	paused, err := tn.integrations.PauseIntegration(ctx, connect.NewRequest(&v1.PauseIntegrationRequest{Id: in.Id, Reason: "review season"}))
	if err != nil {
		t.Fatalf("pause: %v", err)
	}
	if paused.Msg.Integration.State != v1.IntegrationState_INTEGRATION_STATE_PAUSED || paused.Msg.Integration.PausedReason != "review season" {
		t.Fatalf("paused: %+v", paused.Msg.Integration)
	}
	_, err = tn.integrations.SyncNow(ctx, connect.NewRequest(&v1.SyncNowRequest{Id: in.Id}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("sync while paused: %v", err)
	}
	file.Store(peopleCSV("https-sync.example", "Principal Engineer", "Designer", "Writer"))
	before := downloads.Load()
	time.Sleep(2 * time.Second)
	if downloads.Load() != before {
		t.Fatal("a paused integration downloaded the file")
	}
	if _, err := tn.integrations.ResumeIntegration(ctx, connect.NewRequest(&v1.ResumeIntegrationRequest{Id: in.Id})); err != nil {
		t.Fatalf("resume: %v", err)
	}
	tn.waitRun(t, in.Id, second.LastImportId, "applied")
	if got := tn.titles(t); got["p0@https-sync.example"] != "Principal Engineer" {
		t.Fatalf("after resume: %v", got)
	}

	shown, _ := tn.integrations.GetIntegration(ctx, connect.NewRequest(&v1.GetIntegrationRequest{Id: in.Id}))
	listed, _ := tn.integrations.ListIntegrations(ctx, connect.NewRequest(&v1.ListIntegrationsRequest{}))
	assertNoSecret(t, s, tn.companyID, password, created.Msg, shown.Msg, listed.Msg)

	replaySyncHistory(t, s, tn.companyID, in.Id, "https_paused_and_resumed")

	if _, err := tn.integrations.DeleteIntegration(ctx, connect.NewRequest(&v1.DeleteIntegrationRequest{Id: in.Id})); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

func TestSFTPDropUploadStartsImport(t *testing.T) {
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "sftp-drop")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	hostKey, err := sftpdrop.LoadOrCreateHostKey(t.TempDir() + "/host_key")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drop := &sftpdrop.Server{HostKey: hostKey, Backend: &sftpdrop.StoreBackend{Store: s.store,
		Trigger: func(ctx context.Context, companyID, integrationID int64) error {
			return api.SignalIntegration(ctx, s.temporal, companyID, integrationID, store.KindSFTPDrop, workflows.SignalSyncNow, nil)
		}}}
	go func() { _ = drop.Serve(ctx, l) }()

	user := fmt.Sprintf("drop%d", tn.companyID)
	created, err := tn.integrations.CreateIntegration(context.Background(), connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "sftp-drop", Name: "pushed by HRIS", AutoApply: true,
		Settings: map[string]string{"user": user, "authorized_keys": string(ssh.MarshalAuthorizedKey(signer.PublicKey()))},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := tn.enableAutomaticRuns(t, created.Msg.Integration.Id).Id
	// The first run finds no file and changes nothing.
	first := tn.waitIntegration(t, id, "a first empty run", func(in *v1.Integration) bool { return in.LastResult == workflows.ResultUnchanged })

	upload := func(name string, content []byte) {
		conn, err := ssh.Dial("tcp", l.Addr().String(), &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
			HostKeyCallback: ssh.FixedHostKey(hostKey.PublicKey()), Timeout: 10 * time.Second})
		if err != nil {
			t.Fatalf("ssh: %v", err)
		}
		defer conn.Close()
		c, err := pkgsftp.NewClient(conn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		f, err := c.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(content); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	upload("people.csv", peopleCSV("sftp-drop.example", "Engineer", "Designer"))
	applied := tn.waitRun(t, id, first.LastImportId, "applied")
	if got := tn.titles(t); got["p1@sftp-drop.example"] != "Designer" || len(got) != 2 {
		t.Fatalf("after the first upload: %v", got)
	}
	upload("people-2.csv", peopleCSV("sftp-drop.example", "Engineer", "Lead Designer"))
	tn.waitRun(t, id, applied.LastImportId, "applied")
	if got := tn.titles(t); got["p1@sftp-drop.example"] != "Lead Designer" {
		t.Fatalf("after the second upload: %v", got)
	}
}

func listRequest(query string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 1000}
}

// replaySyncHistory replays the live history of an integration's sync against the current
// code and, with STAFFSYNC_RECORD_HISTORIES=1, records it into workflows/testdata/.
func replaySyncHistory(t *testing.T, s *stack, companyID int64, integrationID, name string) {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(integrationID, &id); err != nil {
		t.Fatal(err)
	}
	hist := readHistory(t, s.temporal, workflows.IntegrationSyncWorkflowID(companyID, id))
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.IntegrationSync)
	replayer.RegisterWorkflow(workflows.Import)
	if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Fatalf("replay of the sync history against the current code: %v", err)
	}
	if os.Getenv(RecordHistoriesEnv) == "1" {
		raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "workflows", "testdata", "integration_sync_"+name+".json")
		if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %s (%d events)", path, len(hist.Events))
	}
}
