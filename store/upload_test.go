package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

// failingReader gives its data, then fails the way a dropped connection does.
type failingReader struct{ data io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset by peer")
	}
	return n, err
}

func TestCreateImportFromStream(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Stream")
	content := []byte(strings.Repeat("First name,Last name,Email\nAnn,Lee,ann@s.example\n", 20000))
	newImport := NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: directory.SourceUpload,
		FileName: "people.csv", Options: directory.DefaultOptions()}

	id, err := st.CreateImportFromStream(ctx, newImport, bytes.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatal(err)
	}
	name, stored, err := st.ImportFile(ctx, p.CompanyID, id)
	if err != nil || name != "people.csv" || !bytes.Equal(stored, content) {
		t.Fatalf("stored file %q of %d bytes (%v), want people.csv of %d bytes", name, len(stored), err, len(content))
	}
	var size int64
	var sum []byte
	if err := st.pool.QueryRow(ctx, `SELECT size, sha256 FROM import_files WHERE import_id = $1`, id).Scan(&size, &sum); err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256(content); size != int64(len(content)) || !bytes.Equal(sum, want[:]) {
		t.Fatalf("size %d, sha256 %x; want %d, %x", size, sum, len(content), want)
	}

	before, err := st.ListImports(ctx, p.CompanyID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		content io.Reader
		size    int64
	}{
		"stream shorter than announced": {bytes.NewReader(content[:1000]), int64(len(content))},
		"stream that fails midway":      {failingReader{bytes.NewReader(content[:1000])}, int64(len(content))},
		"no bytes announced":            {bytes.NewReader(nil), 0},
	}
	for name, tc := range tests {
		if _, err := st.CreateImportFromStream(ctx, newImport, tc.content, tc.size); err == nil {
			t.Errorf("%s: stored, want an error", name)
		}
	}
	if _, err := st.CreateImportFromStream(ctx, newImport, bytes.NewReader(content[:10]), 20); !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("short stream: %v, want invalid (the admin must upload again)", err)
	}
	if _, err := st.CreateImportFromStream(ctx, newImport, failingReader{bytes.NewReader(content[:10])}, 20); !errors.Is(err, directory.ErrInvalid) ||
		!strings.Contains(err.Error(), "upload the file again") {
		t.Errorf("broken stream: %v, want invalid, asking to upload again", err)
	}
	after, err := st.ListImports(ctx, p.CompanyID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("failed uploads left %d imports behind", len(after)-len(before))
	}
}
