package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// SessionTimeouts are PostgreSQL's statement_timeout and lock_timeout: how long one
// statement may run, and how long it may wait for a lock, before PostgreSQL cancels it.
type SessionTimeouts struct {
	Statement time.Duration
	Lock      time.Duration
}

// DefaultAPITimeouts hold every connection of the API's pool: an API request's statements
// are short, and one that runs away or queues behind an apply's locks must not hold a
// connection the other requests need. The caller sees "unavailable; try again".
var DefaultAPITimeouts = SessionTimeouts{Statement: 30 * time.Second, Lock: 5 * time.Second}

// DefaultApplyTimeouts hold the long transactions (apply, revert, a streamed upload) with
// SET LOCAL, whatever the pool's own settings: long enough for a 100,000-person apply on a
// slow disk, short enough that a stuck one ends and is retried.
var DefaultApplyTimeouts = SessionTimeouts{Statement: 30 * time.Minute, Lock: 2 * time.Minute}

// Option configures Open.
type Option func(*Store, *poolSettings)

type poolSettings struct {
	session SessionTimeouts
	// tracer (optional) traces every query (tracing.go).
	tracer *queryTracer
}

// WithSessionTimeouts sets the timeouts of every connection of the store's pool (the API's).
func WithSessionTimeouts(t SessionTimeouts) Option {
	return func(_ *Store, p *poolSettings) { p.session = t }
}

// WithLongTimeouts sets the timeouts of the long transactions (default DefaultApplyTimeouts).
func WithLongTimeouts(t SessionTimeouts) Option {
	return func(s *Store, _ *poolSettings) { s.long = t }
}

// runtimeParams are the connection settings of t; zero durations leave the server's.
func (t SessionTimeouts) runtimeParams(into map[string]string) {
	if t.Statement > 0 {
		into["statement_timeout"] = strconv.FormatInt(t.Statement.Milliseconds(), 10)
	}
	if t.Lock > 0 {
		into["lock_timeout"] = strconv.FormatInt(t.Lock.Milliseconds(), 10)
	}
}

// setLongTimeouts gives the transaction tx the store's long timeouts (SET LOCAL: they end
// with it), overriding the pool's short ones.
func (s *Store) setLongTimeouts(ctx context.Context, tx pgx.Tx) error {
	t := s.long
	if t == (SessionTimeouts{}) {
		t = DefaultApplyTimeouts
	}
	_, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)`,
		strconv.FormatInt(t.Statement.Milliseconds(), 10), strconv.FormatInt(t.Lock.Milliseconds(), 10))
	if err != nil {
		return fmt.Errorf("set transaction timeouts: %w", err)
	}
	return nil
}
