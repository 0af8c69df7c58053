package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/devstack"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// crashStack is a stack of its own whose worker runs as a separate OS process, so the test
// can kill the worker and stop PostgreSQL without disturbing the shared stack.
type crashStack struct {
	t        *testing.T
	dir      string
	pgPort   int
	pg       *devstack.Postgres
	dbURL    string
	temporal *devstack.Temporal
	tc       client.Client
	store    *store.Store
	binary   string
	worker   *exec.Cmd
	workerMu sync.Mutex
	logs     *lockedBuffer
	imports  staffsyncv1connect.ImportServiceClient
	company  int64
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startCrashStack(t *testing.T) *crashStack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cs := &crashStack{t: t, dir: t.TempDir(), logs: &lockedBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("worker and server output:\n%s", cs.logs.String())
		}
	})

	build := make(chan error, 1)
	cs.binary = filepath.Join(cs.dir, "staffsync")
	go func() {
		out, err := exec.Command("go", "build", "-o", cs.binary, "github.com/staffsync/staffsync/cmd/staffsync").CombinedOutput()
		if err != nil {
			err = fmt.Errorf("build staffsync: %w: %s", err, out)
		}
		build <- err
	}()

	var err error
	if cs.pgPort, err = devstack.FreePort(); err != nil {
		t.Fatal(err)
	}
	cs.pg, err = devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: filepath.Join(cs.dir, "postgres"), Port: cs.pgPort, Log: cs.logs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.pg.Stop() })
	if cs.dbURL, err = cs.pg.CreateDatabase(ctx, "crash"); err != nil {
		t.Fatal(err)
	}
	cs.temporal, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{Dir: filepath.Join(cs.dir, "temporal"), Log: cs.logs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.temporal.Stop() })
	if cs.tc, err = client.Dial(client.Options{HostPort: cs.temporal.Address()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.tc.Close)
	if cs.store, err = store.Open(ctx, cs.dbURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.store.Close)
	if err := cs.store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(cs.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(api.NewHandler(api.Config{Store: cs.store, Temporal: cs.tc, Log: log}))
	t.Cleanup(srv.Close)
	id, token, err := cs.store.CreateCompany(ctx, "Crash Test Dummies", "admin")
	if err != nil {
		t.Fatal(err)
	}
	cs.company = id
	cs.imports = staffsyncv1connect.NewImportServiceClient(http.DefaultClient, srv.URL, connect.WithInterceptors(bearer(token)))
	if err := <-build; err != nil {
		t.Fatal(err)
	}
	cs.startWorker()
	t.Cleanup(cs.killWorker)
	return cs
}

// startWorker runs `staffsync worker` as its own process.
func (cs *crashStack) startWorker() {
	cs.workerMu.Lock()
	defer cs.workerMu.Unlock()
	cmd := exec.Command(cs.binary, "worker")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+cs.dbURL, "TEMPORAL_ADDRESS="+cs.temporal.Address(), "SMTP_URL=")
	cmd.Stdout, cmd.Stderr = cs.logs, cs.logs
	if err := cmd.Start(); err != nil {
		cs.t.Fatalf("start worker: %v", err)
	}
	cs.worker = cmd
}

// killWorker kills the worker with SIGKILL: no shutdown, no goodbye to Temporal or PostgreSQL.
func (cs *crashStack) killWorker() {
	cs.workerMu.Lock()
	defer cs.workerMu.Unlock()
	if cs.worker == nil {
		return
	}
	_ = cs.worker.Process.Signal(syscall.SIGKILL)
	_ = cs.worker.Wait()
	cs.worker = nil
}

func (cs *crashStack) get(id string) *v1.Import {
	cs.t.Helper()
	resp, err := cs.imports.GetImport(context.Background(), connect.NewRequest(&v1.GetImportRequest{ImportId: id}))
	if err != nil {
		cs.t.Fatalf("get import %s: %v", id, err)
	}
	return resp.Msg.Import
}

