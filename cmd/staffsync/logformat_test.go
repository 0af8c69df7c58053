package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/staffsync/staffsync/logcontext"
)

// TestLogFormat: json writes one JSON object a line carrying the context's ids; text stays
// the default; anything else is refused with what to write.
func TestLogFormat(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	var out bytes.Buffer
	log, err := newLogger("json", &out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := logcontext.With(context.Background(), slog.Int64("company_id", 7), slog.Int64("import_id", 42), slog.String("workflow_id", "import-42"))
	log.InfoContext(ctx, "preview stored", "rows", 3)
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %q", out.String())
	}
	if line["company_id"] != float64(7) || line["import_id"] != float64(42) || line["workflow_id"] != "import-42" || line["rows"] != float64(3) {
		t.Errorf("line %v lacks the ids", line)
	}
	out.Reset()
	if _, err := newLogger("text", &out); err != nil {
		t.Fatal(err)
	}
	slog.Info("hello")
	if json.Valid(out.Bytes()) || !bytes.Contains(out.Bytes(), []byte("msg=hello")) {
		t.Errorf("text line %q", out.String())
	}
	if _, err := newLogger("yaml", &out); err == nil {
		t.Errorf("no error for --log-format yaml")
	}
}
