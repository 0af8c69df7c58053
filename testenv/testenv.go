// Package testenv gives tests real PostgreSQL databases and a real Temporal
// dev server. Servers are started once per test binary (through package
// devstack) and stopped when it ends, so a package using testenv must run
// its tests through Main:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
//
// DATABASE_URL and TEMPORAL_ADDRESS point the helpers at existing servers
// instead. Tests never skip when a server cannot be had: they fail with the
// reason.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/staffsync/staffsync/devstack"
)

// Environment variables that select existing servers.
const (
	DatabaseURLEnv     = "DATABASE_URL"
	TemporalAddressEnv = "TEMPORAL_ADDRESS"
)

const (
	startTimeout = 2 * time.Minute
	// startAttempts covers another process taking the port that
	// devstack.FreePort found free before our server binds it.
	startAttempts = 3
)

var (
	mainRunning atomic.Bool

	postgresOnce sync.Once
	postgres     *postgresEnv
	postgresErr  error

	temporalOnce    sync.Once
	temporalServer  *devstack.Temporal
	temporalAddress string
	temporalDir     string
	temporalErr     error
)

// Main runs the tests, then drops the databases made on DATABASE_URL and
// stops the servers this binary started. It returns the exit code for
// os.Exit: a failed cleanup turns a passing run into a failure.
func Main(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cleanup(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: cleaning up test servers: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func cleanup(ctx context.Context) error {
	var errs []error
	if postgres != nil {
		errs = append(errs, postgres.close(ctx))
	}
	if temporalServer != nil {
		errs = append(errs, temporalServer.Stop())
	}
	if temporalDir != "" {
		errs = append(errs, os.RemoveAll(temporalDir))
	}
	return errors.Join(errs...)
}

func requireMain(t testing.TB) {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatalf("testenv: the servers would outlive this test binary: add `func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }` to this package's tests")
	}
}

// PostgresURL returns the URL of a new, empty database for this test. With
// DATABASE_URL set the database is created on that server and dropped when
// the test binary ends; otherwise it is created on a throwaway cluster (fsync
// off) that this test binary starts on first use and stops at the end.
func PostgresURL(t testing.TB) string {
	t.Helper()
	requireMain(t)
	postgresOnce.Do(func() { postgres, postgresErr = startPostgresEnv() })
	if postgresErr != nil {
		t.Fatalf("testenv: no PostgreSQL for tests: %v", postgresErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url, err := postgres.createDatabase(ctx, t.Name())
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return url
}

// TemporalAddress returns the host:port of a Temporal server whose "default"
// namespace has the staffsync search attributes: TEMPORAL_ADDRESS when set,
// else a headless dev server started on first use and stopped when the test
// binary ends. Tests share the namespace, so they should use unique workflow
// ids and task queues.
func TemporalAddress(t testing.TB) string {
	t.Helper()
	requireMain(t)
	temporalOnce.Do(func() {
		if address := os.Getenv(TemporalAddressEnv); address != "" {
			temporalAddress = address
			return
		}
		temporalErr = startTemporal()
	})
	if temporalErr != nil {
		t.Fatalf("testenv: no Temporal server for tests: %v (or set %s to an existing server)", temporalErr, TemporalAddressEnv)
	}
	return temporalAddress
}

func startTemporal() error {
	bin, err := devstack.TemporalBinary()
	if err != nil {
		return err
	}
	if temporalDir, err = os.MkdirTemp("", "staffsync-testenv-temporal-"); err != nil {
		return fmt.Errorf("create a directory for the Temporal dev server: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		port, err := devstack.FreePort()
		if err != nil {
			return err
		}
		server, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{Bin: bin, Dir: temporalDir, Port: port})
		if err == nil {
			temporalServer, temporalAddress = server, server.Address()
			return nil
		}
		if attempt == startAttempts || ctx.Err() != nil {
			return err
		}
	}
}

// postgresEnv is the server the test databases are made on.
type postgresEnv struct {
	adminURL string // a database on the server to connect to for CREATE/DROP DATABASE
	cluster  *devstack.Postgres
	tempDir  string
	// namePrefix keeps the databases of test binaries sharing one
	// DATABASE_URL server apart.
	namePrefix string

	mu        sync.Mutex
	databases []string
}

func startPostgresEnv() (*postgresEnv, error) {
	prefix, err := randomPrefix()
	if err != nil {
		return nil, err
	}
	if url := os.Getenv(DatabaseURLEnv); url != "" {
		return &postgresEnv{adminURL: url, namePrefix: prefix}, nil
	}
	tempDir, err := os.MkdirTemp("", "staffsync-testenv-postgres-")
	if err != nil {
		return nil, fmt.Errorf("create a directory for the throwaway cluster: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		port, err := devstack.FreePort()
		if err == nil {
			var cluster *devstack.Postgres
			cluster, err = devstack.StartPostgres(ctx, devstack.PostgresOptions{Dir: tempDir + "/data", Port: port})
			if err == nil {
				return &postgresEnv{adminURL: cluster.URL(), cluster: cluster, tempDir: tempDir, namePrefix: prefix}, nil
			}
		}
		if attempt == startAttempts || ctx.Err() != nil {
			return nil, errors.Join(fmt.Errorf("%w (or set %s to an existing server)", err, DatabaseURLEnv), os.RemoveAll(tempDir))
		}
	}
}

func randomPrefix() (string, error) {
	random := make([]byte, 4)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("make a database name prefix: %w", err)
	}
	return "test_" + hex.EncodeToString(random) + "_", nil
}

// createDatabase makes a database named after the test, for example
// test_1a2b3c4d_3_teststorecompanies.
func (e *postgresEnv) createDatabase(ctx context.Context, testName string) (string, error) {
	e.mu.Lock()
	name := databaseName(e.namePrefix, len(e.databases)+1, testName)
	e.databases = append(e.databases, name)
	e.mu.Unlock()
	return devstack.CreateDatabase(ctx, e.adminURL, name)
}

// close stops a throwaway cluster (its databases go with it) or drops the
// databases made on the DATABASE_URL server.
func (e *postgresEnv) close(ctx context.Context) error {
	if e.cluster != nil {
		return errors.Join(e.cluster.Stop(), os.RemoveAll(e.tempDir))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, name := range e.databases {
		errs = append(errs, devstack.DropDatabase(ctx, e.adminURL, name))
	}
	e.databases = nil
	return errors.Join(errs...)
}

// databaseName is prefix, sequence number and the test name reduced to
// [a-z0-9_], within PostgreSQL's 63-byte limit.
func databaseName(prefix string, sequence int, testName string) string {
	var b strings.Builder
	b.WriteString(prefix)
	fmt.Fprintf(&b, "%d_", sequence)
	for _, r := range strings.ToLower(testName) {
		if b.Len() == 63 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
