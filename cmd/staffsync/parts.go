package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	temporallog "go.temporal.io/sdk/log"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/metrics"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/tracing"
	"github.com/staffsync/staffsync/workers"
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// connections are the flags every server part shares.
type connections struct {
	databaseURL       string
	temporalAddress   string
	temporalNamespace string
	// plaintextTemporal ignores the TEMPORAL_TLS_* settings: dev's own Temporal on 127.0.0.1.
	plaintextTemporal bool
	// apiDatabase are the PostgreSQL timeouts of the API's own pool.
	apiDatabase store.SessionTimeouts
	// metrics is the process's registry: the Temporal client reports into it, the API and
	// the worker add theirs.
	metrics *metrics.Registry
	// tracing is on when the OTEL_* variables ask for it (nil: off).
	tracing *tracing.Tracing
	// logFormat is --log-format: text or json.
	logFormat *string
}

func (c *connections) register(fs *flag.FlagSet) {
	fs.StringVar(&c.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	fs.StringVar(&c.temporalAddress, "temporal-address", envOr("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (env TEMPORAL_ADDRESS)")
	fs.StringVar(&c.temporalNamespace, "temporal-namespace", envOr("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (env TEMPORAL_NAMESPACE)")
	registerIntegrationFlags(fs)
	c.logFormat = registerLogFormat(fs)
}

// logger is the logger of --log-format.
func (c *connections) logger() (*slog.Logger, error) { return serverLogger(*c.logFormat) }

func (c *connections) openStore(ctx context.Context) (*store.Store, error) {
	if c.databaseURL == "" {
		return nil, errors.New("no database: set DATABASE_URL or --database-url")
	}
	long, err := workerDatabaseSettings()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, c.databaseURL, store.WithLongTimeouts(long), store.WithTracerProvider(c.tracing.Provider()))
}

// openAPIStore opens the API's own pool, whose every connection has the API's short
// statement and lock timeouts.
func (c *connections) openAPIStore(ctx context.Context, t store.SessionTimeouts) (*store.Store, error) {
	long, err := workerDatabaseSettings()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, c.databaseURL, store.WithSessionTimeouts(t), store.WithLongTimeouts(long), store.WithTracerProvider(c.tracing.Provider()))
}

func (c *connections) dialTemporal(ctx context.Context, log *slog.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  c.temporalAddress,
		Namespace: c.temporalNamespace,
		Logger:    temporallog.NewStructuredLogger(quietTemporalLogger(log)),
	}
	if c.metrics != nil {
		opts.MetricsHandler = c.metrics.Temporal()
	}
	// Set on the client, the tracing interceptor also wraps the workers made from it.
	traced, err := c.tracing.TemporalInterceptor()
	if err != nil {
		return nil, err
	}
	if traced != nil {
		opts.Interceptors = append(opts.Interceptors, traced)
	}
	if !c.plaintextTemporal {
		security, err := temporalSecurityFromEnv()
		if err != nil {
			return nil, err
		}
		security.apply(&opts)
	}
	cl, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", c.temporalAddress, err)
	}
	return cl, nil
}

// quietTemporalLogger keeps the SDK's routine info lines out of the admin's terminal.
func quietTemporalLogger(log *slog.Logger) *slog.Logger {
	return slog.New(&minLevelHandler{Handler: log.Handler(), min: slog.LevelWarn})
}

type minLevelHandler struct {
	slog.Handler
	min slog.Level
}

