package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/metrics"
	"github.com/staffsync/staffsync/tracing"
)

// defaultWorkerMetricsAddr is where the worker serves /metrics unless told otherwise; the
// API serves its metrics on its own port.
const defaultWorkerMetricsAddr = "127.0.0.1:9090"

// serveMetrics serves reg's /metrics (and /healthz answering 200 while the process runs,
// for a liveness probe) on addr until ctx ends.
func serveMetrics(ctx context.Context, log *slog.Logger, addr string, reg *metrics.Registry) (wait func(), err error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", reg.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	srv := api.NewHTTPServer(mux, api.ServerTimeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 30 * time.Second})
	log.Info("metrics listening", "addr", listener.Addr().String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	return func() { <-done }, nil
}

// startTracing turns tracing on when the OTEL_* variables ask for it; stop flushes the
// spans still buffered.
func (c *connections) startTracing(ctx context.Context, log *slog.Logger, service string) (stop func(), err error) {
	if c.tracing, err = tracing.FromEnv(ctx, service); err != nil {
		return nil, err
	}
	if c.tracing == nil {
		return func() {}, nil
	}
	log.Info("tracing on", "service", service)
	return func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.tracing.Shutdown(flushCtx); err != nil {
			log.Warn("could not send the last traces", "err", err)
		}
	}, nil
}
