package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// PostgresUser and PostgresDatabase are the role and database that
// StartPostgres creates; URL points at them.
const (
	PostgresUser     = "staffsync"
	PostgresDatabase = "staffsync"
)

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// Dir is the cluster's data directory; it is created and initialised when
	// it holds no cluster yet, and reused as it is otherwise.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// Fsync keeps PostgreSQL's crash safety. Turn it off only for tests:
	// a crash of the machine can then corrupt the cluster.
	Fsync bool
	// Log receives the output of initdb and pg_ctl; nil discards it. The
	// server's own log is <Dir>/postgres.log.
	Log io.Writer
}

// Postgres is a running PostgreSQL cluster started by StartPostgres. It is
// daemonised by pg_ctl: call Stop. If this process dies without calling Stop,
// a small watchdog process stops the cluster.
type Postgres struct {
	dir     string
	port    int
	binDir  string
	account *serverAccount
	log     io.Writer

	watchdog      *exec.Cmd
	watchdogStdin io.WriteCloser // held open: its closing (our death) triggers the watchdog

	stopOnce sync.Once
	stopErr  error
}

// startAttempts bounds the retries after a killed run: the killed
// postmaster's children can hold its shared memory for a moment.
const startAttempts = 20

// StartPostgres initialises opts.Dir if it holds no cluster yet (UTF-8, trust
// authentication, superuser "staffsync"), starts the cluster on
// 127.0.0.1:opts.Port with its unix socket inside the data directory, creates
// the database "staffsync" if missing, and returns once it accepts
// connections. A server still running on the directory (left by a killed run)
// is stopped and started again with these options; a stale postmaster.pid is
// handled.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	if opts.Dir == "" {
		return nil, errors.New("start PostgreSQL: no data directory given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: resolve data directory %q: %w", opts.Dir, err)
	}
	port := opts.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("start PostgreSQL: %w", err)
		}
	}
	p := &Postgres{dir: dir, port: port, log: opts.Log}
	if p.log == nil {
		p.log = io.Discard
	}
	if p.binDir, err = findPostgresBinDir(dir); err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	if p.account, err = postgresAccount(); err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	if err := p.initialise(opts.Fsync); err != nil {
		return nil, fmt.Errorf("start PostgreSQL in %s: %w", dir, err)
	}
	if err := p.stopLeftover(); err != nil {
		return nil, fmt.Errorf("start PostgreSQL in %s: %w", dir, err)
	}
	if err := p.start(ctx, opts.Fsync); err != nil {
		return nil, fmt.Errorf("start PostgreSQL in %s on port %d: %w", dir, port, err)
	}
	if err := p.startWatchdog(); err != nil {
		return nil, errors.Join(fmt.Errorf("start PostgreSQL: %w", err), p.Stop())
	}
	if _, err := CreateDatabase(ctx, p.serverURL("postgres"), PostgresDatabase); err != nil {
		return nil, errors.Join(fmt.Errorf("start PostgreSQL: %w", err), p.Stop())
	}
	return p, nil
}

// URL is the connection URL of the "staffsync" database.
func (p *Postgres) URL() string { return p.serverURL(PostgresDatabase) }

// Port is the TCP port the cluster listens on at 127.0.0.1.
func (p *Postgres) Port() int { return p.port }

// Dir is the cluster's data directory.
func (p *Postgres) Dir() string { return p.dir }

func (p *Postgres) serverURL(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", PostgresUser, p.port, database)
}

// CreateDatabase creates the database name on this cluster unless it exists,
// and returns its URL.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) (string, error) {
	return CreateDatabase(ctx, p.URL(), name)
}

// Stop shuts the cluster down (pg_ctl stop -m fast). Calling it again returns
// the first result.
func (p *Postgres) Stop() error {
	p.stopOnce.Do(func() {
		out, err := p.pgCtl("stop", "-D", p.dir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
		p.log.Write(out)
		if err != nil {
			p.stopErr = fmt.Errorf("stop PostgreSQL in %s: %w: %s", p.dir, err, bytes.TrimSpace(out))
		}
		p.stopWatchdog()
	})
	return p.stopErr
}

func (p *Postgres) pgCtl(args ...string) *exec.Cmd {
	return p.account.command(filepath.Join(p.binDir, "pg_ctl"), args...)
}

func (p *Postgres) logf(format string, args ...any) {
	fmt.Fprintf(p.log, format+"\n", args...)
}

func (p *Postgres) initialise(fsync bool) error {
	_, err := os.Stat(filepath.Join(p.dir, "PG_VERSION"))
	clusterExists := err == nil
	if !clusterExists {
		entries, err := os.ReadDir(p.dir)
		switch {
		case errors.Is(err, os.ErrNotExist):
			if err := os.MkdirAll(p.dir, 0o700); err != nil {
				return fmt.Errorf("create data directory: %w", err)
			}
		case err != nil:
			return fmt.Errorf("read data directory: %w", err)
		case len(entries) > 0:
			return errors.New("the directory is not empty and holds no PostgreSQL cluster (no PG_VERSION): choose an empty or new directory")
		}
	}
	if err := p.account.prepareDataDir(p.dir, p.logf); err != nil {
		return err
	}
	if clusterExists {
		return nil
	}
	args := []string{"-D", p.dir, "-U", PostgresUser, "-E", "UTF8", "--locale=C.UTF-8",
		"--auth-host=trust", "--auth-local=trust"}
	if !fsync {
		args = append(args, "--no-sync")
	}
	tail := newOutputTail(4096)
	cmd := p.account.command(filepath.Join(p.binDir, "initdb"), args...)
	cmd.Stdout = io.MultiWriter(p.log, tail)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, strings.TrimSpace(tail.String()))
	}
	return nil
}

