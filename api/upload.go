package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/staffsync/staffsync/api/fileupload"
	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
)

// uploadHandler, at fileupload.Path, starts an import from a file sent as the raw request
// body: POST with "Authorization: Bearer <token>", a Content-Length, the query parameters
// file_name and options (ImportOptions in its JSON form, optional). The answer is
// StartImportResponse as JSON; errors are Connect's JSON errors. Unlike StartImport, whose
// message must be read whole before it is decoded, the file streams straight into
// PostgreSQL: a 17 MB file starts in a quarter of the time and the API's memory does not
// grow with it.
type uploadHandler struct {
	imports *ImportServer
	auth    *authInterceptor
	errors  *connect.ErrorWriter
	// slots bounds the uploads streaming at once: each holds a PostgreSQL connection until
	// its last byte arrives, and slow clients must not take the whole pool. perCompany
	// bounds one company's share of them, so its slow uploads cannot block the others.
	slots      chan struct{}
	perCompany *companyCounter
	// timeout is how long one upload may take (default 10 minutes: 50 MiB at 100 KB/s).
	timeout time.Duration
	// observe (optional) counts the upload's outcome by code.
	observe RPCObserver
}

func newUploadHandler(imports *ImportServer, auth *authInterceptor, limits Limits) *uploadHandler {
	return &uploadHandler{imports: imports, auth: auth, errors: connect.NewErrorWriter(),
		slots: make(chan struct{}, limits.UploadSlots), perCompany: newCompanyCounter(limits.UploadSlotsPerCompany), timeout: limits.UploadTimeout}
}

func (h *uploadHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Authenticate before anything of the request is read; the role check needs the options.
	p, err := h.auth.principalOf(r.Context(), r.Header)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	var protoOptions v1.ImportOptions
	if raw := r.URL.Query().Get("options"); raw != "" {
		if err := protojson.Unmarshal([]byte(raw), &protoOptions); err != nil {
			h.fail(w, r, directory.Errorf(directory.ErrInvalid, "the options parameter is not ImportOptions in JSON (%v); send for example {\"deactivateMissing\":true}", err))
			return
		}
	}
	procedure := staffsyncv1connect.ImportServiceStartImportProcedure
	var resp *v1.StartImportResponse
	err = checkRole(p, procedure, &protoOptions)
	if err == nil {
		resp, err = h.upload(ctx, w, r, &protoOptions)
		err = connectError(ctx, h.imports.Log, err)
	}
	var out any
	if resp != nil {
		out = resp
	}
	h.auth.record(ctx, p, procedure, r.RemoteAddr, &v1.StartImportRequest{FileName: r.URL.Query().Get("file_name"), Options: &protoOptions}, out, err)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := protojson.Marshal(resp)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	h.observed(nil)
}

// upload streams the body into a new import.
func (h *uploadHandler) upload(ctx context.Context, w http.ResponseWriter, r *http.Request, protoOptions *v1.ImportOptions) (*v1.StartImportResponse, error) {
	if r.ContentLength < 0 {
		return nil, directory.Errorf(directory.ErrInvalid, "send the file with a Content-Length header (chunked uploads are not accepted)")
	}
	if err := checkUploadSize(r.ContentLength); err != nil {
		return nil, err
	}
	opts, optionsSource, err := h.imports.uploadOptions(ctx, protoOptions)
	if err != nil {
		return nil, err
	}
	company := principal(ctx).CompanyID
	if !h.perCompany.acquire(company) {
		return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf(
			"your company already has %d upload(s) in progress; wait until it finishes, then upload again", h.perCompany.limit))
	}
	defer h.perCompany.release(company)
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	// The upload may take longer than the server's read and write timeouts allow a request.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(h.timeout))
	_ = rc.SetWriteDeadline(time.Now().Add(h.timeout + 30*time.Second))
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return nil, directory.Errorf(directory.ErrUnavailable, "other uploads took too long to finish; upload the file again")
	}
	body := http.MaxBytesReader(w, r.Body, r.ContentLength)
	return h.imports.startUpload(ctx, r.URL.Query().Get("file_name"), opts, optionsSource, func(in store.NewImport) (int64, error) {
		return h.imports.Store.CreateImportFromStream(ctx, in, body, r.ContentLength)
	})
}

func (h *uploadHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	ce := connectError(r.Context(), h.imports.Log, err)
	h.observed(ce)
	_ = h.errors.Write(w, r, ce)
}

func (h *uploadHandler) observed(err error) {
	if h.observe != nil {
		h.observe(fileupload.Path, codeName(err))
	}
}
