package devstack

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "DEVSTACK_TEST_HELPER_DIR"

// TestMain doubles as the helper process of TestServersDieWithTheirParent:
// run with helperEnv set, the test binary starts both servers in that
// directory, reports their pids and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runServersUntilKilled(dir)
	}
	os.Exit(m.Run())
}

func runServersUntilKilled(dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := StartPostgres(ctx, PostgresOptions{Dir: filepath.Join(dir, "postgres")})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	temporal, err := StartTemporal(ctx, TemporalOptions{Dir: filepath.Join(dir, "temporal")})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	pid, err := postmasterPID(pg.Dir())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ready", pid, temporal.cmd.Process.Pid)
	time.Sleep(time.Minute)
	os.Exit(1)
}

func postmasterPID(dataDir string) (int, error) {
	content, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.SplitN(string(content), "\n", 2)[0])
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	return pid, nil
}

// processRunning tells whether pid exists and is not a zombie.
func processRunning(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	closing := bytes.LastIndexByte(stat, ')')
	return closing > 0 && len(stat) > closing+2 && stat[closing+2] != 'Z'
}

func TestServersDieWithTheirParent(t *testing.T) {
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+t.TempDir())
	helper.Stderr = os.Stderr
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = helper.Process.Kill()
		t.Fatalf("helper said nothing: %v", err)
	}
	var postgresPID, temporalPID int
	if _, err := fmt.Sscanf(line, "ready %d %d", &postgresPID, &temporalPID); err != nil {
		_ = helper.Process.Kill()
		t.Fatalf("helper: %s", line)
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()

	for _, server := range []struct {
		name string
		pid  int
	}{{"PostgreSQL", postgresPID}, {"Temporal", temporalPID}} {
		deadline := time.Now().Add(15 * time.Second)
		for processRunning(server.pid) {
			if time.Now().After(deadline) {
				_ = syscall.Kill(server.pid, syscall.SIGKILL)
				t.Fatalf("%s (pid %d) still runs 15 s after its parent was killed", server.name, server.pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
