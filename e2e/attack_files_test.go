package e2e

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/api/fileupload"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// zipPart is one file of a crafted zip: its content, or size bytes of spaces when nil.
type zipPart struct {
	name    string
	content []byte
	size    int
}

// zipParts writes a zip of the parts.
func zipParts(t *testing.T, parts []zipPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	for _, p := range parts {
		fw, err := w.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if p.content != nil {
			_, err = fw.Write(p.content)
		} else {
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for n := 0; n < p.size && err == nil; n += len(chunk) {
				_, err = fw.Write(chunk)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileUploadsFailTheImport uploads files crafted to exhaust a worker, through the
// streaming upload at the production limit (50 MB). Each import ends failed with the
// message that says what to fix (a file error is never retried), and the worker is still
// there for the next import.
func TestHostileUploadsFailTheImport(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Hostile Files")
	ctx := context.Background()
	workbook := zipPart{name: "xl/workbook.xml", content: []byte("<workbook/>")}
	manySheets := []zipPart{workbook}
	for i := range 10_000 {
		manySheets = append(manySheets, zipPart{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), content: []byte("<worksheet/>")})
	}
	for _, tc := range []struct {
		name, file string
		content    []byte
		want       string
	}{
		{"XLSX zip bomb (600 MB sheet)", "people.xlsx", zipParts(t, []zipPart{workbook, {name: "xl/worksheets/sheet1.xml", size: 600 << 20}}), "unpacks to more than 500 MB"},
		{"XLSX with 10,000 sheets", "people.xlsx", zipParts(t, manySheets), "parts"},
		{"50 MB CSV of delimiters", "people.csv", bytes.Repeat([]byte(";"), 50<<20), "more than 256 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := fileupload.Start(ctx, http.DefaultClient, tn.url, tn.apiToken, tc.file, bytes.NewReader(tc.content), int64(len(tc.content)), nil)
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
			if im.Status != v1.ImportStatus_IMPORT_STATUS_FAILED || !strings.Contains(im.ErrorMessage, tc.want) {
				t.Fatalf("import %v: %q, want failed with %q", im.Status, im.ErrorMessage, tc.want)
			}
		})
	}
	// The worker survived: an ordinary file still previews.
	im := tn.start(t, "people.csv", []byte(templateHeader+"\nAna,Silva,,,ana@hostile.example,,,,,,,,,,,,,Active\n"), nil)
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if im.Status != v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL || im.Summary.New != 1 {
		t.Fatalf("after the attacks: %v %q %v", im.Status, im.ErrorMessage, im.Summary)
	}
}
