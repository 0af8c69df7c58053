package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/store"
)

// apiSettings are the API's limits, read from the environment; every unset one keeps its
// default (README "Securing a deployment" lists them).
type apiSettings struct {
	limits   api.Limits
	timeouts api.ServerTimeouts
	database store.SessionTimeouts
}

// envReader parses environment values, remembering the first bad one.
type envReader struct{ err error }

func (e *envReader) duration(name string, into *time.Duration) {
	raw := os.Getenv(name)
	if raw == "" || e.err != nil {
		return
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		e.err = fmt.Errorf("%s=%q: want a positive duration such as 30s or 10m", name, raw)
		return
	}
	*into = d
}

func (e *envReader) integer(name string, into *int) {
	raw := os.Getenv(name)
	if raw == "" || e.err != nil {
		return
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		e.err = fmt.Errorf("%s=%q: want a positive whole number", name, raw)
		return
	}
	*into = n
}

func (e *envReader) bytes(name string, into *int64) {
	n := int(*into)
	e.integer(name, &n)
	*into = int64(n)
}

func apiSettingsFromEnv() (apiSettings, error) {
	s := apiSettings{limits: api.DefaultLimits, timeouts: api.DefaultServerTimeouts, database: store.DefaultAPITimeouts}
	var e envReader
	e.duration("STAFFSYNC_HTTP_READ_HEADER_TIMEOUT", &s.timeouts.ReadHeader)
	e.duration("STAFFSYNC_HTTP_READ_TIMEOUT", &s.timeouts.Read)
	e.duration("STAFFSYNC_HTTP_WRITE_TIMEOUT", &s.timeouts.Write)
	e.duration("STAFFSYNC_HTTP_IDLE_TIMEOUT", &s.timeouts.Idle)
	e.integer("STAFFSYNC_HTTP_MAX_HEADER_BYTES", &s.timeouts.MaxHeaderBytes)
	e.bytes("STAFFSYNC_MAX_MESSAGE_BYTES", &s.limits.MaxMessageBytes)
	e.integer("STAFFSYNC_WATCH_STREAMS_PER_COMPANY", &s.limits.WatchStreamsPerCompany)
	e.duration("STAFFSYNC_WATCH_LIFETIME", &s.limits.WatchLifetime)
	e.integer("STAFFSYNC_UPLOAD_SLOTS", &s.limits.UploadSlots)
	e.integer("STAFFSYNC_UPLOAD_SLOTS_PER_COMPANY", &s.limits.UploadSlotsPerCompany)
	e.duration("STAFFSYNC_UPLOAD_TIMEOUT", &s.limits.UploadTimeout)
	e.integer("STAFFSYNC_UNKNOWN_TOKENS_PER_MINUTE", &s.limits.UnknownTokensPerMinute)
	e.duration("STAFFSYNC_API_STATEMENT_TIMEOUT", &s.database.Statement)
	e.duration("STAFFSYNC_API_LOCK_TIMEOUT", &s.database.Lock)
	return s, e.err
}

// workerDatabaseSettings are the apply's PostgreSQL timeouts, read from the environment.
func workerDatabaseSettings() (store.SessionTimeouts, error) {
	t := store.DefaultApplyTimeouts
	var e envReader
	e.duration("STAFFSYNC_APPLY_STATEMENT_TIMEOUT", &t.Statement)
	e.duration("STAFFSYNC_APPLY_LOCK_TIMEOUT", &t.Lock)
	return t, e.err
}
