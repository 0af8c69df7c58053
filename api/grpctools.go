package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// apiServices are the services the API serves, as reflection lists them and the health
// service answers for them.
var apiServices = []string{
	staffsyncv1connect.ImportServiceName,
	staffsyncv1connect.DirectoryServiceName,
	staffsyncv1connect.CycleServiceName,
	staffsyncv1connect.IntegrationServiceName,
}

// The standard gRPC health and reflection services answer without a credential, as load
// balancers and grpcurl expect: they tell the schema (public in proto/) and whether the
// server is ready, never a company's data.
const (
	healthPathPrefix            = "/" + grpchealth.HealthV1ServiceName + "/"
	reflectionV1PathPrefix      = "/grpc.reflection.v1.ServerReflection/"
	reflectionV1AlphaPathPrefix = "/grpc.reflection.v1alpha.ServerReflection/"
	// publicGRPCMaxBytes bounds a health or reflection message: a service name or a
	// symbol, never more than a few hundred bytes.
	publicGRPCMaxBytes = 16 << 10
)

// isPublicGRPC says whether a path is one of the unauthenticated gRPC tool services.
func isPublicGRPC(path string) bool {
	return strings.HasPrefix(path, healthPathPrefix) ||
		strings.HasPrefix(path, reflectionV1PathPrefix) ||
		strings.HasPrefix(path, reflectionV1AlphaPathPrefix)
}

// mountGRPCTools serves grpc.health.v1.Health and server reflection (v1 and v1alpha).
func mountGRPCTools(mux *http.ServeMux, h *health) {
	limit := connect.WithReadMaxBytes(publicGRPCMaxBytes)
	reflector := grpcreflect.NewStaticReflector(append([]string{grpchealth.HealthV1ServiceName}, apiServices...)...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector, limit))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector, limit))
	mux.Handle(grpchealth.NewHandler(&healthChecker{health: h}, limit))
}

// healthChecker answers the gRPC health service from the same checks as /healthz: the
// server (service "") and each API service are SERVING only when PostgreSQL, Temporal and a
// worker are ready.
type healthChecker struct{ health *health }

func (c *healthChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	if req.Service != "" && !isAPIService(req.Service) {
		return nil, connect.NewError(connect.CodeNotFound, errUnknownService(req.Service))
	}
	if _, healthy := c.health.check(ctx); !healthy {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

func isAPIService(name string) bool {
	for _, s := range apiServices {
		if s == name {
			return true
		}
	}
	return false
}

type errUnknownService string

func (e errUnknownService) Error() string {
	return "unknown service " + string(e) + "; ask for \"\" or one of " + strings.Join(apiServices, ", ")
}

// healthCacheFor is how long one answer of the checks is reused: an unauthenticated caller
// hammering /healthz or the health service costs at most one round of checks per interval.
const healthCacheFor = time.Second

// healthCache remembers the last checks.
type healthCache struct {
	mu      sync.Mutex
	at      time.Time
	checks  map[string]string
	healthy bool
}

func (c *healthCache) get(run func() (map[string]string, bool)) (map[string]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.checks == nil || time.Since(c.at) >= healthCacheFor {
		c.checks, c.healthy = run()
		c.at = time.Now()
	}
	return c.checks, c.healthy
}
