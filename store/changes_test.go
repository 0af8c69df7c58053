package store

import (
	"iter"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

// The plan works out changes on pgx's COPY goroutine: a panic there must come back as an
// error after the changes before it, not end the worker.
func TestNextChangeTurnsAPanicIntoAnError(t *testing.T) {
	changes := func(yield func(*directory.Change) bool) {
		if !yield(&directory.Change{Row: 2}) {
			return
		}
		var missing *directory.Change
		yield(&directory.Change{Row: missing.Row}) // nil dereference
	}
	next, stop := iter.Pull(iter.Seq[*directory.Change](changes))
	defer stop()
	c, ok, err := nextChange(next)
	if err != nil || !ok || c.Row != 2 {
		t.Fatalf("first change = %+v, %v, %v", c, ok, err)
	}
	c, ok, err = nextChange(next)
	if err == nil || ok || c != nil || !strings.Contains(err.Error(), "nil pointer dereference") {
		t.Fatalf("second change = %+v, %v, %v; want the panic as an error", c, ok, err)
	}
}
