// Package metrics is staffsync's one door to Prometheus: the registry each process serves
// on /metrics (Go and process collectors included), the Temporal SDK's metrics, RPC
// outcomes, activity durations, and the operator counts read from PostgreSQL. Labels carry
// statuses, kinds, procedures and codes, never a company's or a person's data.
package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes staffsync's own metrics; the SDK's keep their temporal_ prefix.
const namespace = "staffsync"

// Registry holds one process's metrics.
type Registry struct {
	reg *prometheus.Registry
	rpc *prometheus.CounterVec
	// temporal is shared by every handler Temporal returns: a name is registered once.
	temporalOnce sync.Once
	temporal     *temporalVecs
}

// New returns a registry with the Go runtime and process collectors.
func New() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rpc := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "rpc_total",
		Help: "RPCs and uploads answered, by procedure and Connect code (ok for success); refusals before the body is read included.",
	}, []string{"procedure", "code"})
	reg.MustRegister(rpc)
	return &Registry{reg: reg, rpc: rpc}
}

// Handler serves the registry in the Prometheus text format. A failing collector is
// reported in the answer; the rest is still served.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, MaxRequestsInFlight: 4})
}

// RPCFinished counts one answered RPC. procedure must be a served procedure (a bounded
// set), code a Connect code name or "ok". Safe on a nil registry.
func (r *Registry) RPCFinished(procedure, code string) {
	if r == nil {
		return
	}
	r.rpc.WithLabelValues(procedure, code).Inc()
}
