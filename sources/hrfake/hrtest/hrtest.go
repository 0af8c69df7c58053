// Package hrtest holds the test helpers the BambooHR and Personio clients' tests share, so
// both vendors are held to the same checks. Only tests import it.
package hrtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// SleepRecorder replaces real waiting in tests and remembers what was asked.
type SleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and returns at once (with the context's error, if it ended).
func (s *SleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// Waits are the waits asked for so far.
func (s *SleepRecorder) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}

// RecordBySourceID is the record with the HR system's id, or fails t.
func RecordBySourceID(t *testing.T, records []directory.Record, id string) directory.Record {
	t.Helper()
	for _, r := range records {
		if r.SourceID == id {
			return r
		}
	}
	t.Fatalf("no record with source id %q", id)
	return directory.Record{}
}

// SplitSkipped separates the records that are imported from those skipped.
func SplitSkipped(all []directory.Record) (imported []directory.Record, skipped int) {
	for _, r := range all {
		if r.Skip != "" {
			skipped++
		} else {
			imported = append(imported, r)
		}
	}
	return imported, skipped
}

// HostileAnswer is a server standing in for the HR system and the error a fetch from it
// must end with.
type HostileAnswer struct {
	Name    string
	Handler http.HandlerFunc
	WantErr string
}

// ExpectFetchErrors fetches from each answer's server with the client connect makes for it
// and fails t unless the fetch ends with the answer's error.
func ExpectFetchErrors(t *testing.T, answers []HostileAnswer, connect func(*httptest.Server) sources.RecordSource) {
	t.Helper()
	for _, tt := range answers {
		t.Run(tt.Name, func(t *testing.T) {
			ts := httptest.NewServer(tt.Handler)
			defer ts.Close()
			_, err := connect(ts).FetchRecords(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.WantErr) {
				t.Fatalf("err = %v\nwant %s", err, tt.WantErr)
			}
		})
	}
}

// ExpectWaits fails t unless rec was asked for exactly want, in order.
func ExpectWaits(t *testing.T, rec *SleepRecorder, want ...time.Duration) {
	t.Helper()
	if got := rec.Waits(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

// Must returns a check that fails t at once on an error (for a fake's switches).
func Must(t *testing.T) func(error) {
	return func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// AccessCase is one connection test: with Hidden fields unreadable, which of the fields a
// sync depends on (status, work email, supervisor, hire date) read as readable, and how
// many warnings explain the rest.
type AccessCase struct {
	Name         string
	Hidden       []string
	WantReadable []bool
	WantWarnings int
}

// ExpectAccess runs the connection test of the client connect makes for each case's hidden
// fields and fails t unless it sees people people and reports the case's fields and warnings.
func ExpectAccess(t *testing.T, people int, cases []AccessCase, connect func(t *testing.T, hidden []string) sources.AccessReporter) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			access, err := connect(t, tt.Hidden).TestAccess(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var readable []bool
			for _, f := range access.Fields {
				readable = append(readable, f.Readable)
			}
			if access.People != people || !slices.Equal(readable, tt.WantReadable) || len(access.Warnings) != tt.WantWarnings {
				t.Errorf("access = %+v", access)
			}
		})
	}
}

// ExpectNobodyVisible fails t unless a connection test that sees no employees succeeds
// with wantWarnings warnings, the first one containing wantText.
func ExpectNobodyVisible(t *testing.T, client sources.AccessReporter, wantWarnings int, wantText string) {
	t.Helper()
	access, err := client.TestAccess(context.Background())
	if err != nil || access.People != 0 || len(access.Warnings) != wantWarnings || !strings.Contains(access.Warnings[0], wantText) {
		t.Fatalf("access = %+v, %v", access, err)
	}
}
