package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTemporalHandlerKeepsOneLabelSetPerName: the SDK's counters, gauges and timers land
// in the registry with their tags as labels; a later use of a name with other tags neither
// fails nor breaks the scrape.
func TestTemporalHandlerKeepsOneLabelSetPerName(t *testing.T) {
	reg := New()
	h := reg.Temporal().WithTags(map[string]string{"namespace": "default", "operation": "StartWorkflowExecution"})
	h.Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"extra": "dropped"}).Counter("temporal_request").Inc(1)
	reg.Temporal().Counter("temporal_request").Inc(1)
	h.Gauge("temporal_num_pollers").Update(3)
	h.Timer("temporal_request_latency").Record(20 * time.Millisecond)
	h.Gauge("temporal_request").Update(1) // the name is a counter's: ignored

	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`temporal_request_total{namespace="default",operation="StartWorkflowExecution"} 3`,
		`temporal_request_total{namespace="",operation=""} 1`,
		`temporal_num_pollers{namespace="default",operation="StartWorkflowExecution"} 3`,
		`temporal_request_latency_seconds_count{namespace="default",operation="StartWorkflowExecution"} 1`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, grepLines(text, "temporal_"))
		}
	}
	if strings.Contains(text, "dropped") {
		t.Errorf("an extra tag became a label")
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
