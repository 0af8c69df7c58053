// Package sources holds the places people come from besides uploaded files: file drops
// (HTTPS, SFTP) and HR systems (BambooHR, Personio).
package sources

import (
	"context"
	"errors"

	"github.com/staffsync/staffsync/directory"
)

// A RecordSource is an HR system: it returns people as records (Row from 2, SourceID and
// ManagerSourceID set; cells as directory.Set/Keep values).
type RecordSource interface {
	FetchRecords(ctx context.Context) ([]directory.Record, error)
	CountPeople(ctx context.Context) (int, error)
}

// A WarningReporter is a RecordSource with run-level warnings for the admin after a
// successful FetchRecords (for example fields the credentials cannot read, listed once).
type WarningReporter interface {
	Warnings() []string
}

// A SkipReporter is a RecordSource that leaves some people out of FetchRecords (for example
// people without a work email) and says how many, so the preview can show the count.
type SkipReporter interface {
	// Skipped is the number of people the last successful FetchRecords left out.
	Skipped() int
}

// Errors: wrap ErrAuth (401/403: pause the integration), ErrMissingAccess (a required field
// like status/workEmail is not visible: fail loudly); other errors are retried.
//
// ErrIncompleteRoster: the source cannot prove it sent everyone (a page short of its own
// total, unique ids different from the count it reports). The run fails with the message
// and deactivates nobody; retrying later may succeed, but the integration is not paused.
var (
	ErrIncompleteRoster = errors.New("the HR system's answer is incomplete")
	ErrAuth             = errors.New("the HR system rejected the credentials")
	ErrMissingAccess    = errors.New("the credentials cannot read a required field")
)
