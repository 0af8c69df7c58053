package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/api/fileupload"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// app is one invocation of staffsyncctl.
type app struct {
	stdout, stderr io.Writer
	env            func(string) string
	global         globalFlags
	cmd            *command
	flags          *flag.FlagSet
	// pollInterval is how often GetImport is polled when WatchImport is not available.
	pollInterval time.Duration
	location     *time.Location

	imports   staffsyncv1connect.ImportServiceClient
	directory staffsyncv1connect.DirectoryServiceClient
	// upload starts an import from a file through the API's streaming upload.
	upload func(ctx context.Context, fileName string, content io.Reader, size int64, opts *v1.ImportOptions) (*v1.Import, error)
}

// devTokenPath is where `make dev` (staffsync dev) keeps the demo admin's token.
var devTokenPath = filepath.Join(".staffsync", "dev", "token")

// errNoToken tells the admin how to get a token.
var errNoToken = errors.New("no API token: run `make dev` to start the local stack (it writes .staffsync/dev/token), or set STAFFSYNC_TOKEN or --token")

// resolveToken picks the token from --token, then STAFFSYNC_TOKEN, then the dev token file
// in dir or the nearest parent directory that has one.
func resolveToken(flagValue string, env func(string) string, dir string) (string, error) {
	if t := strings.TrimSpace(flagValue); t != "" {
		return t, nil
	}
	if t := strings.TrimSpace(env("STAFFSYNC_TOKEN")); t != "" {
		return t, nil
	}
	if dir == "" {
		return "", errNoToken
	}
	for {
		path := filepath.Join(dir, devTokenPath)
		raw, err := os.ReadFile(path)
		switch {
		case err == nil:
			t := strings.TrimSpace(string(raw))
			if t == "" {
				return "", fmt.Errorf("the token file %s is empty: run `make dev` again to recreate it, or set STAFFSYNC_TOKEN", path)
			}
			return t, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("read the token file: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errNoToken
		}
		dir = parent
	}
}

// bearerToken sends the API token on every unary and streaming call.
type bearerToken string

func (t bearerToken) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(t))
		return next(ctx, req)
	}
}

func (t bearerToken) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(t))
		return conn
	}
}

func (t bearerToken) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// baseURL accepts "host:port" as well as a full URL.
func baseURL(addr string) string {
	addr = strings.TrimRight(strings.TrimSpace(addr), "/")
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return addr
}

// connect creates the API clients; commands call it after their arguments are checked, so a
// usage mistake never needs a token.
func (a *app) connect() error {
	token, err := a.credential()
	if err != nil {
		return err
	}
	httpClient := &http.Client{Transport: http.DefaultTransport}
	opts := []connect.ClientOption{connect.WithInterceptors(bearerToken(token))}
	url := baseURL(a.global.addr)
	a.imports = staffsyncv1connect.NewImportServiceClient(httpClient, url, opts...)
	a.directory = staffsyncv1connect.NewDirectoryServiceClient(httpClient, url, opts...)
	a.upload = func(ctx context.Context, fileName string, content io.Reader, size int64, opts *v1.ImportOptions) (*v1.Import, error) {
		return fileupload.Start(ctx, httpClient, url, token, fileName, content, size, opts)
	}
	return nil
}

// describeError turns an error into the line the admin reads: the server's own message for
// API errors, with a hint for the two mistakes every new user makes.
func (a *app) describeError(err error) string {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return err.Error()
	}
	var netErr *net.OpError
	switch {
	case ce.Code() == connect.CodeUnavailable && errors.As(err, &netErr):
		return fmt.Sprintf("cannot reach the staffsync API at %s (%v): start it with `make dev`, or point --addr / STAFFSYNC_ADDR at it", baseURL(a.global.addr), netErr.Err)
	case ce.Code() == connect.CodeUnauthenticated:
		return ce.Message() + ": check --token / STAFFSYNC_TOKEN (`make dev` writes the demo token to .staffsync/dev/token)"
	}
	if msg := ce.Message(); msg != "" {
		return msg
	}
	return ce.Error()
}
