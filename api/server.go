// Package api serves the Connect RPC API (Connect, gRPC and gRPC-Web on one port): it
// authenticates callers, maps proto messages to the domain and back, and maps errors to
// Connect codes in one place.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/staffsync/staffsync/api/fileupload"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// Config wires the API.
type Config struct {
	Store    *store.Store
	Temporal client.Client
	Log      *slog.Logger
	// ApprovalTimeout overrides how long imports wait for approval (0 = 7 days).
	ApprovalTimeout time.Duration
	// ReconcileAfter: a read of an import that has not changed for this long checks that
	// its workflow still runs (0 = a minute; tests shorten it).
	ReconcileAfter time.Duration
	// Secrets seals integration credentials; nil (no STAFFSYNC_SECRET_KEY) refuses secrets.
	Secrets *secrets.Box
	// Limits bound message sizes, streams, uploads and failed authentication attempts.
	Limits Limits
	// Authenticate verifies a request's credential from its headers before its body is
	// read; nil checks the bearer token or session cookie in the store.
	Authenticate CredentialCheck
	// PublicURL is the console's address as browsers reach it (for the sign-in redirect and
	// Secure cookies); "" derives it from each request.
	PublicURL string
	// Metrics, when set, is served on GET /metrics without a credential (see README
	// "Issue 21: operating staffsync"); ObserveRPC is told every RPC's outcome.
	Metrics    http.Handler
	ObserveRPC RPCObserver
	// Trace (optional) traces every RPC; it runs first, so refusals are traced too.
	Trace connect.Interceptor
}

// NewHandler returns the HTTP handler of the API, including GET /healthz.
func NewHandler(cfg Config) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	limits := cfg.Limits.withDefaults()
	authz := newAuthInterceptor(cfg.Store, cfg.Log)
	// Outermost first: tracing, then counting, so refusals by the role check are traced
	// and counted too.
	var interceptors []connect.Interceptor
	if cfg.Trace != nil {
		interceptors = append(interceptors, cfg.Trace)
	}
	if cfg.ObserveRPC != nil {
		interceptors = append(interceptors, observeRPCs{observe: cfg.ObserveRPC})
	}
	auth := connect.WithInterceptors(append(interceptors, authz)...)
	// The read limit bounds the decompressed message too: a small gzip bomb stops there.
	unary := connect.WithReadMaxBytes(int(limits.MaxMessageBytes))
	mux := http.NewServeMux()
	imports := &ImportServer{Store: cfg.Store, Temporal: cfg.Temporal, Log: cfg.Log, ApprovalTimeout: cfg.ApprovalTimeout,
		ReconcileAfter: cfg.ReconcileAfter, watches: newCompanyCounter(limits.WatchStreamsPerCompany), watchLifetime: limits.WatchLifetime}
	mux.Handle(staffsyncv1connect.NewImportServiceHandler(imports, auth, unary))
	// StartImport carries the file in its message: only it gets the upload limit.
	_, startImport := staffsyncv1connect.NewImportServiceHandler(imports, auth, connect.WithReadMaxBytes(int(limits.MaxUploadMessageBytes)))
	mux.Handle(staffsyncv1connect.ImportServiceStartImportProcedure, startImport)
	upload := newUploadHandler(imports, authz, limits)
	upload.observe = cfg.ObserveRPC
	mux.Handle("POST "+fileupload.Path, upload)
	mux.Handle(staffsyncv1connect.NewDirectoryServiceHandler(&DirectoryServer{Store: cfg.Store, Log: cfg.Log, Temporal: cfg.Temporal}, auth, unary))
	mux.Handle(staffsyncv1connect.NewCycleServiceHandler(&CycleServer{Store: cfg.Store, Log: cfg.Log}, auth, unary))
	mux.Handle(staffsyncv1connect.NewIntegrationServiceHandler(&IntegrationServer{
		Store: cfg.Store, Temporal: cfg.Temporal, Log: cfg.Log, Secrets: cfg.Secrets,
	}, auth, unary))
	sealer := func() (*secrets.Box, error) { return sealerOf(cfg.Secrets) }
	mux.Handle(staffsyncv1connect.NewAccessServiceHandler(&AccessServer{Store: cfg.Store, Log: cfg.Log, Secrets: sealer}, auth, unary))
	(&oidcHandler{
		store: cfg.Store, log: cfg.Log, secrets: sealer, audit: authz, publicURL: cfg.PublicURL,
		now: time.Now, providers: map[string]cachedProvider{},
	}).register(mux)
	mux.Handle("GET "+PhotoPath, newPhotoHandler(cfg, authz))
	ready := &health{store: cfg.Store, temporal: cfg.Temporal}
	mux.Handle("GET /healthz", ready)
	mountGRPCTools(mux, ready)
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	mountConsole(mux)
	authenticate := cfg.Authenticate
	if authenticate == nil {
		authenticate = credentialCheck(authz.auth)
	}
	return &edge{next: mux, authenticate: authenticate, observe: cfg.ObserveRPC, served: servedProcedures(),
		failures: newFailureLimiter(limits.UnknownTokensPerMinute), limits: limits, errors: connect.NewErrorWriter()}
}

// health answers 200 only when PostgreSQL, Temporal and at least one worker are ready.
type health struct {
	store    *store.Store
	temporal client.Client
	cache    healthCache
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	checks, healthy := h.check(r.Context())
	w.Header().Set("Content-Type", "application/json")
	if !healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(checks)
}

// check runs the checks, or reuses the answer of the last second.
func (h *health) check(ctx context.Context) (map[string]string, bool) {
	return h.cache.get(func() (map[string]string, bool) { return h.run(context.WithoutCancel(ctx)) })
}

func (h *health) run(parent context.Context) (map[string]string, bool) {
	ctx, cancel := context.WithTimeout(parent, 3*time.Second)
	defer cancel()
	checks := map[string]string{"postgres": "ok", "temporal": "ok", "worker": "ok"}
	healthy := true
	if err := h.store.Ping(ctx); err != nil {
		checks["postgres"], healthy = "unreachable", false
	}
	if _, err := h.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		checks["temporal"], checks["worker"], healthy = "unreachable", "unknown", false
	} else {
		resp, err := h.temporal.DescribeTaskQueue(ctx, workflows.TaskQueue, enums.TASK_QUEUE_TYPE_WORKFLOW)
		if err != nil || len(resp.GetPollers()) == 0 {
			checks["worker"], healthy = "no worker polling the staffsync task queue", false
		}
	}
	return checks, healthy
}
