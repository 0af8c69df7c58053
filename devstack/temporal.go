package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/sdk/log"
)

// SearchAttributes are the Keyword search attributes that operators filter
// imports and syncs by in the Temporal UI; StartTemporal registers them.
var SearchAttributes = []string{"StaffsyncCompany", "StaffsyncSource", "StaffsyncStatus"}

// TemporalNamespace is the namespace the dev server creates.
const TemporalNamespace = "default"

// temporalStopGrace is how long Stop waits after SIGINT before SIGKILL.
const temporalStopGrace = 10 * time.Second

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	// Bin is the temporal CLI; empty means TemporalBinary().
	Bin string
	// Dir holds the SQLite database (temporal.db), kept between runs.
	Dir string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free one.
	Port int
	// UIPort is the web UI port; 0 runs the server without UI (--headless).
	UIPort int
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// Temporal is a running `temporal server start-dev` child process. It is
// killed if this process dies (Pdeathsig); call Stop for a clean shutdown.
type Temporal struct {
	address string
	uiPort  int
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
	exitErr error         // valid once exited is closed
	output  *outputTail

	stopOnce sync.Once
	stopErr  error
}

// StartTemporal starts `temporal server start-dev` on 127.0.0.1:opts.Port
// with its data in opts.Dir, the namespace "default" and the staffsync
// search attributes registered, and returns once the frontend answers and
// the search attributes are visible. ctx bounds the start only, not the
// server's life.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	bin := opts.Bin
	if bin == "" {
		var err error
		if bin, err = TemporalBinary(); err != nil {
			return nil, err
		}
	}
	if opts.Dir == "" {
		return nil, errors.New("start Temporal: no data directory given")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("start Temporal: create data directory: %w", err)
	}
	port := opts.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("start Temporal: %w", err)
		}
	}
	args := startDevArgs(opts.Dir, port, opts.UIPort)

	t := &Temporal{
		address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		uiPort:  opts.UIPort,
		exited:  make(chan struct{}),
		output:  newOutputTail(4096),
	}
	logWriter := opts.Log
	if logWriter == nil {
		logWriter = io.Discard
	}
	t.cmd = exec.Command(bin, args...)
	t.cmd.Stdout = io.MultiWriter(logWriter, t.output)
	t.cmd.Stderr = t.cmd.Stdout
	t.cmd.SysProcAttr = childProcAttr()
	if err := t.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start Temporal (%s): %w", bin, err)
	}
	go func() {
		t.exitErr = t.cmd.Wait()
		close(t.exited)
	}()
	if err := t.waitReady(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("start Temporal on %s: %w", t.address, err), t.Stop())
	}
	return t, nil
}

// startDevArgs are the `temporal` arguments for a dev server on
// 127.0.0.1:port with its data in dir, headless when uiPort is 0.
func startDevArgs(dir string, port, uiPort int) []string {
	args := []string{"server", "start-dev",
		"--db-filename", filepath.Join(dir, "temporal.db"),
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--log-level", "warn",
		"--namespace", TemporalNamespace,
	}
	if uiPort == 0 {
		args = append(args, "--headless")
	} else {
		args = append(args, "--ui-port", strconv.Itoa(uiPort))
	}
	for _, name := range SearchAttributes {
		args = append(args, "--search-attribute", name+"=Keyword")
	}
	return args
}

// Address is the frontend's host:port.
func (t *Temporal) Address() string { return t.address }

// UIURL is the web UI's address, or "" when it runs headless.
func (t *Temporal) UIURL() string {
	if t.uiPort == 0 {
		return ""
	}
	return fmt.Sprintf("http://127.0.0.1:%d", t.uiPort)
}

// Stop sends SIGINT and waits for the server to exit, sending SIGKILL after
// 10 s. Calling it again returns the first result.
func (t *Temporal) Stop() error {
	t.stopOnce.Do(func() {
		select {
		case <-t.exited:
			return // already gone: nothing to stop
		default:
		}
		if err := t.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.stopErr = fmt.Errorf("stop Temporal: %w", err)
		}
		select {
		case <-t.exited:
		case <-time.After(temporalStopGrace):
			_ = t.cmd.Process.Kill()
			<-t.exited
			t.stopErr = fmt.Errorf("stop Temporal: it did not exit within %s of SIGINT and was killed", temporalStopGrace)
		}
	})
	return t.stopErr
}

// waitReady polls until the frontend is healthy and the search attributes
// are registered, or the process exits, or ctx ends.
func (t *Temporal) waitReady(ctx context.Context) error {
	// Checks in flight are abandoned as soon as the process exits.
	processCtx, cancelProcess := context.WithCancel(ctx)
	defer cancelProcess()
	go func() {
		select {
		case <-t.exited:
			cancelProcess()
		case <-processCtx.Done():
		}
	}()
	var lastErr error
	for {
		attemptCtx, cancel := context.WithTimeout(processCtx, 2*time.Second)
		lastErr = t.checkReady(attemptCtx)
		cancel()
		if lastErr == nil {
			return nil
		}
		select {
		case <-t.exited:
			return fmt.Errorf("temporal exited (%v) before it was ready: %s", t.exitErr, strings.TrimSpace(t.output.String()))
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w (last check: %v); output: %s", ctx.Err(), lastErr, strings.TrimSpace(t.output.String()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (t *Temporal) checkReady(ctx context.Context) error {
	c, err := dialTemporal(ctx, t.address)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	registered, err := RegisteredSearchAttributes(ctx, c)
	if err != nil {
		return err
	}
	for _, name := range SearchAttributes {
		if registered[name] != "Keyword" {
			return fmt.Errorf("search attribute %s is not registered as Keyword yet", name)
		}
	}
	return nil
}

// dialTemporal connects with the SDK's logging silenced: a dev server that
// is still starting would otherwise fill the log with retries.
func dialTemporal(ctx context.Context, address string) (client.Client, error) {
	return client.DialContext(ctx, client.Options{
		HostPort:  address,
		Namespace: TemporalNamespace,
		Logger:    temporallog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
}

// TemporalBinary finds the temporal CLI: $TEMPORAL_BIN, else .bin/temporal
// in the module root (found by walking up from the working directory and
// from this executable to go.mod), else temporal on PATH.
func TemporalBinary() (string, error) {
	if bin := os.Getenv("TEMPORAL_BIN"); bin != "" {
		if !isExecutableFile(bin) {
			return "", fmt.Errorf("TEMPORAL_BIN=%s is not an executable file: fix the variable or unset it and run `make tools`", bin)
		}
		return bin, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, start := range starts {
		if root, ok := moduleRoot(start); ok {
			if bin := filepath.Join(root, ".bin", "temporal"); isExecutableFile(bin) {
				return bin, nil
			}
		}
	}
	if bin, err := exec.LookPath("temporal"); err == nil {
		return bin, nil
	}
	return "", errors.New("the temporal CLI was not found in <repo>/.bin/temporal, $TEMPORAL_BIN or PATH: run `make tools` in the staffsync checkout to build it")
}

// moduleRoot walks up from dir to the nearest directory holding go.mod.
func moduleRoot(dir string) (string, bool) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func isExecutableFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// RegisteredSearchAttributes returns the custom search attributes of the
// "default" namespace with their types ("Keyword", "Text", ...).
func RegisteredSearchAttributes(ctx context.Context, c client.Client) (map[string]string, error) {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: TemporalNamespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes: %w", err)
	}
	registered := make(map[string]string, len(resp.GetCustomAttributes()))
	for name, valueType := range resp.GetCustomAttributes() {
		registered[name] = valueType.String()
	}
	return registered, nil
}
