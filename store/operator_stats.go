package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OperatorStats are the counts an operator alerts on, over all companies: no company's or
// person's data, only statuses, kinds and numbers.
type OperatorStats struct {
	// Imports counts imports by source and status, with the rows they read.
	Imports []ImportCount
	// Changes counts the changes of applied imports by kind (new, updated, ...).
	Changes map[string]int64
	// AwaitingApproval is how many imports wait for a decision, and the oldest one's wait.
	AwaitingApproval       int64
	OldestAwaitingApproval time.Duration
	// Integrations counts integrations by kind and state, with their consecutive failures.
	Integrations []IntegrationCount
	// LastResults counts integrations by kind and the result of their last run.
	LastResults []IntegrationResultCount
	// Emails in the outbox not sent yet, and sent.
	EmailsWaiting, EmailsSent int64
}

// ImportCount is the imports of one source in one status.
type ImportCount struct {
	Source, Status string
	Imports        int64
	RowsRead       int64
}

// IntegrationCount is the integrations of one kind in one state.
type IntegrationCount struct {
	Kind, State  string
	Integrations int64
	// ConsecutiveFailures is their sum; MaxConsecutiveFailures the worst one's.
	ConsecutiveFailures, MaxConsecutiveFailures int64
}

// IntegrationResultCount is how many integrations of a kind last ended with a result.
type IntegrationResultCount struct {
	Kind, Result string
	Integrations int64
}

// OperatorStats reads the counts in one read-only transaction. Each query is an aggregate
// over a small table (imports, integrations, outbox); the changes come from the imports'
// summaries, not from the change rows.
func (s *Store) OperatorStats(ctx context.Context) (OperatorStats, error) {
	out := OperatorStats{Changes: map[string]int64{}}
	rows, err := s.pool.Query(ctx, `SELECT source, status, count(*), coalesce(sum(rows_total), 0) FROM imports GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return out, fmt.Errorf("count imports: %w", unavailable(err))
	}
	for rows.Next() {
		var c ImportCount
		if err := rows.Scan(&c.Source, &c.Status, &c.Imports, &c.RowsRead); err != nil {
			rows.Close()
			return out, fmt.Errorf("count imports: %w", err)
		}
		out.Imports = append(out.Imports, c)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count imports: %w", unavailable(err))
	}
	rows, err = s.pool.Query(ctx, `
		SELECT kind, sum(n)::bigint FROM (
			SELECT lower(e.key) AS kind, CASE WHEN jsonb_typeof(e.value) = 'number' THEN (e.value)::text::bigint ELSE 0 END AS n
			FROM imports i, jsonb_each(i.summary) e WHERE i.status = 'applied') k
		GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return out, fmt.Errorf("count changes: %w", unavailable(err))
	}
	for rows.Next() {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			rows.Close()
			return out, fmt.Errorf("count changes: %w", err)
		}
		out.Changes[strings.ToLower(kind)] = n
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count changes: %w", unavailable(err))
	}
	var oldestSeconds float64
	err = s.pool.QueryRow(ctx, `
		SELECT count(*), coalesce(extract(epoch FROM now() - min(coalesce(previewed_at, updated_at))), 0)::float8
		FROM imports WHERE status = 'awaiting_approval'`).Scan(&out.AwaitingApproval, &oldestSeconds)
	if err != nil {
		return out, fmt.Errorf("count imports awaiting approval: %w", unavailable(err))
	}
	out.OldestAwaitingApproval = time.Duration(oldestSeconds * float64(time.Second))
	rows, err = s.pool.Query(ctx, `
		SELECT kind, state, count(*), coalesce(sum(consecutive_failures), 0)::bigint, coalesce(max(consecutive_failures), 0)::bigint
		FROM integrations GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return out, fmt.Errorf("count integrations: %w", unavailable(err))
	}
	for rows.Next() {
		var c IntegrationCount
		if err := rows.Scan(&c.Kind, &c.State, &c.Integrations, &c.ConsecutiveFailures, &c.MaxConsecutiveFailures); err != nil {
			rows.Close()
			return out, fmt.Errorf("count integrations: %w", err)
		}
		out.Integrations = append(out.Integrations, c)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count integrations: %w", unavailable(err))
	}
	rows, err = s.pool.Query(ctx, `SELECT kind, last_result, count(*) FROM integrations WHERE last_result <> '' GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return out, fmt.Errorf("count integration results: %w", unavailable(err))
	}
	for rows.Next() {
		var c IntegrationResultCount
		if err := rows.Scan(&c.Kind, &c.Result, &c.Integrations); err != nil {
			rows.Close()
			return out, fmt.Errorf("count integration results: %w", err)
		}
		out.LastResults = append(out.LastResults, c)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count integration results: %w", unavailable(err))
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE sent_at IS NULL), count(*) FILTER (WHERE sent_at IS NOT NULL) FROM outbox`).
		Scan(&out.EmailsWaiting, &out.EmailsSent)
	if err != nil {
		return out, fmt.Errorf("count outbox emails: %w", unavailable(err))
	}
	return out, nil
}
