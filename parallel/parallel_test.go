package parallel

import (
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRangesCoverEveryItemOnce(t *testing.T) {
	for _, tt := range []struct{ n, minPerPart int }{{0, 10}, {1, 10}, {9, 10}, {20, 10}, {21, 10}, {1000, 1}, {7, 0}} {
		counts := make([]int32, tt.n)
		var calls atomic.Int32
		Ranges(tt.n, tt.minPerPart, func(from, to int) {
			calls.Add(1)
			for i := from; i < to; i++ {
				atomic.AddInt32(&counts[i], 1)
			}
		})
		for i, c := range counts {
			if c != 1 {
				t.Fatalf("n=%d min=%d: item %d done %d times", tt.n, tt.minPerPart, i, c)
			}
		}
		if want := max(1, min(runtime.GOMAXPROCS(0), tt.n/max(tt.minPerPart, 1))); int(calls.Load()) != want {
			t.Errorf("n=%d min=%d: %d parts, want %d", tt.n, tt.minPerPart, calls.Load(), want)
		}
	}
}

// recovered runs fn and returns what it panicked with.
func recovered(fn func()) (v any) {
	defer func() { v = recover() }()
	fn()
	return nil
}

func TestPanicsComeBackToTheCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2)) // Ranges starts goroutines only with two or more
	v := recovered(func() {
		Ranges(100, 10, func(from, to int) {
			if from > 0 {
				panic("row " + "broke")
			}
		})
	})
	var p *PanicError
	if err, ok := v.(error); !ok || !errors.As(err, &p) || p.Value != "row broke" || !strings.Contains(p.Error(), "parallel_test.go") {
		t.Fatalf("Ranges re-panicked with %#v", v)
	}

	wait := Start(func() { var m map[string]int; m["x"] = 1 })
	v = recovered(wait)
	if err, ok := v.(error); !ok || !errors.As(err, &p) || !strings.Contains(p.Error(), "assignment to entry in nil map") {
		t.Fatalf("Start's wait re-panicked with %#v", v)
	}
	if v := recovered(Start(func() {})); v != nil {
		t.Fatalf("a goroutine that did not panic: %v", v)
	}
}
