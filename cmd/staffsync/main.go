// Command staffsync runs the staffsync server parts: the API (serve), the Temporal worker
// (worker), database migrations (migrate), admin tasks (admin), and a complete local stack
// (dev). Configuration comes from flags and the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `staffsync keeps a people directory in step with spreadsheets and HR systems.

Usage:
  staffsync dev      [flags]   run PostgreSQL, Temporal, the worker and the API locally
  staffsync serve    [flags]   run the Connect API
  staffsync worker   [flags]   run the Temporal worker
  staffsync migrate  [flags]   apply database migrations
  staffsync admin create-company NAME [--dir DIR]
  staffsync admin create-token --company ID [--dir DIR]

Environment: DATABASE_URL, TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE
(default "default"), STAFFSYNC_HTTP_ADDR, STAFFSYNC_SECRET_KEY (base64 of 32 bytes; encrypts
integration credentials), STAFFSYNC_ALLOW_PRIVATE_NETWORKS, STAFFSYNC_SFTP_ADDR,
STAFFSYNC_TLS_CERT/STAFFSYNC_TLS_KEY (serve over TLS), STAFFSYNC_METRICS_ADDR (the worker's
/metrics), STAFFSYNC_LOG_FORMAT (text or json), OTEL_EXPORTER_OTLP_ENDPOINT (traces); Temporal
over TLS: TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_API_KEY; the API's
limits and timeouts (STAFFSYNC_HTTP_*, STAFFSYNC_UPLOAD_*, ...) are listed in the README,
"Securing a deployment". Run 'staffsync COMMAND -h' for a command's flags.
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile, err := startCPUProfile(os.Getenv("STAFFSYNC_CPUPROFILE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "staffsync:", err)
		os.Exit(1)
	}
	err = run(ctx, log, os.Args[1:])
	stopProfile()
	if err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "staffsync:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "dev":
		return runDev(ctx, log, args[1:])
	case "serve":
		return runServe(ctx, log, args[1:])
	case "worker":
		return runWorker(ctx, log, args[1:])
	case "migrate":
		return runMigrate(ctx, log, args[1:])
	case "admin":
		return runAdmin(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	return errUsage
}
