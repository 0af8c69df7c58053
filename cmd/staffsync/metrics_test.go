package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/metrics"
)

// TestWorkerMetricsPort: the worker's own port serves /metrics and a liveness /healthz, and
// stops with the context.
func TestWorkerMetricsPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := serveMetrics(ctx, slog.New(slog.DiscardHandler), addr, metrics.New())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/metrics": "go_goroutines", "/healthz": "ok"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: %s, no %q", path, resp.Status, want)
		}
	}
	cancel()
	wait()
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Errorf("still serving after the context ended")
	}
}
