package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/staffsync/staffsync/devstack"
	"github.com/staffsync/staffsync/metrics"
	"github.com/staffsync/staffsync/store"
)

// Files staffsync dev keeps in its directory.
const (
	devTokenFile       = "token"
	devDatabaseURLFile = "database_url"
	defaultDevDir      = ".staffsync/dev"
)

func runDev(ctx context.Context, log *slog.Logger, args []string) error {
	flags := flag.NewFlagSet("dev", flag.ContinueOnError)
	dir := flags.String("dir", defaultDevDir, "where the local stack keeps its data")
	pgPort := flags.Int("pg-port", 55432, "PostgreSQL port on 127.0.0.1")
	temporalPort := flags.Int("temporal-port", 7233, "Temporal frontend port on 127.0.0.1")
	uiPort := flags.Int("ui-port", 8233, "Temporal web UI port")
	apiAddr := flags.String("api-addr", "127.0.0.1:8080", "API listen address")
	registerIntegrationFlags(flags)
	registerSFTPFlags(flags, "127.0.0.1:2022", "")
	withFakeHRIS := flags.Bool("fake-hris", false, "also serve fake BambooHR and Personio APIs with demo companies on 127.0.0.1 (allows private networks)")
	logFormat := registerLogFormat(flags)
	if err := flags.Parse(args); err != nil {
		return err
	}
	log, err := serverLogger(*logFormat)
	if err != nil {
		return err
	}
	if *withFakeHRIS {
		// The fakes listen on loopback, which integrations may only reach with this on.
		allowPrivateNetworks = true
	}
	absDir, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("dev dir: %w", err)
	}
	if err := os.MkdirAll(absDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", absDir, err)
	}
	if err := ensureDevSecretKey(absDir); err != nil {
		return err
	}
	if sftpHostKeyPath == "" {
		sftpHostKeyPath = filepath.Join(absDir, "sftp_host_key")
	}
	logFile, err := os.OpenFile(filepath.Join(absDir, "servers.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logFile.Close()

	startCtx, cancelStart := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelStart()
	log.Info("starting PostgreSQL", "port", *pgPort)
	pg, err := devstack.StartPostgres(startCtx, devstack.PostgresOptions{Dir: filepath.Join(absDir, "postgres"), Port: *pgPort, Fsync: true, Log: logFile})
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer stopLogged(log, "PostgreSQL", pg.Stop)
	log.Info("starting Temporal dev server", "port", *temporalPort, "ui_port", *uiPort)
	tmp, err := devstack.StartTemporal(startCtx, devstack.TemporalOptions{Dir: filepath.Join(absDir, "temporal"), Port: *temporalPort, UIPort: *uiPort, Log: logFile})
	if err != nil {
		return fmt.Errorf("start Temporal: %w", err)
	}
	defer stopLogged(log, "Temporal", tmp.Stop)

	conn := connections{databaseURL: pg.URL(), temporalAddress: tmp.Address(), temporalNamespace: devstack.TemporalNamespace, plaintextTemporal: true, metrics: metrics.New()}
	stopTracing, err := conn.startTracing(ctx, log, "staffsync-dev")
	if err != nil {
		return err
	}
	defer stopTracing()
	st, err := conn.openStore(startCtx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(startCtx); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(absDir, devDatabaseURLFile), []byte(pg.URL()+"\n"), 0o600); err != nil {
		return fmt.Errorf("write database url: %w", err)
	}
	token, created, err := demoToken(startCtx, st, absDir)
	if err != nil {
		return err
	}
	tc, err := conn.dialTemporal(startCtx, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	var wg sync.WaitGroup
	runCtx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	errc := make(chan error, 2)
	wg.Add(2)
	devMailLog = filepath.Join(absDir, "mail.log")
	log.Info("password emails are written to a file instead of sent", "path", devMailLog)
	var fakes *fakeHRIS
	if *withFakeHRIS {
		if fakes, err = startFakeHRIS(runCtx, log, absDir); err != nil {
			return err
		}
	}
	go func() { defer wg.Done(); errc <- runWorkerUntil(runCtx, st, tc, conn) }()
	go func() { defer wg.Done(); errc <- serveAPI(runCtx, log, apiListen{addr: *apiAddr}, conn, st, tc) }()

	printDevBanner(absDir, *apiAddr, tmp.UIURL(), tmp.Address(), pg.URL(), token, created)
	if fakes != nil {
		fakes.printBanner(os.Stdout)
	}
	var firstErr error
	select {
	case <-ctx.Done():
		log.Info("stopping")
	case firstErr = <-errc:
	}
	stopAll()
	wg.Wait()
	if fakes != nil {
		fakes.wait()
	}
	return firstErr
}

func stopLogged(log *slog.Logger, what string, stop func() error) {
	if err := stop(); err != nil {
		log.Warn("stop "+what, "error", err)
	}
}

// demoToken creates the company "Demo" with an admin token on the first start and keeps the
// token in <dir>/token; later starts reuse it.
func demoToken(ctx context.Context, st *store.Store, dir string) (token string, created bool, err error) {
	path := filepath.Join(dir, devTokenFile)
	raw, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(raw)) != "" {
		token = strings.TrimSpace(string(raw))
		if _, err := st.Authenticate(ctx, token); err == nil {
			return token, false, nil
		}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	_, token, err = st.CreateCompany(ctx, "Demo", "Demo admin")
	if err != nil {
		return "", false, err
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("write %s: %w", path, err)
	}
	return token, true, nil
}

func printDevBanner(dir, apiAddr, uiURL, temporalAddr, dbURL, token string, created bool) {
	companyNote := "company \"Demo\" (existing)"
	if created {
		companyNote = "company \"Demo\" created"
	}
	fmt.Printf(`
staffsync dev is running. Ctrl-C stops everything; data stays in %s.

  API (Connect/gRPC)  http://%s       health: http://%s/healthz
  Temporal UI         %s
  Temporal frontend   %s (namespace default)
  PostgreSQL          %s
  Admin token         %s/%s (%s)

Try, in another shell:
  go run ./cmd/staffsyncctl import start examples/people.csv --wait
  go run ./cmd/staffsyncctl import approve <import id> --wait
  go run ./cmd/staffsyncctl people list
`, dir, apiAddr, apiAddr, uiURL, temporalAddr, dbURL, dir, devTokenFile, companyNote)
}