// stopLeftover stops a server still running on the directory (a killed
// `staffsync dev` leaves one, since pg_ctl daemonises it) and removes a
// postmaster.pid whose process is gone or is no longer PostgreSQL: a reused
// pid owned by another user would otherwise look like a running server.
func (p *Postgres) stopLeftover() error {
	pidFile := filepath.Join(p.dir, "postmaster.pid")
	content, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read postmaster.pid: %w", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(content), "\n", 2)[0]))
	if pid <= 0 || !isPostgresProcess(pid) {
		p.logf("devstack: removing stale %s (process %d is gone)", pidFile, pid)
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale postmaster.pid: %w", err)
		}
		return nil
	}
	p.logf("devstack: PostgreSQL (pid %d) is still running on %s; restarting it", pid, p.dir)
	out, err := p.pgCtl("stop", "-D", p.dir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	p.log.Write(out)
	if err != nil {
		return fmt.Errorf("stop the server left running by an earlier run (pid %d): %w: %s", pid, err, bytes.TrimSpace(out))
	}
	return nil
}

func (p *Postgres) start(ctx context.Context, fsync bool) error {
	settings := []string{
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port=" + strconv.Itoa(p.port),
		"-c", "unix_socket_directories=" + p.socketDirectories(),
	}
	if !fsync {
		// Throwaway test clusters trade crash safety for speed.
		settings = append(settings, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	quoted := make([]string, len(settings))
	for i, s := range settings {
		quoted[i] = shellQuote(s)
	}
	logFile := filepath.Join(p.dir, "postgres.log")
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		logOffset := fileSize(logFile)
		// pg_ctl runs postgres through /bin/sh, so the options are shell-quoted.
		out, err := p.pgCtl("start", "-D", p.dir, "-l", logFile, "-w", "-t", "60", "-o", strings.Join(quoted, " ")).CombinedOutput()
		p.log.Write(out)
		if err == nil {
			return nil
		}
		serverLog := readFrom(logFile, logOffset, 2048)
		lastErr = fmt.Errorf("pg_ctl start: %w: %s\nserver log: %s", err, bytes.TrimSpace(out), strings.TrimSpace(serverLog))
		if !strings.Contains(serverLog, "pre-existing shared memory block") {
			return lastErr
		}
		select {
		case <-ctx.Done():
			return errors.Join(lastErr, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
	return lastErr
}

// socketDirectories keeps the unix socket inside the data directory, or
// disables it when the path would exceed the 107-byte socket path limit.
func (p *Postgres) socketDirectories() string {
	if len(p.dir)+len("/.s.PGSQL.")+len(strconv.Itoa(p.port)) > 107 {
		p.logf("devstack: data directory path too long for a unix socket; PostgreSQL listens on TCP only")
		return ""
	}
	return `"` + p.dir + `"`
}

// startWatchdog starts a process that stops the cluster when our end of its
// stdin closes, which happens when this process exits for any reason
// (including SIGKILL), so a crashed run does not leave PostgreSQL behind. It
// runs in its own process group so that a terminal's Ctrl-C does not kill it
// first.
func (p *Postgres) startWatchdog() error {
	stopArgs := []string{filepath.Join(p.binDir, "pg_ctl"), "stop", "-D", p.dir, "-m", "fast", "-w", "-t", "60"}
	if p.account != nil {
		stopArgs = append([]string{"runuser", "-u", p.account.name, "--"}, stopArgs...)
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c", `read -r _; exec "$@"`, "devstack-postgres-watchdog"}, stopArgs...)...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("create watchdog pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start watchdog: %w", err)
	}
	p.watchdog, p.watchdogStdin = cmd, stdin
	// Keep the pipe reachable even if the caller drops the *Postgres without
	// Stop: the garbage collector would otherwise close it and stop the server.
	liveWatchdogs.Store(cmd, stdin)
	return nil
}

func (p *Postgres) stopWatchdog() {
	if p.watchdog == nil {
		return
	}
	_ = p.watchdog.Process.Kill()
	_ = p.watchdog.Wait()
	liveWatchdogs.Delete(p.watchdog)
	p.watchdog = nil
}

var liveWatchdogs sync.Map // *exec.Cmd -> its stdin pipe

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// readFrom returns what was appended to path after offset, at most limit
// bytes from its end.
func readFrom(path string, offset int64, limit int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if size := fileSize(path); size-offset > limit {
		offset = size - limit
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	content, _ := io.ReadAll(f)
	return string(content)
}
