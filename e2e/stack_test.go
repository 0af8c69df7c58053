// Package e2e drives the real worker and API through the generated Connect clients, against
// a real PostgreSQL and a real Temporal dev server.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	temporallog "go.temporal.io/sdk/log"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/logcontext"
	"github.com/staffsync/staffsync/metrics"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/testenv"
	"github.com/staffsync/staffsync/tracing"
	"github.com/staffsync/staffsync/workers"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// stack is one database, one worker and one API server shared by the package's tests; the
// tests keep apart by using companies of their own, as real tenants do.
type stack struct {
	store    *store.Store
	temporal client.Client
	server   *httptest.Server
	dbURL    string
	// mail is the worker's mail sink: every email the stack delivers lands here.
	mail *recordingMailer
	// metrics is the registry the worker, the Temporal client and the API report into, as
	// in `staffsync dev`; the server serves it on /metrics.
	metrics *metrics.Registry
	// spans records the stack's ended spans (RPCs, Temporal, SQL) while a test asks.
	spans *spanRecorder
	// activityLogs holds the activities' log lines as JSON, as `--log-format json` writes them.
	activityLogs *logLines
}

var (
	sharedStackOnce sync.Once
	sharedStack     *stack
	sharedStackErr  error
)

func getStack(t *testing.T) *stack {
	t.Helper()
	dbURL := testenv.PostgresURL(t)
	temporalAddr := testenv.TemporalAddress(t)
	sharedStackOnce.Do(func() { sharedStack, sharedStackErr = startStack(dbURL, temporalAddr) })
	if sharedStackErr != nil {
		t.Fatalf("start stack: %v", sharedStackErr)
	}
	return sharedStack
}

func startStack(dbURL, temporalAddr string) (*stack, error) {
	ctx := context.Background()
	spans := &spanRecorder{}
	traces := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	st, err := store.Open(ctx, dbURL, store.WithTracerProvider(traces.Provider()))
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	reg := metrics.New()
	temporalTraces, err := traces.TemporalInterceptor()
	if err != nil {
		return nil, err
	}
	rpcTraces, err := traces.ConnectInterceptor()
	if err != nil {
		return nil, err
	}
	tc, err := client.Dial(client.Options{HostPort: temporalAddr, Logger: temporallog.NewStructuredLogger(log), MetricsHandler: reg.Temporal(),
		Interceptors: []interceptor.ClientInterceptor{temporalTraces}})
	if err != nil {
		return nil, fmt.Errorf("dial temporal: %w", err)
	}
	mail := &recordingMailer{}
	activityLogs := &logLines{}
	actLog := slog.New(logcontext.Handler(slog.NewJSONHandler(activityLogs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	w := workers.New(tc, &activities.Activities{Store: st, Mailer: mail, Log: actLog}, reg.ActivityTimings())
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	// Counts are read at every scrape here (a millisecond cache) so tests see them move.
	reg.WatchOperatorStats(st.OperatorStats, time.Millisecond)
	srv := httptest.NewServer(api.NewHandler(api.Config{Store: st, Temporal: tc, Log: log, Metrics: reg.Handler(), ObserveRPC: reg.RPCFinished, Trace: rpcTraces}))
	return &stack{store: st, temporal: tc, server: srv, dbURL: dbURL, mail: mail, metrics: reg, spans: spans, activityLogs: activityLogs}, nil
}

// tenant is one company seen through its admin's token.
type tenant struct {
	companyID int64
	url       string
	apiToken  string
	imports   staffsyncv1connect.ImportServiceClient
	people    staffsyncv1connect.DirectoryServiceClient
}

func (s *stack) newTenant(t *testing.T, name string) *tenant {
	t.Helper()
	id, token, err := s.store.CreateCompany(context.Background(), name, "admin of "+name)
	if err != nil {
		t.Fatalf("create company: %v", err)
	}
	return &tenant{
		companyID: id,
		url:       s.server.URL,
		apiToken:  token,
		imports:   staffsyncv1connect.NewImportServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(token))),
		people:    staffsyncv1connect.NewDirectoryServiceClient(http.DefaultClient, s.server.URL, connect.WithInterceptors(bearer(token))),
	}
}

func bearer(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	}
}

func (tn *tenant) start(t *testing.T, name string, content []byte, opts *v1.ImportOptions) *v1.Import {
	t.Helper()
	resp, err := tn.imports.StartImport(context.Background(), connect.NewRequest(&v1.StartImportRequest{FileName: name, Content: content, Options: opts}))
	if err != nil {
		t.Fatalf("start import: %v", err)
	}
	return resp.Msg.Import
}

// waitFor polls the import until it reaches one of the statuses.
func (tn *tenant) waitFor(t *testing.T, id string, want ...v1.ImportStatus) *v1.Import {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		resp, err := tn.imports.GetImport(context.Background(), connect.NewRequest(&v1.GetImportRequest{ImportId: id}))
		if err != nil {
			t.Fatalf("get import %s: %v", id, err)
		}
		for _, w := range want {
			if resp.Msg.Import.Status == w {
				return resp.Msg.Import
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s is %v, waited for %v", id, resp.Msg.Import.Status, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tn *tenant) approve(t *testing.T, im *v1.Import) *v1.Import {
	t.Helper()
	_, err := tn.imports.ApproveImport(context.Background(), connect.NewRequest(&v1.ApproveImportRequest{ImportId: im.Id, PreviewVersion: im.PreviewVersion}))
	if err != nil {
		t.Fatalf("approve import %s: %v", im.Id, err)
	}
	return tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_APPLIED, v1.ImportStatus_IMPORT_STATUS_FAILED)
}

func (tn *tenant) changes(t *testing.T, id string, kinds ...v1.ChangeKind) []*v1.Change {
	t.Helper()
	var out []*v1.Change
	token := ""
	for {
		resp, err := tn.imports.ListChanges(context.Background(), connect.NewRequest(&v1.ListChangesRequest{ImportId: id, Kinds: kinds, PageToken: token, PageSize: 1000}))
		if err != nil {
			t.Fatalf("list changes: %v", err)
		}
		out = append(out, resp.Msg.Changes...)
		if token = resp.Msg.NextPageToken; token == "" {
			return out
		}
	}
}

func (tn *tenant) allPeople(t *testing.T) []*v1.Person {
	t.Helper()
	var out []*v1.Person
	token := ""
	for {
		resp, err := tn.people.ListPeople(context.Background(), connect.NewRequest(&v1.ListPeopleRequest{Status: v1.PersonStatusFilter_PERSON_STATUS_FILTER_ALL, PageToken: token, PageSize: 1000}))
		if err != nil {
			t.Fatalf("list people: %v", err)
		}
		out = append(out, resp.Msg.People...)
		if token = resp.Msg.NextPageToken; token == "" {
			return out
		}
	}
}
