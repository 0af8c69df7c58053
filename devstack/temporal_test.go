package devstack

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTemporalLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := TemporalBinary()
	if err != nil {
		t.Fatalf("TemporalBinary: %v", err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	started := time.Now()
	temporal, err := StartTemporal(ctx, TemporalOptions{Bin: bin, Dir: dir, Port: port, Log: newServerLog(t)})
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	t.Cleanup(func() { _ = temporal.Stop() })
	t.Logf("Temporal dev server ready in %s", time.Since(started).Round(time.Millisecond))
	if want := "127.0.0.1:" + strconv.Itoa(port); temporal.Address() != want {
		t.Fatalf("Address() = %q, want %q", temporal.Address(), want)
	}
	if temporal.UIURL() != "" {
		t.Fatalf("UIURL() = %q for a headless server, want empty", temporal.UIURL())
	}

	c, err := dialTemporal(ctx, temporal.Address())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	registered, err := RegisteredSearchAttributes(ctx, c)
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"StaffsyncCompany", "StaffsyncSource", "StaffsyncStatus"} {
		if registered[name] != "Keyword" {
			t.Errorf("search attribute %s = %q, want Keyword (registered: %v)", name, registered[name], registered)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err != nil {
		t.Errorf("want the server's data in %s: %v", dir, err)
	}

	if err := temporal.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := temporal.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Restarting on the same directory keeps the data: registering the
	// search attributes again must not fail.
	restarted, err := StartTemporal(ctx, TemporalOptions{Bin: bin, Dir: dir, Port: port, Log: newServerLog(t)})
	if err != nil {
		t.Fatalf("StartTemporal on existing data: %v", err)
	}
	t.Cleanup(func() { _ = restarted.Stop() })
	if err := restarted.Stop(); err != nil {
		t.Fatalf("Stop after restart: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", temporal.Address(), time.Second); err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after Stop", temporal.Address())
	}
}

func TestStartTemporalReportsEarlyExit(t *testing.T) {
	// A busy port makes the server exit at once; the error must say why.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	bin, err := TemporalBinary()
	if err != nil {
		t.Fatalf("TemporalBinary: %v", err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = StartTemporal(ctx, TemporalOptions{Bin: bin, Dir: t.TempDir(), Port: port})
	if err == nil {
		t.Fatal("StartTemporal on a busy port succeeded")
	}
	if want := "start Temporal on 127.0.0.1:" + strconv.Itoa(port) + ": temporal exited"; !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error = %q, want it to start with %q", err, want)
	}
	t.Logf("error for a busy port: %v", err)
}

func TestStartDevArgs(t *testing.T) {
	searchAttributes := []string{"--search-attribute", "StaffsyncCompany=Keyword",
		"--search-attribute", "StaffsyncSource=Keyword", "--search-attribute", "StaffsyncStatus=Keyword"}
	common := []string{"server", "start-dev", "--db-filename", "/data/temporal.db", "--ip", "127.0.0.1",
		"--port", "7233", "--log-level", "warn", "--namespace", "default"}
	tests := []struct {
		name   string
		uiPort int
		mode   []string
	}{
		{"headless", 0, []string{"--headless"}},
		{"with UI", 8233, []string{"--ui-port", "8233"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := append(append(append([]string{}, common...), tt.mode...), searchAttributes...)
			got := startDevArgs("/data", 7233, tt.uiPort)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("startDevArgs = %q\nwant %q", got, want)
			}
		})
	}
}

func TestTemporalBinary(t *testing.T) {
	moduleBin, err := filepath.Abs(filepath.Join("..", ".bin", "temporal"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env, want, wantErr string
	}{
		{name: "env var wins", env: "/bin/sh", want: "/bin/sh"},
		{name: "env var must be executable", env: "/nonexistent/temporal",
			wantErr: "TEMPORAL_BIN=/nonexistent/temporal is not an executable file: fix the variable or unset it and run `make tools`"},
		{name: "module root .bin", env: "", want: moduleBin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TEMPORAL_BIN", tt.env)
			got, err := TemporalBinary()
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr {
				t.Fatalf("TemporalBinary() = %q, %q; want %q, %q", got, gotErr, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTemporalBinaryMissing(t *testing.T) {
	t.Setenv("TEMPORAL_BIN", "")
	t.Setenv("PATH", t.TempDir())
	t.Chdir(t.TempDir())
	// The test binary itself lives outside the module, so only cwd could
	// have led to .bin/temporal.
	_, err := TemporalBinary()
	want := "the temporal CLI was not found in <repo>/.bin/temporal, $TEMPORAL_BIN or PATH: run `make tools` in the staffsync checkout to build it"
	if err == nil || err.Error() != want {
		t.Fatalf("TemporalBinary() error = %v, want %q", err, want)
	}
}
