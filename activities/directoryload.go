package activities

import (
	"context"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// directoryLoad loads a company's directory while the import's records are read. Once the
// snapshot is there it absorbs every record read (directory.Snapshot.Absorb), so a re-sync
// of unchanged people does not hold every value twice. Records read before then wait
// whole, at most readAhead of them: for a very large directory the reader waits for the
// snapshot rather than hold the file and the directory at once.
type directoryLoad struct {
	ready    chan struct{} // closed when snapshot and err are set
	snapshot directory.Snapshot
	err      error
	took     time.Duration
	ahead    int // records that may wait for the snapshot (readAhead)
	absorbed int // records absorbed so far; only the reading goroutine uses it
}

// readAhead is how many records may be read ahead of the snapshot: a 50 MiB upload (about
// 300,000 rows) overlaps its load almost entirely, and 250,000 records take about 75 MiB.
const readAhead = 250_000

// startDirectoryLoad starts load (the store's Snapshot of the company) on its own goroutine.
func startDirectoryLoad(ctx context.Context, load func(context.Context) (directory.Snapshot, error)) *directoryLoad {
	l := &directoryLoad{ready: make(chan struct{}), ahead: readAhead}
	started := time.Now()
	go func() {
		defer close(l.ready)
		l.snapshot, l.err = load(ctx)
		l.took = time.Since(started)
	}()
	return l
}

// onRead is given the records read so far after each new one.
func (l *directoryLoad) onRead(ctx context.Context, read []directory.Record) {
	if len(read)-l.absorbed < l.ahead {
		select {
		case <-l.ready:
		default:
			return
		}
	} else {
		select {
		case <-l.ready:
		case <-ctx.Done():
			return // the reader fails with the context
		}
	}
	l.absorb(read)
}

func (l *directoryLoad) absorb(read []directory.Record) {
	if l.err != nil {
		return
	}
	for ; l.absorbed < len(read); l.absorbed++ {
		l.snapshot.Absorb(&read[l.absorbed])
	}
}

// finish waits for the snapshot and lets it absorb the records it has not seen yet.
func (l *directoryLoad) finish(records []directory.Record) (directory.Snapshot, error) {
	<-l.ready
	if l.err != nil {
		return directory.Snapshot{}, l.err
	}
	l.absorb(records)
	return l.snapshot, nil
}
