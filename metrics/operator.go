package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/staffsync/staffsync/store"
)

// OperatorStats reads the operator counts (store.Store.OperatorStats).
type OperatorStats func(ctx context.Context) (store.OperatorStats, error)

// operatorCacheFor is how long one read of the counts is reused: /metrics needs no
// credential, so a flood of scrapes costs one round of aggregate queries per interval.
const operatorCacheFor = 10 * time.Second

// operatorQueryTimeout bounds one read; a slow database shows as a scrape error.
const operatorQueryTimeout = 5 * time.Second

// WatchOperatorStats adds the counts from PostgreSQL: imports by source and status, rows
// read, changes applied by kind, imports awaiting approval and the oldest one's age,
// integrations by kind and state (paused, failing) with their consecutive failures, the
// last run's result by kind, and outbox emails waiting and sent. They are the same from
// every process; serve them from the API (max() over replicas in queries).
// cacheFor is how long one read is reused (0: ten seconds).
func (r *Registry) WatchOperatorStats(read OperatorStats, cacheFor time.Duration) {
	if cacheFor <= 0 {
		cacheFor = operatorCacheFor
	}
	r.reg.MustRegister(&operatorCollector{read: read, cacheFor: cacheFor})
}

type operatorCollector struct {
	read     OperatorStats
	cacheFor time.Duration
	mu       sync.Mutex
	at       time.Time
	last     store.OperatorStats
	err      error
}

var (
	descImports = prometheus.NewDesc(namespace+"_imports", "Imports by source and status (terminal statuses only grow).",
		[]string{"source", "status"}, nil)
	descRowsRead = prometheus.NewDesc(namespace+"_import_rows_read", "Rows read by imports, by source and status.",
		[]string{"source", "status"}, nil)
	descChanges = prometheus.NewDesc(namespace+"_import_changes_applied", "Changes of applied imports by kind.",
		[]string{"kind"}, nil)
	descAwaiting = prometheus.NewDesc(namespace+"_imports_awaiting_approval", "Imports waiting for an admin's decision.", nil, nil)
	descOldest   = prometheus.NewDesc(namespace+"_import_awaiting_approval_oldest_seconds",
		"How long the oldest import awaiting approval has waited (0 when none waits).", nil, nil)
	descIntegrations = prometheus.NewDesc(namespace+"_integrations", "Integrations by kind and state (active, failing, paused).",
		[]string{"kind", "state"}, nil)
	descFailures = prometheus.NewDesc(namespace+"_integration_consecutive_failures",
		"Consecutive failed runs summed over the integrations of a kind and state.", []string{"kind", "state"}, nil)
	descMaxFailures = prometheus.NewDesc(namespace+"_integration_consecutive_failures_max",
		"The most consecutive failed runs of one integration of a kind and state.", []string{"kind", "state"}, nil)
	descLastResult = prometheus.NewDesc(namespace+"_integration_last_run", "Integrations by kind and the result of their last run.",
		[]string{"kind", "result"}, nil)
	descEmails = prometheus.NewDesc(namespace+"_outbox_emails", "Outbox emails by state (waiting, sent).", []string{"state"}, nil)
	descUp     = prometheus.NewDesc(namespace+"_operator_stats_up", "1 when the counts above could be read from PostgreSQL.", nil, nil)
)

func (c *operatorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descImports, descRowsRead, descChanges, descAwaiting, descOldest, descIntegrations,
		descFailures, descMaxFailures, descLastResult, descEmails, descUp} {
		ch <- d
	}
}

func (c *operatorCollector) Collect(ch chan<- prometheus.Metric) {
	s, err := c.stats()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	for _, im := range s.Imports {
		ch <- prometheus.MustNewConstMetric(descImports, prometheus.GaugeValue, float64(im.Imports), im.Source, im.Status)
		ch <- prometheus.MustNewConstMetric(descRowsRead, prometheus.GaugeValue, float64(im.RowsRead), im.Source, im.Status)
	}
	for kind, n := range s.Changes {
		ch <- prometheus.MustNewConstMetric(descChanges, prometheus.GaugeValue, float64(n), kind)
	}
	ch <- prometheus.MustNewConstMetric(descAwaiting, prometheus.GaugeValue, float64(s.AwaitingApproval))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, s.OldestAwaitingApproval.Seconds())
	for _, in := range s.Integrations {
		ch <- prometheus.MustNewConstMetric(descIntegrations, prometheus.GaugeValue, float64(in.Integrations), in.Kind, in.State)
		ch <- prometheus.MustNewConstMetric(descFailures, prometheus.GaugeValue, float64(in.ConsecutiveFailures), in.Kind, in.State)
		ch <- prometheus.MustNewConstMetric(descMaxFailures, prometheus.GaugeValue, float64(in.MaxConsecutiveFailures), in.Kind, in.State)
	}
	for _, r := range s.LastResults {
		ch <- prometheus.MustNewConstMetric(descLastResult, prometheus.GaugeValue, float64(r.Integrations), r.Kind, r.Result)
	}
	ch <- prometheus.MustNewConstMetric(descEmails, prometheus.GaugeValue, float64(s.EmailsWaiting), "waiting")
	ch <- prometheus.MustNewConstMetric(descEmails, prometheus.GaugeValue, float64(s.EmailsSent), "sent")
}

// stats reads the counts, or reuses the read of the last interval.
func (c *operatorCollector) stats() (store.OperatorStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= c.cacheFor {
		ctx, cancel := context.WithTimeout(context.Background(), operatorQueryTimeout)
		c.last, c.err = c.read(ctx)
		cancel()
		c.at = time.Now()
	}
	return c.last, c.err
}
