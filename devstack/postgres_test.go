package devstack

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// serverLog collects a server's output and shows it only when the test fails.
type serverLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *serverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func newServerLog(t *testing.T) *serverLog {
	l := &serverLog{}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("DEVSTACK_SHOW_LOG") != "" {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Logf("server output:\n%s", l.buf.String())
		}
	})
	return l
}

func queryString(t *testing.T, ctx context.Context, url, query string, args ...any) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	defer conn.Close(ctx)
	var value string
	if err := conn.QueryRow(ctx, query, args...).Scan(&value); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return value
}

func execSQL(t *testing.T, ctx context.Context, url, statement string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, statement); err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
}

func startPostgres(t *testing.T, ctx context.Context, dir string, log *serverLog) *Postgres {
	t.Helper()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Port: port, Log: log})
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	if got, want := pg.URL(), "postgres://staffsync@127.0.0.1:"+strconv.Itoa(port)+"/staffsync?sslmode=disable"; got != want {
		t.Fatalf("URL() = %q, want %q", got, want)
	}
	return pg
}

func TestPostgresLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := newServerLog(t)
	dir := filepath.Join(t.TempDir(), "postgres")

	first := startPostgres(t, ctx, dir, log)
	settings := []struct{ query, want string }{
		{"SELECT current_user", "staffsync"},
		{"SELECT current_database()", "staffsync"},
		{"SHOW server_encoding", "UTF8"},
		{"SHOW listen_addresses", "127.0.0.1"},
		{"SHOW unix_socket_directories", `"` + dir + `"`},
		{"SHOW fsync", "off"},
		{"SHOW synchronous_commit", "off"},
	}
	for _, s := range settings {
		if got := queryString(t, ctx, first.URL(), s.query); got != s.want {
			t.Errorf("%s = %q, want %q", s.query, got, s.want)
		}
	}
	execSQL(t, ctx, first.URL(), "CREATE TABLE kept (name text); INSERT INTO kept VALUES ('survives restarts')")
	reportsURL, err := first.CreateDatabase(ctx, "reports")
	if err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	if want := strings.Replace(first.URL(), "/staffsync?", "/reports?", 1); reportsURL != want {
		t.Fatalf("CreateDatabase URL = %q, want %q", reportsURL, want)
	}
	if again, err := first.CreateDatabase(ctx, "reports"); err != nil || again != reportsURL {
		t.Fatalf("CreateDatabase of an existing database = %q, %v; want %q, nil", again, err, reportsURL)
	}
	if got := queryString(t, ctx, reportsURL, "SELECT current_database()"); got != "reports" {
		t.Fatalf("current_database() on the new URL = %q, want reports", got)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := pgx.Connect(ctx, first.URL()); err == nil {
		t.Fatal("connected after Stop; want the server down")
	}

	// Data is kept across a clean restart on the same directory.
	second := startPostgres(t, ctx, dir, log)
	if got := queryString(t, ctx, second.URL(), "SELECT name FROM kept"); got != "survives restarts" {
		t.Fatalf("row after restart = %q", got)
	}

	// A killed run leaves the postmaster.pid of a dead process behind.
	pid, err := postmasterPID(dir)
	if err != nil {
		t.Fatal(err)
	}
	second.stopWatchdog() // it would stop the next server on this directory at exit
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill postmaster: %v", err)
	}
	waitForExit(t, pid)
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Fatalf("want a stale postmaster.pid after SIGKILL: %v", err)
	}
	third := startPostgres(t, ctx, dir, log)
	if got := queryString(t, ctx, third.URL(), "SELECT name FROM kept"); got != "survives restarts" {
		t.Fatalf("row after a killed run = %q", got)
	}

	// A server left running by a run that never called Stop is restarted.
	third.stopWatchdog()
	fourth := startPostgres(t, ctx, dir, log)
	if got := queryString(t, ctx, fourth.URL(), "SELECT current_database()"); got != "staffsync" {
		t.Fatalf("current_database() after restarting a running server = %q", got)
	}
	if err := fourth.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func waitForExit(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for isPostgresProcess(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still alive 10 s after SIGKILL", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartPostgresRejectsForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a cluster"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := StartPostgres(context.Background(), PostgresOptions{Dir: dir})
	want := "start PostgreSQL in " + dir + ": the directory is not empty and holds no PostgreSQL cluster (no PG_VERSION): choose an empty or new directory"
	if err == nil || err.Error() != want {
		t.Fatalf("StartPostgres error = %v, want %q", err, want)
	}
}

func TestDatabaseURL(t *testing.T) {
	tests := []struct {
		serverURL, name, want, wantErr string
	}{
		{"postgres://staffsync@127.0.0.1:5432/staffsync?sslmode=disable", "test_one", "postgres://staffsync@127.0.0.1:5432/test_one?sslmode=disable", ""},
		{"postgresql://u:p@db.example:5433/?sslmode=require", "x", "postgresql://u:p@db.example:5433/x?sslmode=require", ""},
		{"postgres://u@h/db", strings.Repeat("a", 64), "", `database name "` + strings.Repeat("a", 64) + `" must be 1 to 63 bytes long`},
		{"postgres://u@h/db", "", "", `database name "" must be 1 to 63 bytes long`},
		{"mysql://u@h/db", "x", "", `PostgreSQL URL must start with postgres:// (got scheme "mysql")`},
	}
	for _, tt := range tests {
		got, err := DatabaseURL(tt.serverURL, tt.name)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("DatabaseURL(%q, %q) = %q, %q; want %q, %q", tt.serverURL, tt.name, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fsync=off", "'fsync=off'"},
		{`unix_socket_directories="/tmp/a b"`, `'unix_socket_directories="/tmp/a b"'`},
		{"it's", `'it'\''s'`},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOutputTailKeepsLastBytes(t *testing.T) {
	tail := newOutputTail(5)
	for _, chunk := range []string{"abc", "defg", "h"} {
		if _, err := tail.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if got := tail.String(); got != "defgh" {
		t.Fatalf("tail = %q, want %q", got, "defgh")
	}
}

func TestFreePortIsBindable(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if port <= 0 || port > 65535 {
		t.Fatalf("FreePort() = %d", port)
	}
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("bind the port FreePort returned: %v", err)
	}
	listener.Close()
}
