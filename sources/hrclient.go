package sources

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// Defaults for waiting out an HR system's rate limits (429/503, Retry-After optional).
const (
	DefaultMinRetryWait = time.Second
	DefaultMaxRetryWait = 2 * time.Minute
	DefaultMaxTotalWait = 5 * time.Minute
	DefaultMaxAttempts  = 5
)

// RetryLimits bound how an HR system client (BambooHR, Personio) waits out rate limits and
// server errors; both vendors' configs embed it so the rules are the same.
type RetryLimits struct {
	// MinRetryWait is the least time to wait after a 429/503 (default 1 s), also when
	// Retry-After is missing.
	MinRetryWait time.Duration
	// MaxRetryWait is the longest Retry-After honoured in place (default 2 min); a longer
	// one ends the fetch with a retryable error so the caller tries again later.
	MaxRetryWait time.Duration
	// MaxAttempts bounds the requests per call, retries included (default 5).
	MaxAttempts int
	// MaxTotalWait bounds the time one fetch waits for rate limits in all (default 5 min).
	MaxTotalWait time.Duration
}

// WithDefaults fills the limits left at zero (or below) with the defaults.
func (l RetryLimits) WithDefaults() RetryLimits {
	if l.MinRetryWait <= 0 {
		l.MinRetryWait = DefaultMinRetryWait
	}
	if l.MaxRetryWait <= 0 {
		l.MaxRetryWait = DefaultMaxRetryWait
	}
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = DefaultMaxAttempts
	}
	if l.MaxTotalWait <= 0 {
		l.MaxTotalWait = DefaultMaxTotalWait
	}
	return l
}

// Backoff sleeps wait before attempt+1 of a request to vendor that failed with cause, or
// returns why it will not: too many attempts, a wait too long to hold a worker, or the
// fetch's budget spent. Those errors wrap cause so its classification stays.
func (l RetryLimits) Backoff(ctx context.Context, vendor string, attempt int, wait time.Duration, budget *RetryBudget,
	sleep func(context.Context, time.Duration) error, cause error) error {
	if attempt >= l.MaxAttempts {
		return fmt.Errorf("%w (gave up after %d attempts)", cause, attempt)
	}
	if wait > l.MaxRetryWait {
		return fmt.Errorf("%w; %s asks to wait %s, the sync tries again later", cause, vendor, wait)
	}
	if !budget.Take(wait) {
		return fmt.Errorf("%w; the sync already waited %s for %s's rate limit and tries again later",
			cause, budget.Spent().Round(time.Second), vendor)
	}
	return sleep(ctx, wait)
}

// FetchOutcome keeps what an HR system client's last successful FetchRecords skipped and
// warned about; clients embed it to serve SkipReporter and WarningReporter.
type FetchOutcome struct {
	skipped  atomic.Int64
	warnings atomic.Value // []string
}

// Skipped is how many people the last successful FetchRecords could not import (no or an
// invalid work email, a shared id): they are records with Skip set, so the preview names them.
func (o *FetchOutcome) Skipped() int { return int(o.skipped.Load()) }

// Warnings are the last successful FetchRecords' run-level warnings: each field or attribute
// the credentials cannot read, listed once.
func (o *FetchOutcome) Warnings() []string {
	w, _ := o.warnings.Load().([]string)
	return slices.Clone(w)
}

// Record stores a successful fetch's skipped count and warnings.
func (o *FetchOutcome) Record(records []directory.Record, warnings []string) {
	o.skipped.Store(int64(CountSkipped(records)))
	o.warnings.Store(warnings)
}