func (h *minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h *minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &minLevelHandler{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h *minLevelHandler) WithGroup(name string) slog.Handler {
	return &minLevelHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}

// serveAPI runs the API on addr until ctx ends, then shuts down gracefully. The API has a
// pool of its own with short statement and lock timeouts; st serves the SFTP drop.
func serveAPI(ctx context.Context, log *slog.Logger, at apiListen, conn connections, st *store.Store, tc client.Client) error {
	box, err := loadSecretBox(log)
	if err != nil {
		return err
	}
	settings, err := apiSettingsFromEnv()
	if err != nil {
		return err
	}
	apiStore, err := conn.openAPIStore(ctx, settings.database)
	if err != nil {
		return err
	}
	defer apiStore.Close()
	cfg := api.Config{Store: apiStore, Temporal: tc, Log: log, Secrets: box, Limits: settings.limits,
		PublicURL: os.Getenv("STAFFSYNC_PUBLIC_URL")}
	if conn.metrics != nil {
		conn.metrics.WatchOperatorStats(apiStore.OperatorStats, 0)
		cfg.Metrics, cfg.ObserveRPC = conn.metrics.Handler(), conn.metrics.RPCFinished
	}
	if cfg.Trace, err = conn.tracing.ConnectInterceptor(); err != nil {
		return err
	}
	srv := api.NewHTTPServer(api.NewHandler(cfg), settings.timeouts)
	listener, err := at.listen(srv)
	if err != nil {
		return err
	}
	log.Info("API listening", "addr", listener.Addr().String(), "scheme", at.scheme())
	waitSFTP, err := startSFTPDrop(ctx, log, st, tc)
	if err != nil {
		listener.Close()
		return err
	}
	defer waitSFTP()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(listener) }()
	select {
	case err := <-errc:
		return fmt.Errorf("API server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// workerGCPercent is the worker's GOGC unless the environment sets one. A preview holds the
// records, the directory and the plan at once, briefly; collecting at 1.5x the live heap
// instead of 2x keeps the peak RSS of a 100,000-person import near 300 MiB for about 5% more
// CPU in planning.
const workerGCPercent = 50

// runWorkerUntil runs the worker until ctx ends.
func runWorkerUntil(ctx context.Context, st *store.Store, tc client.Client, conn connections) error {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(workerGCPercent)
	}
	acts := &activities.Activities{Store: st, Log: slog.Default()}
	if err := configureMail(acts); err != nil {
		return err
	}
	if err := configureIntegrations(acts, slog.Default()); err != nil {
		return err
	}
	if conn.tracing != nil {
		acts.Network.Trace = conn.tracing.Transport
	}
	var interceptors []interceptor.WorkerInterceptor
	if conn.metrics != nil {
		interceptors = append(interceptors, conn.metrics.ActivityTimings())
	}
	w := workers.New(tc, acts, interceptors...)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// openMigrated opens the store, applies migrations and dials Temporal: what serve and
// worker both need before they start. close releases both.
func (c *connections) openMigrated(ctx context.Context, log *slog.Logger) (st *store.Store, tc client.Client, closeAll func(), err error) {
	if st, err = c.openStore(ctx); err != nil {
		return nil, nil, nil, err
	}
	if err = st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	if tc, err = c.dialTemporal(ctx, log); err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return st, tc, func() { tc.Close(); st.Close() }, nil
}

func runServe(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var conn connections
	conn.register(fs)
	var at apiListen
	at.register(fs)
	registerSFTPFlags(fs, "", "staffsync_sftp_host_key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := conn.logger()
	if err != nil {
		return err
	}
	conn.metrics = metrics.New()
	stopTracing, err := conn.startTracing(ctx, log, "staffsync-api")
	if err != nil {
		return err
	}
	defer stopTracing()
	st, tc, closeAll, err := conn.openMigrated(ctx, log)
	if err != nil {
		return err
	}
	defer closeAll()
	return serveAPI(ctx, log, at, conn, st, tc)
}

func runWorker(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var conn connections
	conn.register(fs)
	metricsAddr := fs.String("metrics-addr", envOr("STAFFSYNC_METRICS_ADDR", defaultWorkerMetricsAddr), "where the worker serves /metrics and /healthz (env STAFFSYNC_METRICS_ADDR; \"off\" serves none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := conn.logger()
	if err != nil {
		return err
	}
	conn.metrics = metrics.New()
	stopTracing, err := conn.startTracing(ctx, log, "staffsync-worker")
	if err != nil {
		return err
	}
	defer stopTracing()
	st, tc, closeAll, err := conn.openMigrated(ctx, log)
	if err != nil {
		return err
	}
	defer closeAll()
	if *metricsAddr != "off" {
		wait, err := serveMetrics(ctx, log, *metricsAddr, conn.metrics)
		if err != nil {
			return err
		}
		defer wait()
	}
	log.Info("worker polling", "task_queue", workers.TaskQueue)
	return runWorkerUntil(ctx, st, tc, conn)
}

func runMigrate(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var conn connections
	conn.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := conn.logger()
	if err != nil {
		return err
	}
	st, err := conn.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	log.Info("migrations applied")
	return nil
}
