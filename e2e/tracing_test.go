package e2e

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// spanRecorder keeps ended spans in memory only while recording, so the shared stack's
// other tests do not pile spans up.
type spanRecorder struct {
	on    atomic.Bool
	mu    sync.Mutex
	ended []sdktrace.ReadOnlySpan
}

func (r *spanRecorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *spanRecorder) Shutdown(context.Context) error                  { return nil }
func (r *spanRecorder) ForceFlush(context.Context) error                { return nil }
func (r *spanRecorder) OnEnd(s sdktrace.ReadOnlySpan) {
	if !r.on.Load() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = append(r.ended, s)
}

// record starts keeping spans until the test ends.
func (r *spanRecorder) record(t *testing.T) {
	r.mu.Lock()
	r.ended = nil
	r.mu.Unlock()
	r.on.Store(true)
	t.Cleanup(func() { r.on.Store(false) })
}

func (r *spanRecorder) of(traceID trace.TraceID) []sdktrace.ReadOnlySpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.ended {
		if s.SpanContext().TraceID() == traceID {
			out = append(out, s)
		}
	}
	return out
}

// TestOneTraceFromStartImportToTheApplySQL: the StartImport RPC's trace continues into the
// import workflow, its activities and their SQL, up to the apply's writes after the
// approval; no span carries a person's email.
func TestOneTraceFromStartImportToTheApplySQL(t *testing.T) {
	s := getStack(t)
	s.spans.record(t)
	tn := s.newTenant(t, "Tracing Ltd")
	im := tn.start(t, "people.csv", exampleAt(t, "people.csv", "tracing.example"), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if applied := tn.approve(t, im); applied.Status != v1.ImportStatus_IMPORT_STATUS_APPLIED {
		t.Fatalf("import ended %v", applied.Status)
	}

	var root sdktrace.ReadOnlySpan
	s.spans.mu.Lock()
	for _, sp := range s.spans.ended {
		if sp.Name() == "staffsync.v1.ImportService/StartImport" {
			root = sp
		}
	}
	s.spans.mu.Unlock()
	if root == nil {
		t.Fatal("no span of the StartImport RPC")
	}
	// The apply's spans end after the import is applied; give the worker a moment.
	var spans []sdktrace.ReadOnlySpan
	var apply sdktrace.ReadOnlySpan
	deadline := time.Now().Add(10 * time.Second)
	for apply == nil || !hasDescendant(spans, apply, isSQL) {
		if time.Now().After(deadline) {
			t.Fatalf("trace of StartImport has no ApplyImport activity with SQL under it; spans:\n%s", spanNames(spans))
		}
		time.Sleep(100 * time.Millisecond)
		spans = s.spans.of(root.SpanContext().TraceID())
		apply = nil
		for _, sp := range spans {
			if sp.Name() == "RunActivity:ApplyImport" {
				apply = sp
			}
		}
	}
	for _, want := range []string{"StartWorkflow:Import", "RunActivity:PreviewImport", "RunActivity:ApplyImport"} {
		if !strings.Contains(spanNames(spans), want+"\n") {
			t.Errorf("no %s span in the trace:\n%s", want, spanNames(spans))
		}
	}
	for _, sp := range spans {
		for _, a := range sp.Attributes() {
			if strings.Contains(a.Value.Emit(), "@tracing.example") {
				t.Errorf("span %s attribute %s carries an email", sp.Name(), a.Key)
			}
		}
	}
}

func isSQL(s sdktrace.ReadOnlySpan) bool { return strings.HasPrefix(s.Name(), "postgresql.") }

// hasDescendant says whether a span under parent (at any depth) matches.
func hasDescendant(spans []sdktrace.ReadOnlySpan, parent sdktrace.ReadOnlySpan, match func(sdktrace.ReadOnlySpan) bool) bool {
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
	}
	queue := []trace.SpanID{parent.SpanContext().SpanID()}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, c := range children[id] {
			if match(c) {
				return true
			}
			queue = append(queue, c.SpanContext().SpanID())
		}
	}
	return false
}

func spanNames(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Name() + "\n")
	}
	return b.String()
}
