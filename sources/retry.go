package sources

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryWait is how long a 429/503 answer asks to wait: Retry-After in seconds or as an HTTP
// date, never less than minWait (some APIs send no Retry-After at all).
func RetryWait(h http.Header, now time.Time, minWait time.Duration) time.Duration {
	wait := time.Duration(0)
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
			wait = time.Duration(secs) * time.Second
		} else if at, err := http.ParseTime(v); err == nil {
			wait = at.Sub(now)
		}
	}
	return max(wait, minWait)
}

// SleepContext waits d, or less when ctx ends first.
func SleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
