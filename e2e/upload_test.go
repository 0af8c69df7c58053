package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/staffsync/staffsync/api/fileupload"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// The streaming upload starts the same import as StartImport, with its options, and
// refuses bad uploads with Connect's codes and a message that says what to fix.
func TestStreamingUpload(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Streamline Freight")
	ctx := context.Background()
	file := exampleAt(t, "people.csv", "streamline.example")

	im, err := fileupload.Start(ctx, http.DefaultClient, tn.url, tn.apiToken, "people.csv", bytes.NewReader(file), int64(len(file)),
		&v1.ImportOptions{DeactivateMissing: proto.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	im = tn.waitFor(t, im.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL, v1.ImportStatus_IMPORT_STATUS_FAILED)
	if im.Status != v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL || im.Summary.New != int64(countRows(t, file)) {
		t.Fatalf("uploaded import is %v (%s) with %v, want a preview of %d new people", im.Status, im.ErrorMessage, im.Summary, countRows(t, file))
	}
	if im.FileName != "people.csv" || !im.GetOptions().GetDeactivateMissing() {
		t.Fatalf("import file %q, options %v; want people.csv with deactivate_missing", im.FileName, im.GetOptions())
	}

	rawUpload := func(query string, body io.Reader, size int64) error {
		req, err := http.NewRequest(http.MethodPost, tn.url+fileupload.Path+query, body)
		if err != nil {
			return err
		}
		req.ContentLength = size
		req.Header.Set("Authorization", "Bearer "+tn.apiToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		return errors.New(resp.Status + " " + string(answer))
	}
	tests := map[string]struct {
		upload   func() error
		code     connect.Code
		contains string
	}{
		"unknown token": {func() error {
			_, err := fileupload.Start(ctx, http.DefaultClient, tn.url, "sst_nope", "people.csv", bytes.NewReader(file), int64(len(file)), nil)
			return err
		}, connect.CodeUnauthenticated, "unknown API token"},
		"empty file": {func() error {
			// A file, as the CLI sends it: not a reader net/http knows to be empty.
			_, err := fileupload.Start(ctx, http.DefaultClient, tn.url, tn.apiToken, "people.csv", io.MultiReader(), 0, nil)
			return err
		}, connect.CodeInvalidArgument, "the file is empty"},
		"no Content-Length": {func() error {
			_, err := fileupload.Start(ctx, http.DefaultClient, tn.url, tn.apiToken, "people.csv", io.MultiReader(bytes.NewReader(file)), -1, nil)
			return err
		}, connect.CodeInvalidArgument, "Content-Length"},
	}
	for name, tc := range tests {
		err := tc.upload()
		if connect.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: %v, want %v mentioning %q", name, err, tc.code, tc.contains)
		}
	}
	// Options that are not ImportOptions JSON: HTTP 400 with Connect's error body.
	err = rawUpload("?file_name=a.csv&options=%7Bnope", bytes.NewReader(file), int64(len(file)))
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "invalid_argument") || !strings.Contains(err.Error(), "ImportOptions") {
		t.Errorf("bad options: %v, want 400 invalid_argument naming ImportOptions", err)
	}
	imports, err := tn.imports.ListImports(ctx, connect.NewRequest(&v1.ListImportsRequest{}))
	if err != nil || len(imports.Msg.Imports) != 1 {
		t.Fatalf("refused uploads must not create imports: %d imports, %v", len(imports.Msg.GetImports()), err)
	}
}