// waitUntil polls the import until ok, failing after timeout.
func (cs *crashStack) waitUntil(id string, timeout time.Duration, what string, ok func(*v1.Import) bool) *v1.Import {
	cs.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		im := cs.get(id)
		if ok(im) {
			return im
		}
		if im.Status == v1.ImportStatus_IMPORT_STATUS_FAILED || time.Now().After(deadline) {
			cs.t.Fatalf("import %s is %v (%s; progress %s %d/%d), waited for %s", id, im.Status, im.ErrorMessage, im.ProgressPhase, im.RowsProcessed, im.ProgressTotal, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startAndApprove uploads content, waits for the preview, approves it and waits until the
// worker is inside the apply transaction.
func (cs *crashStack) startAndApprove(content []byte, wantSummary func(*v1.Summary) bool) *v1.Import {
	cs.t.Helper()
	ctx := context.Background()
	resp, err := cs.imports.StartImport(ctx, connect.NewRequest(&v1.StartImportRequest{FileName: "people.csv", Content: content}))
	if err != nil {
		cs.t.Fatal(err)
	}
	im := cs.waitUntil(resp.Msg.Import.Id, time.Minute, "the preview", func(im *v1.Import) bool {
		return im.Status == v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL
	})
	if !wantSummary(im.Summary) {
		cs.t.Fatalf("preview summary = %v", im.Summary)
	}
	if _, err := cs.imports.ApproveImport(ctx, connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion})); err != nil {
		cs.t.Fatal(err)
	}
	return cs.waitUntil(im.Id, 30*time.Second, "the apply to start", func(im *v1.Import) bool {
		return im.ProgressPhase == "applying" || im.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED
	})
}

// count runs a counting query on the crash stack's database, beside the API, to check
// what is really stored.
func (cs *crashStack) count(query string, args ...any) int64 {
	cs.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, cs.dbURL)
	if err != nil {
		cs.t.Fatalf("connect to check the database: %v", err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		cs.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkApplied asserts the import applied every change exactly once.
func (cs *crashStack) checkApplied(id string, people int64, title string) {
	cs.t.Helper()
	checks := []struct {
		what  string
		query string
		want  int64
	}{
		{"people", `SELECT count(*) FROM people WHERE company_id = $1`, people},
		{"distinct emails", `SELECT count(DISTINCT lower(email)) FROM people WHERE company_id = $1`, people},
		{"people with the new title", `SELECT count(*) FROM people WHERE company_id = $1 AND title = '` + title + `'`, people},
		{"history rows of the import", `SELECT count(*) FROM people_history WHERE company_id = $1 AND import_id = ` + id, people},
		{"people in the import's history", `SELECT count(DISTINCT person_id) FROM people_history WHERE company_id = $1 AND import_id = ` + id, people},
	}
	for _, c := range checks {
		if got := cs.count(c.query, cs.company); got != c.want {
			cs.t.Errorf("%s = %d, want %d", c.what, got, c.want)
		}
	}
}

// checkSmallHistory asserts the import's Temporal history stays small and holds no email.
func (cs *crashStack) checkSmallHistory(id, domain string) {
	cs.t.Helper()
	var n int64
	fmt.Sscan(id, &n)
	wid := workflows.ImportWorkflowID(cs.company, n)
	var result workflows.ImportResult
	if err := cs.tc.GetWorkflow(context.Background(), wid, "").Get(context.Background(), &result); err != nil {
		cs.t.Fatalf("workflow %s: %v", wid, err)
	}
	hist := readHistory(cs.t, cs.tc, wid)
	raw, err := protojson.Marshal(hist)
	if err != nil {
		cs.t.Fatal(err)
	}
	if len(hist.Events) >= 100 || len(raw) >= 64<<10 || strings.Contains(string(raw), domain) {
		cs.t.Errorf("history of import %s: %d events, %d bytes, email inside: %v; want < 100 events, < 64 KiB, no email",
			id, len(hist.Events), len(raw), strings.Contains(string(raw), domain))
	}
	cs.t.Logf("import %s: %d history events, %d bytes, result %s with %d people written", id, len(hist.Events), len(raw), result.Status, result.PeopleWritten)
}

// withTitle rewrites every row's title, so that a second import updates everyone.
func withTitle(t *testing.T, file []byte, title string) []byte {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records[1:] {
		r[3] = title
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(records)
	return b.Bytes()
}

// TestApplySurvivesWorkerKillAndDatabaseOutage kills the worker process in the middle of
// applying 50,000 new people, then stops PostgreSQL for 20 s in the middle of updating them
// all: both imports end applied, with every person and every history row exactly once.
func TestApplySurvivesWorkerKillAndDatabaseOutage(t *testing.T) {
	if raceEnabled {
		// The code under test runs in the worker process, a binary built without -race: the
		// race pass would only repeat the normal pass's 90 seconds.
		t.Skip("covered by the normal pass: the worker under test is a separate binary built without -race")
	}
	const rows = 50_000
	const domain = "crash.example"
	cs := startCrashStack(t)
	file := generatedPeople(rows, domain)

	begun := time.Now()
	first := cs.startAndApprove(file, func(s *v1.Summary) bool { return s.New == rows })
	if first.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("the apply finished before the worker could be killed; make the import larger")
	}
	time.Sleep(300 * time.Millisecond)
	cs.killWorker()
	killedAt := time.Now()
	// Nothing is half-applied: the killed transaction is rolled back as a whole.
	time.Sleep(time.Second)
	if im := cs.get(first.Id); im.Status != v1.ImportStatus_IMPORT_STATUS_APPLYING {
		t.Fatalf("after the kill the import is %v, want still applying (the kill came too late)", im.Status)
	}
	if n := cs.count(`SELECT count(*) FROM people WHERE company_id = $1`, cs.company); n != 0 {
		t.Fatalf("after the kill %d people exist, want 0 (a half-applied import)", n)
	}
	cs.startWorker()
	cs.waitUntil(first.Id, 90*time.Second, "applied after the worker restart", func(im *v1.Import) bool {
		return im.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED
	})
	t.Logf("worker kill: applied %v after the kill (%v in total)", time.Since(killedAt).Round(time.Millisecond), time.Since(begun).Round(time.Millisecond))
	cs.checkApplied(first.Id, rows, "Engineer")
	cs.checkSmallHistory(first.Id, domain)

	begun = time.Now()
	second := cs.startAndApprove(withTitle(t, file, "Staff Engineer"), func(s *v1.Summary) bool { return s.Updated == rows })
	if second.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("the apply finished before PostgreSQL could be stopped; make the import larger")
	}
	time.Sleep(300 * time.Millisecond)
	if err := cs.pg.Stop(); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	time.Sleep(20 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: filepath.Join(cs.dir, "postgres"), Port: cs.pgPort, Log: cs.logs})
	if err != nil {
		t.Fatalf("start PostgreSQL again: %v", err)
	}
	cs.pg = pg
	restartedAt := time.Now()
	cs.waitUntil(second.Id, 90*time.Second, "applied after the database came back", func(im *v1.Import) bool {
		return im.Status == v1.ImportStatus_IMPORT_STATUS_APPLIED
	})
	t.Logf("database outage: applied %v after PostgreSQL came back (%v in total)", time.Since(restartedAt).Round(time.Millisecond), time.Since(begun).Round(time.Millisecond))
	cs.checkApplied(second.Id, rows, "Staff Engineer")
	cs.checkSmallHistory(second.Id, domain)
}
