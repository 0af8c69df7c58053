package e2e

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// logLines keeps the last lines written to it (at most a MiB).
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len()+len(p) > 1<<20 {
		l.buf.Reset()
	}
	return l.buf.Write(p)
}

func (l *logLines) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestImportLogLinesCarryTheirIDs: a line an import's activity logs (JSON, as with
// --log-format json) carries the company id, the import id and the workflow id.
func TestImportLogLinesCarryTheirIDs(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Logs Ltd")
	im := tn.start(t, "people.csv", exampleAt(t, "people.csv", "logs.example"), nil)
	tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	importID, _ := strconv.ParseFloat(im.Id, 64)
	var found map[string]any
	for _, l := range s.activityLogs.lines() {
		if l["msg"] == "preview stored" && l["import_id"] == importID {
			found = l
		}
	}
	if found == nil {
		t.Fatalf("no 'preview stored' line of import %s among the activity logs", im.Id)
	}
	if found["company_id"] != float64(tn.companyID) {
		t.Errorf("company_id = %v, want %d (line %v)", found["company_id"], tn.companyID, found)
	}
	if wf, _ := found["workflow_id"].(string); wf == "" {
		t.Errorf("no workflow_id in %v", found)
	}
	if found["activity"] != "PreviewImport" {
		t.Errorf("activity = %v, want PreviewImport", found["activity"])
	}
}
