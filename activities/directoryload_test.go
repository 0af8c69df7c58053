package activities

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// directoryOf has people p0..p(n-1)@x.com; recordsOf repeats them exactly.
func directoryOf(n int) (directory.Snapshot, []directory.Record) {
	people := make([]directory.Person, n)
	records := make([]directory.Record, n)
	for i := range people {
		p := &people[i]
		p.ID, p.Active = int64(i+1), true
		p.Values[directory.FirstName], p.Values[directory.LastName] = "Ann", fmt.Sprintf("Doe %d", i)
		p.Values[directory.Email] = fmt.Sprintf("p%d@x.com", i)
		var cells [directory.NumFields]directory.Value
		for _, f := range []directory.Field{directory.FirstName, directory.LastName, directory.Email} {
			cells[f] = directory.SetValue(p.Values[f])
		}
		records[i] = directory.Record{Row: i + 2, Cells: directory.PackCells(&cells)}
	}
	return directory.NewSnapshot(1, people), records
}

// absorbed reports whether the snapshot took over the record's texts.
func absorbed(rec *directory.Record) bool {
	email := rec.Cells.Get(directory.Email)
	return email.Op == directory.Set && email.Text == ""
}

func TestDirectoryLoadAbsorbsRecordsAsTheyAreRead(t *testing.T) {
	snapshot, records := directoryOf(10)
	load := startDirectoryLoad(t.Context(), func(context.Context) (directory.Snapshot, error) { return snapshot, nil })
	<-load.ready
	for i := range records {
		load.onRead(t.Context(), records[:i+1])
		if !absorbed(&records[i]) {
			t.Fatalf("record %d was not absorbed when it was read", i)
		}
	}
	if _, err := load.finish(records); err != nil {
		t.Fatal(err)
	}
}

func TestDirectoryLoadLetsTheReaderGoAheadOnlySoFar(t *testing.T) {
	snapshot, records := directoryOf(10)
	release := make(chan struct{})
	load := startDirectoryLoad(t.Context(), func(context.Context) (directory.Snapshot, error) {
		<-release
		return snapshot, nil
	})
	load.ahead = 4
	for i := range 3 {
		load.onRead(t.Context(), records[:i+1]) // returns at once: the snapshot is not needed yet
	}
	returned := make(chan struct{})
	go func() {
		load.onRead(t.Context(), records[:4])
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("the reader went 4 records ahead of the snapshot; at most 3 may wait")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-returned
	for i := range 4 {
		if !absorbed(&records[i]) {
			t.Errorf("record %d read before the snapshot was not absorbed once it came", i)
		}
	}
	got, err := load.finish(records)
	if err != nil || got.Len() != 10 {
		t.Fatalf("finish = %d people, %v", got.Len(), err)
	}
	for i := range records {
		if !absorbed(&records[i]) {
			t.Errorf("record %d was not absorbed by finish", i)
		}
	}
}

func TestDirectoryLoadReportsTheLoadError(t *testing.T) {
	_, records := directoryOf(3)
	failure := errors.New("database down")
	load := startDirectoryLoad(t.Context(), func(context.Context) (directory.Snapshot, error) { return directory.Snapshot{}, failure })
	load.onRead(t.Context(), records)
	if _, err := load.finish(records); !errors.Is(err, failure) {
		t.Fatalf("finish error = %v, want %v", err, failure)
	}
	if absorbed(&records[0]) {
		t.Error("a record was absorbed by a directory that failed to load")
	}
}
