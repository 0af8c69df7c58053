package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// Temporal returns a client.MetricsHandler that records the SDK's metrics (requests,
// polls, workflow and activity task latencies, ...) in this registry.
//
// Prometheus wants one label set per metric name; the SDK mostly keeps its tags the same
// for a name. The first use of a name fixes its label names: a later use without one of
// them records it as "", and tags beyond them are dropped rather than failing.
func (r *Registry) Temporal() client.MetricsHandler {
	r.temporalOnce.Do(func() { r.temporal = &temporalVecs{reg: r.reg, vecs: map[string]*temporalVec{}} })
	return &temporalHandler{shared: r.temporal, tags: map[string]string{}}
}

type temporalHandler struct {
	shared *temporalVecs
	tags   map[string]string
}

type temporalVecs struct {
	reg  *prometheus.Registry
	mu   sync.Mutex
	vecs map[string]*temporalVec
}

type temporalVec struct {
	labels    []string
	counter   *prometheus.CounterVec
	gauge     *prometheus.GaugeVec
	histogram *prometheus.HistogramVec
}

// temporalBuckets span a fast poll answer to a long poll or a slow activity.
var temporalBuckets = []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

func (h *temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	maps.Copy(merged, tags)
	return &temporalHandler{shared: h.shared, tags: merged}
}

func (h *temporalHandler) Counter(name string) client.MetricsCounter {
	v, values := h.vec(name, "counter")
	if v == nil {
		return client.MetricsNopHandler.Counter(name)
	}
	c := v.counter.WithLabelValues(values...)
	return counterFunc(func(n int64) { c.Add(float64(n)) })
}

func (h *temporalHandler) Gauge(name string) client.MetricsGauge {
	v, values := h.vec(name, "gauge")
	if v == nil {
		return client.MetricsNopHandler.Gauge(name)
	}
	return gaugeFunc(v.gauge.WithLabelValues(values...).Set)
}

func (h *temporalHandler) Timer(name string) client.MetricsTimer {
	v, values := h.vec(name, "timer")
	if v == nil {
		return client.MetricsNopHandler.Timer(name)
	}
	o := v.histogram.WithLabelValues(values...)
	return timerFunc(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(n int64) { f(n) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

// vec finds or registers the metric of a name and kind and returns the label values of
// this handler's tags in its label order; nil when the name is taken by another kind.
func (h *temporalHandler) vec(name, kind string) (*temporalVec, []string) {
	s := h.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	key := promName(name)
	v, ok := s.vecs[key]
	if !ok {
		labels := slices.Sorted(maps.Keys(h.tags))
		for i, l := range labels {
			labels[i] = promName(l)
		}
		v = &temporalVec{labels: labels}
		help := "Temporal SDK metric " + name + "."
		var c prometheus.Collector
		switch kind {
		case "counter":
			v.counter = prometheus.NewCounterVec(prometheus.CounterOpts{Name: key + "_total", Help: help}, labels)
			c = v.counter
		case "gauge":
			v.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: key, Help: help}, labels)
			c = v.gauge
		default:
			v.histogram = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: key + "_seconds", Help: help, Buckets: temporalBuckets}, labels)
			c = v.histogram
		}
		if err := s.reg.Register(c); err != nil {
			v = &temporalVec{}
		}
		s.vecs[key] = v
	}
	if (kind == "counter" && v.counter == nil) || (kind == "gauge" && v.gauge == nil) || (kind == "timer" && v.histogram == nil) {
		return nil, nil
	}
	values := make([]string, len(v.labels))
	for k, val := range h.tags {
		if i := slices.Index(v.labels, promName(k)); i >= 0 {
			values[i] = val
		}
	}
	return v, values
}

// promName makes a metric or label name of the SDK's (already snake_case) valid for
// Prometheus.
func promName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
