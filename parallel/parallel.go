// Package parallel spreads independent work over the machine's cores. A panic on one of its
// goroutines comes back to the caller, where Temporal's activity runner turns it into a
// failed attempt, instead of ending the worker process with every import it runs.
package parallel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// PanicError is a panic that happened on a goroutine of this package, raised again on the
// caller's goroutine.
type PanicError struct {
	Value any
	Stack []byte // of the goroutine that panicked
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("panic: %v\n\ngoroutine that panicked:\n%s", p.Value, p.Stack)
}

// Ranges calls do for consecutive parts of [0, n) that together cover it once, on up to
// GOMAXPROCS goroutines with at least minPerPart items each; with fewer items than that it
// calls do(0, n) on the caller's goroutine. It returns when every part is done.
func Ranges(n, minPerPart int, do func(from, to int)) {
	parts := min(runtime.GOMAXPROCS(0), n/max(minPerPart, 1))
	if parts <= 1 {
		do(0, n)
		return
	}
	waits := make([]func(), parts)
	for p := range parts {
		from, to := n*p/parts, n*(p+1)/parts
		waits[p] = Start(func() { do(from, to) })
	}
	for _, wait := range waits {
		wait()
	}
}

// Start runs fn on a goroutine of its own. wait waits for it to finish and, if fn panicked,
// panics with a *PanicError on the caller's goroutine.
func Start(fn func()) (wait func()) {
	var (
		done    sync.WaitGroup
		problem *PanicError
	)
	done.Go(func() {
		defer func() {
			if v := recover(); v != nil {
				problem = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		fn()
	})
	return func() {
		done.Wait()
		if problem != nil {
			panic(problem)
		}
	}
}
