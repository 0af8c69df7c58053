// Command staffsync-bench measures an import end to end against the floor, PostgreSQL's own
// bulk load of the same file. It starts a throwaway stack (PostgreSQL with fsync on, a
// Temporal dev server, `staffsync worker` and `staffsync serve` as separate processes),
// drives it through the Connect API like an admin would, and prints one table: seconds per
// step, the ratio to the floor, peak RSS of worker and API, PostgreSQL rows written to
// people and people_history, and Temporal history events. The table is also written as JSON.
//
//	go run ./bench/cmd/staffsync-bench            # 100,000 people
//	BENCH_PEOPLE=1000000 go run ./bench/cmd/staffsync-bench
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

type config struct {
	people     int
	dir        string
	keep       bool
	binary     string
	out        string
	cpuProfile string
	scenarios  string
	explain    time.Duration
}

func main() {
	var cfg config
	people, _ := strconv.Atoi(os.Getenv("BENCH_PEOPLE"))
	if people <= 0 {
		people = 100_000
	}
	flag.IntVar(&cfg.people, "people", people, "people in the generated company (env BENCH_PEOPLE)")
	flag.StringVar(&cfg.dir, "dir", "", "work directory for the stack, files and logs; the postgres and temporal data of an earlier run in it are removed (default: a new temporary directory)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory (logs, files, profiles) after the run")
	flag.StringVar(&cfg.binary, "staffsync", "", "staffsync binary to run (default: go build ./cmd/staffsync into the work directory)")
	flag.StringVar(&cfg.out, "out", filepath.Join("bench", "results.json"), "where to write the results as JSON")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write the worker's CPU profile of the whole run to this file")
	flag.StringVar(&cfg.scenarios, "scenarios", "new,noop,change,xlsx", "scenarios to run, comma-separated: new, noop, change, xlsx")
	flag.DurationVar(&cfg.explain, "explain", 0, "log the plans of statements slower than this to <dir>/postgres/postgres.log (auto_explain; 0 = off)")
	flag.IntVar(&maxUploadBytes, "max-upload", maxUploadBytes, "files larger than this are stored as rows instead of uploaded (the API refuses them)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	if err := run(ctx, log, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "staffsync-bench:", err)
		os.Exit(1)
	}
	log.Info("benchmark done", "took", time.Since(start).Round(time.Second))
}
