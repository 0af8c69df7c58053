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
	// Secrets seals integration credentials; nil (no STAFFSYNC_SECRET_KEY) refuses secrets.
	Secrets *secrets.Box
}

// NewHandler returns the HTTP handler of the API, including GET /healthz.
func NewHandler(cfg Config) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	auth := connect.WithInterceptors(&authInterceptor{store: cfg.Store})
	limits := connect.WithReadMaxBytes(MaxUploadBytes + 1<<20)
	mux := http.NewServeMux()
	imports := &ImportServer{Store: cfg.Store, Temporal: cfg.Temporal, Log: cfg.Log, ApprovalTimeout: cfg.ApprovalTimeout}
	mux.Handle(staffsyncv1connect.NewImportServiceHandler(imports, auth, limits))
	mux.Handle("POST "+fileupload.Path, newUploadHandler(imports, &authInterceptor{store: cfg.Store}))
	mux.Handle(staffsyncv1connect.NewDirectoryServiceHandler(&DirectoryServer{Store: cfg.Store, Log: cfg.Log, Temporal: cfg.Temporal}, auth))
	mux.Handle(staffsyncv1connect.NewCycleServiceHandler(&CycleServer{Store: cfg.Store, Log: cfg.Log}, auth))
	mux.Handle(staffsyncv1connect.NewIntegrationServiceHandler(&IntegrationServer{
		Store: cfg.Store, Temporal: cfg.Temporal, Log: cfg.Log, Secrets: cfg.Secrets,
	}, auth))
	mux.Handle("GET "+PhotoPath, newPhotoHandler(cfg, &authInterceptor{store: cfg.Store}))
	mux.Handle("GET /healthz", &health{store: cfg.Store, temporal: cfg.Temporal})
	mountConsole(mux)
	return mux
}

// health answers 200 only when PostgreSQL, Temporal and at least one worker are ready.
type health struct {
	store    *store.Store
	temporal client.Client
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
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
	w.Header().Set("Content-Type", "application/json")
	if !healthy {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(checks)
}
