package activities

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/store"
)

// An incomplete roster fails the run with its message and never pauses, even when the
// error also wraps ErrAuth. (Pausing writes to the store, which this Activities lacks: a
// pause would panic here.)
func TestIncompleteRosterFailsWithoutPausing(t *testing.T) {
	a := &Activities{}
	for _, err := range []error{
		sources.Errorf(sources.ErrIncompleteRoster, "Personio says it has 25 employees but sent 24; nobody is deactivated"),
		fmt.Errorf("%w while renewing: %w", sources.ErrIncompleteRoster, sources.ErrAuth),
	} {
		got, ferr := a.sourceFailed(context.Background(), store.Integration{ID: 1, Kind: "personio"}, err)
		if ferr != nil || !got.Failed || got.AuthFailed || got.Error != err.Error() {
			t.Errorf("%v: result %+v (%v), want a failed run with the message, not paused", err, got, ferr)
		}
	}
}

type warningSource struct{ warnings []string }

func (warningSource) FetchRecords(context.Context) ([]directory.Record, error) { return nil, nil }
func (warningSource) CountPeople(context.Context) (int, error)                 { return 0, nil }
func (w warningSource) Warnings() []string                                     { return w.warnings }

func TestRunWarnings(t *testing.T) {
	records := []directory.Record{{Row: 2, SourceID: "1"}, {Row: 3, SourceID: "2", Skip: "no work email"}, {Row: 4, SourceID: "3", Skip: "no work email"}}
	many := make([]string, 60)
	for i := range many {
		many[i] = strings.Repeat("x", 600)
	}
	for _, tc := range []struct {
		name    string
		src     sources.RecordSource
		records []directory.Record
		want    []string
	}{
		{"nothing to say", warningSource{}, records[:1], nil},
		{"skipped people are counted, the source's warnings follow", warningSource{[]string{"the key cannot read supervisor"}}, records,
			[]string{"2 people sent by Personio could not be imported", "the key cannot read supervisor"}},
		{"one skipped person", warningSource{}, records[:2], []string{"1 person sent by Personio could not be imported"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runWarnings("personio", tc.src, tc.records)
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("warning %d = %q, want it to start with %q", i, got[i], tc.want[i])
				}
			}
		})
	}
	got := runWarnings("bamboohr", warningSource{many}, nil)
	if len(got) != maxRunWarnings+1 || got[maxRunWarnings] != "more warnings were left out" || len([]rune(got[0])) != 500 {
		t.Fatalf("a flood of warnings: %d kept, first %d characters", len(got), len([]rune(got[0])))
	}
}

func TestTodayIsTheUTCDate(t *testing.T) {
	late := time.Date(2027, 1, 3, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)) // 2027-01-04 04:30 UTC
	a := &Activities{Now: func() time.Time { return late }}
	if got := a.today(); got != "2027-01-04" {
		t.Fatalf("today = %s, want the UTC date 2027-01-04", got)
	}
}
