package importfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

var testToday = time.Date(2026, time.May, 1, 0, 0, 0, 0, time.UTC)

// readAllRecords opens data and reads every record; err is the Open or Next error.
func readAllRecords(data []byte, opts Options) (records []directory.Record, warnings []string, err error) {
	if opts.Today.IsZero() {
		opts.Today = testToday
	}
	r, err := Open(bytes.NewReader(data), int64(len(data)), "upload", opts)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = r.Close() }()
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return records, r.Warnings(), nil
		}
		if err != nil {
			return records, r.Warnings(), err
		}
		records = append(records, rec)
	}
}

// cells builds a record's cells from "key=value" (Set) and "key!" (Clear) entries.
func cells(t *testing.T, entries ...string) [directory.NumFields]directory.Value {
	t.Helper()
	var out [directory.NumFields]directory.Value
	for _, e := range entries {
		if key, ok := strings.CutSuffix(e, "!"); ok && !strings.Contains(e, "=") {
			f, found := directory.FieldByKey(key)
			if !found {
				t.Fatalf("unknown field %q", key)
			}
			out[f] = directory.Value{Op: directory.Clear}
			continue
		}
		key, value, _ := strings.Cut(e, "=")
		f, found := directory.FieldByKey(key)
		if !found {
			t.Fatalf("unknown field %q", key)
		}
		out[f] = directory.SetValue(value)
	}
	return out
}

func record(t *testing.T, row int, entries ...string) directory.Record {
	t.Helper()
	values := cells(t, entries...)
	return directory.Record{Row: row, Cells: directory.PackCells(&values)}
}

func withProblems(r directory.Record, problems ...directory.Problem) directory.Record {
	r.Problems = problems
	return r
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

func fileErrorOf(err error) *FileError {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}
