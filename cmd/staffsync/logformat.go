package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/staffsync/staffsync/logcontext"
)

// registerLogFormat adds --log-format to a server command.
func registerLogFormat(fs *flag.FlagSet) *string {
	return fs.String("log-format", envOr("STAFFSYNC_LOG_FORMAT", "text"), "log lines as text or json (env STAFFSYNC_LOG_FORMAT)")
}

// newLogger returns the process's logger in the format asked for and makes it the default
// (activities log through slog.Default). Each line carries the ids its context holds: an
// activity's company, import or integration, and workflow id.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	var h slog.Handler
	switch format {
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", format)
	}
	log := slog.New(logcontext.Handler(h))
	slog.SetDefault(log)
	return log, nil
}

// serverLogger is newLogger on standard error.
func serverLogger(format string) (*slog.Logger, error) { return newLogger(format, os.Stderr) }
