package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffsync/staffsync/devstack"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/testenv"
)

// peakRSS is a process's peak resident set size (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read peak RSS: %v", err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("parse VmHWM %q: %v", rest, err)
			}
			return kib << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// TestAttackGzipBombServeRSS runs `staffsync serve` as its own process, as deployed, and
// sends it twenty 512 MiB gzip bombs at once, half without a token and half with a valid
// one: the API's peak RSS stays under 150 MiB, and every answer is unauthenticated or
// resource_exhausted.
func TestAttackGzipBombServeRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs Linux /proc to read the peak RSS")
	}
	dir := t.TempDir()
	binary := filepath.Join(dir, "staffsync")
	build := make(chan error, 1)
	go func() {
		out, err := exec.Command("go", "build", "-o", binary, "github.com/staffsync/staffsync/cmd/staffsync").CombinedOutput()
		if err != nil {
			err = fmt.Errorf("build staffsync: %w: %s", err, out)
		}
		build <- err
	}()
	ctx := context.Background()
	dbURL := testenv.PostgresURL(t)
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, token, err := st.CreateCompany(ctx, "RSS Target", "admin")
	if err != nil {
		t.Fatal(err)
	}
	port, err := devstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	payload := bomb(t)
	if err := <-build; err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+testenv.TemporalAddress(t),
		fmt.Sprintf("STAFFSYNC_HTTP_ADDR=127.0.0.1:%d", port), "STAFFSYNC_SFTP_ADDR=", "GOGC=")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("staffsync serve did not answer within a minute: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := peakRSS(t, cmd.Process.Pid)
	var wg sync.WaitGroup
	codes := make([]string, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			auth := ""
			if i%2 == 1 {
				auth = token
			}
			_, codes[i] = connectCall(t, http.DefaultClient, url, staffsyncv1connect.DirectoryServiceListPeopleProcedure, auth, bytes.NewReader(payload), true)
		}()
	}
	wg.Wait()
	peak := peakRSS(t, cmd.Process.Pid)
	for i, code := range codes {
		if code != "unauthenticated" && code != "resource_exhausted" {
			t.Errorf("bomb %d answered %q, want unauthenticated or resource_exhausted", i, code)
		}
	}
	t.Logf("staffsync serve peak RSS: %d MiB after start, %d MiB after 20 bombs (10 with a valid token)", before>>20, peak>>20)
	if peak > 150<<20 {
		t.Errorf("staffsync serve reached %d MiB; the limit is 150 MiB", peak>>20)
	}
}
