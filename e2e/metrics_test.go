package e2e

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// scrape reads /metrics without a credential and returns each sample line's value by its
// name and labels as written (`name{a="b"}`).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape: %s %s", resp.Status, body)
	}
	out := map[string]float64{}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("scrape: bad line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetricsMoveDuringAnImport: /metrics answers without a credential, has the Go,
// process and Temporal SDK metrics, and staffsync's import metrics move as an import is
// previewed and applied: imports awaiting approval, rows read, applied imports and their
// changes, the phases' durations and the RPCs by code.
func TestMetricsMoveDuringAnImport(t *testing.T) {
	s := getStack(t)
	url := s.server.URL
	tn := s.newTenant(t, "Metrics Ltd")
	const (
		awaiting    = `staffsync_imports{source="upload",status="awaiting_approval"}`
		applied     = `staffsync_imports{source="upload",status="applied"}`
		rowsApplied = `staffsync_import_rows_read{source="upload",status="applied"}`
		changesNew  = `staffsync_import_changes_applied{kind="new"}`
		previews    = `staffsync_activity_duration_seconds_count{activity="PreviewImport",outcome="ok"}`
		applies     = `staffsync_activity_duration_seconds_count{activity="ApplyImport",outcome="ok"}`
		started     = `staffsync_rpc_total{code="ok",procedure="/staffsync.v1.ImportService/StartImport"}`
		refused     = `staffsync_rpc_total{code="unauthenticated",procedure="/staffsync.v1.DirectoryService/ListPeople"}`
	)
	before := scrape(t, url)
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "staffsync_operator_stats_up", "staffsync_imports_awaiting_approval"} {
		if _, ok := before[name]; !ok {
			t.Errorf("no %s before the import", name)
		}
	}
	if before["staffsync_operator_stats_up"] != 1 {
		t.Errorf("operator stats not read: %v", before["staffsync_operator_stats_up"])
	}

	content := exampleAt(t, "people.csv", "metrics.example")
	rows := float64(strings.Count(strings.TrimSpace(string(content)), "\n"))
	im := tn.start(t, "people.csv", content, nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	during := scrape(t, url)
	if during[awaiting] < before[awaiting]+1 || during["staffsync_imports_awaiting_approval"] < 1 {
		t.Errorf("awaiting approval: %v -> %v (total %v), want one more", before[awaiting], during[awaiting], during["staffsync_imports_awaiting_approval"])
	}
	if during["staffsync_import_awaiting_approval_oldest_seconds"] <= 0 {
		t.Errorf("oldest awaiting approval: %v, want > 0", during["staffsync_import_awaiting_approval_oldest_seconds"])
	}
	if during[previews] < before[previews]+1 {
		t.Errorf("preview durations: %v -> %v, want one more", before[previews], during[previews])
	}
	if during[started] < before[started]+1 {
		t.Errorf("StartImport ok: %v -> %v, want one more", before[started], during[started])
	}

	tn.approve(t, im)
	resp, err := http.Post(url+"/staffsync.v1.DirectoryService/ListPeople", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := scrape(t, url)
	checks := []struct {
		name string
		more float64
	}{
		{applied, 1}, {rowsApplied, rows}, {changesNew, rows}, {applies, 1}, {refused, 1},
	}
	for _, c := range checks {
		if after[c.name] < before[c.name]+c.more {
			t.Errorf("%s: %v -> %v, want at least %v more", c.name, before[c.name], after[c.name], c.more)
		}
	}
	var temporal int
	for name := range after {
		if strings.HasPrefix(name, "temporal_") {
			temporal++
		}
	}
	if temporal == 0 {
		t.Errorf("no temporal_ SDK metrics")
	}
	for name := range after {
		if strings.Contains(name, "metrics.example") || strings.Contains(name, "Metrics Ltd") {
			t.Errorf("a label carries company or people data: %s", name)
		}
	}
}
