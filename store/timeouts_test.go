package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/testenv"
)

// TestSessionTimeouts: the API's pool cancels a statement that runs past its
// statement_timeout and one that waits for a lock past its lock_timeout, both as
// "unavailable" (try again); a long transaction overrides them with SET LOCAL.
func TestSessionTimeouts(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	api, err := Open(ctx, url, WithSessionTimeouts(SessionTimeouts{Statement: 300 * time.Millisecond, Lock: 200 * time.Millisecond}),
		WithLongTimeouts(SessionTimeouts{Statement: 5 * time.Second, Lock: 3 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	if err := api.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var statement, lock string
	if err := api.pool.QueryRow(ctx, `SELECT current_setting('statement_timeout'), current_setting('lock_timeout')`).Scan(&statement, &lock); err != nil {
		t.Fatal(err)
	}
	if statement != "300ms" || lock != "200ms" {
		t.Errorf("API connection has statement_timeout %s and lock_timeout %s; want 300ms and 200ms", statement, lock)
	}
	_, err = api.pool.Exec(ctx, `SELECT pg_sleep(2)`)
	if err = unavailable(err); !errors.Is(err, directory.ErrUnavailable) {
		t.Errorf("a statement past the timeout: %v; want unavailable", err)
	}

	// Another session holds a lock; the API's statement gives up after lock_timeout.
	other, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := newCompany(t, other, "Locked Ltd")
	tx, err := other.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT 1 FROM companies WHERE id = $1 FOR UPDATE`, p.CompanyID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = api.pool.Exec(ctx, `UPDATE companies SET directory_version = directory_version WHERE id = $1`, p.CompanyID)
	if err = unavailable(err); !errors.Is(err, directory.ErrUnavailable) || time.Since(start) > 2*time.Second {
		t.Errorf("waiting for a lock: %v after %v; want unavailable after about 200ms", err, time.Since(start))
	}

	// A long transaction of the same pool gets the long timeouts.
	err = pgx.BeginFunc(ctx, api.pool, func(tx pgx.Tx) error {
		if err := api.setLongTimeouts(ctx, tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_sleep(0.6)`)
		return err
	})
	if err != nil {
		t.Errorf("a 600 ms statement in a long transaction: %v; want it to run", err)
	}
}
