// Package fileupload is the client of the API's streaming file upload (POST Path): the
// CLI and the benchmark send import files with it instead of inside a StartImport message,
// so neither side holds the whole file in memory.
package fileupload

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// Path is the upload endpoint, relative to the API's base URL.
const Path = "/v1/imports/upload"

// Start uploads size bytes of content as fileName with opts and returns the import it
// started, as StartImport would. An error from the API is a *connect.Error with the API's
// code and message.
func Start(ctx context.Context, client *http.Client, baseURL, token, fileName string, content io.Reader, size int64, opts *v1.ImportOptions) (*v1.Import, error) {
	query := url.Values{"file_name": {fileName}}
	if opts != nil {
		raw, err := protojson.Marshal(opts)
		if err != nil {
			return nil, fmt.Errorf("encode import options: %w", err)
		}
		query.Set("options", string(raw))
	}
	if size == 0 {
		// net/http sends a zero length with a body as chunked; the API answers an empty
		// file only to an explicit Content-Length of 0.
		content = http.NoBody
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(baseURL, "/")+Path+"?"+query.Encode(), content)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, fmt.Errorf("upload %s: %w", fileName, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, fmt.Errorf("read the answer to the upload: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, decodeError(resp.StatusCode, body)
	}
	var out v1.StartImportResponse
	if err := protojson.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("decode the answer to the upload: %w", err)
	}
	return out.GetImport(), nil
}

// decodeError reads Connect's JSON error ({"code": "invalid_argument", "message": ...}).
func decodeError(status int, body []byte) error {
	var wire struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	var code connect.Code
	if json.Unmarshal(body, &wire) != nil || code.UnmarshalText([]byte(wire.Code)) != nil {
		return connect.NewError(connect.CodeUnknown, fmt.Errorf("the upload failed with HTTP %d: %s", status, strings.TrimSpace(string(body))))
	}
	return connect.NewError(code, fmt.Errorf("%s", wire.Message))
}
