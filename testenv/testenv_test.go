package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/sdk/log"

	"github.com/staffsync/staffsync/devstack"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func connect(t *testing.T, ctx context.Context, databaseURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", databaseURL, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func databaseOf(t *testing.T, databaseURL string) string {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func TestPostgresURLGivesEachCallAFreshDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	firstURL, secondURL := PostgresURL(t), PostgresURL(t)
	if firstURL == secondURL {
		t.Fatalf("two calls returned the same database %s", firstURL)
	}
	first, second := connect(t, ctx, firstURL), connect(t, ctx, secondURL)
	for _, db := range []struct {
		conn *pgx.Conn
		url  string
	}{{first, firstURL}, {second, secondURL}} {
		var name string
		var tables int
		if err := db.conn.QueryRow(ctx, "SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')").Scan(&name, &tables); err != nil {
			t.Fatal(err)
		}
		if want := databaseOf(t, db.url); name != want || tables != 0 {
			t.Errorf("database %q with %d tables, want %q with none", name, tables, want)
		}
		if !strings.HasSuffix(name, "_testpostgresurlgiveseachcallafreshdatabase") {
			t.Errorf("database name %q does not name the test", name)
		}
	}
	if _, err := first.Exec(ctx, "CREATE TABLE only_in_first (id int)"); err != nil {
		t.Fatal(err)
	}
	var visible bool
	if err := second.QueryRow(ctx, "SELECT to_regclass('only_in_first') IS NOT NULL").Scan(&visible); err != nil {
		t.Fatal(err)
	}
	if visible {
		t.Fatal("a table made in one test database is visible in the other")
	}
}

// The DATABASE_URL path: databases are made on the given server and dropped
// at close. The throwaway cluster stands in for the external server.
func TestPostgresEnvOnExistingServerDropsItsDatabases(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	serverURL := PostgresURL(t)
	external := &postgresEnv{adminURL: serverURL, namePrefix: "test_external_"}
	made, err := external.createDatabase(ctx, "TestSomething/case one")
	if err != nil {
		t.Fatal(err)
	}
	wantURL, err := devstack.DatabaseURL(serverURL, "test_external_1_testsomething_case_one")
	if err != nil {
		t.Fatal(err)
	}
	if made != wantURL {
		t.Fatalf("createDatabase = %q, want %q", made, wantURL)
	}
	// An open session must not keep the database from being dropped.
	connect(t, ctx, made)
	if err := external.close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	var left bool
	if err := connect(t, ctx, serverURL).QueryRow(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'test_external_1_testsomething_case_one')").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left {
		t.Fatal("the database is still there after close")
	}
}

func TestTemporalAddressServesSearchAttributes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	address := TemporalAddress(t)
	if again := TemporalAddress(t); again != address {
		t.Fatalf("second call gave %s, want the shared server %s", again, address)
	}
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  address,
		Namespace: "default",
		Logger:    temporallog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", address, err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("health: %v", err)
	}
	registered, err := devstack.RegisteredSearchAttributes(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"StaffsyncCompany", "StaffsyncSource", "StaffsyncStatus"} {
		if registered[name] != "Keyword" {
			t.Errorf("search attribute %s = %q, want Keyword", name, registered[name])
		}
	}
}

// fatalRecorder stands in for a test so that a Fatalf can be inspected.
type fatalRecorder struct {
	testing.TB
	message string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) { f.message = fmt.Sprintf(format, args...) }

func TestHelpersRequireMain(t *testing.T) {
	mainRunning.Store(false)
	defer mainRunning.Store(true)
	recorder := &fatalRecorder{TB: t}
	requireMain(recorder)
	want := "testenv: the servers would outlive this test binary: add `func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }` to this package's tests"
	if recorder.message != want {
		t.Fatalf("Fatalf message = %q, want %q", recorder.message, want)
	}
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		sequence int
		testName string
		want     string
	}{
		{1, "TestStore", "test_ab12cd34_1_teststore"},
		{12, "TestImport/Bad-Row_ä", "test_ab12cd34_12_testimport_bad_row__"},
		{3, strings.Repeat("TestLong", 10), "test_ab12cd34_3_" + strings.Repeat("testlong", 10)[:47]},
	}
	for _, tt := range tests {
		got := databaseName("test_ab12cd34_", tt.sequence, tt.testName)
		if got != tt.want {
			t.Errorf("databaseName(%d, %q) = %q, want %q", tt.sequence, tt.testName, got, tt.want)
		}
		if len(got) > 63 {
			t.Errorf("databaseName(%d, %q) is %d bytes, over PostgreSQL's 63", tt.sequence, tt.testName, len(got))
		}
	}
}
