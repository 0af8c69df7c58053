package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/staffsync/staffsync/api/fileupload"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

const testToken = "test-token"

// fakeImports is a hand-written ImportService: it answers from canned imports and records
// what the CLI sent.
type fakeImports struct {
	staffsyncv1connect.UnimplementedImportServiceHandler

	mu sync.Mutex
	// auth holds the Authorization header of every call, streams included.
	auth []string

	started   *v1.Import
	startReqs []*v1.StartImportRequest

	// gets are GetImport's answers in turn; the last one repeats.
	gets     []*v1.Import
	getCalls int

	// watch is what WatchImport streams; watchErr, when set, is returned instead.
	watch    []*v1.Import
	watchErr error

	approved    *v1.Import
	approveErr  error
	approveReqs []*v1.ApproveImportRequest

	rejectReqs []*v1.RejectImportRequest

	// changes are served changesPerPage at a time, whatever page size the client asks for.
	changes        []*v1.Change
	changesPerPage int
	changeReqs     []*v1.ListChangesRequest

	imports []*v1.Import
}

func (f *fakeImports) record(h http.Header) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth = append(f.auth, h.Get("Authorization"))
	if h.Get("Authorization") != "Bearer "+testToken {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("unknown API token"))
	}
	return nil
}

func (f *fakeImports) StartImport(_ context.Context, req *connect.Request[v1.StartImportRequest]) (*connect.Response[v1.StartImportResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startReqs = append(f.startReqs, req.Msg)
	return connect.NewResponse(&v1.StartImportResponse{Import: f.started}), nil
}

// ServeUpload is the API's streaming upload (fileupload.Path): it records the upload as
// the StartImportRequest it stands for.
func (f *fakeImports) ServeUpload(w http.ResponseWriter, r *http.Request) {
	writeErr := func(err error) { _ = connect.NewErrorWriter().Write(w, r, err) }
	if err := f.record(r.Header); err != nil {
		writeErr(err)
		return
	}
	content, err := io.ReadAll(r.Body)
	if err != nil || int64(len(content)) != r.ContentLength {
		writeErr(connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("read %d of %d bytes: %v", len(content), r.ContentLength, err)))
		return
	}
	req := &v1.StartImportRequest{FileName: r.URL.Query().Get("file_name"), Content: content}
	if raw := r.URL.Query().Get("options"); raw != "" {
		req.Options = &v1.ImportOptions{}
		if err := protojson.Unmarshal([]byte(raw), req.Options); err != nil {
			writeErr(connect.NewError(connect.CodeInvalidArgument, err))
			return
		}
	}
	f.mu.Lock()
	f.startReqs = append(f.startReqs, req)
	started := f.started
	f.mu.Unlock()
	out, _ := protojson.Marshal(&v1.StartImportResponse{Import: started})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func (f *fakeImports) GetImport(_ context.Context, req *connect.Request[v1.GetImportRequest]) (*connect.Response[v1.GetImportResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.gets) == 0 || req.Msg.ImportId != f.gets[0].Id {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("import "+req.Msg.ImportId+" not found"))
	}
	im := f.gets[min(f.getCalls, len(f.gets)-1)]
	f.getCalls++
	return connect.NewResponse(&v1.GetImportResponse{Import: im}), nil
}

func (f *fakeImports) WatchImport(_ context.Context, req *connect.Request[v1.WatchImportRequest], stream *connect.ServerStream[v1.WatchImportResponse]) error {
	if err := f.record(req.Header()); err != nil {
		return err
	}
	if f.watchErr != nil {
		return f.watchErr
	}
	for _, im := range f.watch {
		if err := stream.Send(&v1.WatchImportResponse{Import: im}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeImports) ApproveImport(_ context.Context, req *connect.Request[v1.ApproveImportRequest]) (*connect.Response[v1.ApproveImportResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.approveReqs = append(f.approveReqs, req.Msg)
	if f.approveErr != nil {
		return nil, f.approveErr
	}
	return connect.NewResponse(&v1.ApproveImportResponse{Import: f.approved}), nil
}

func (f *fakeImports) RejectImport(_ context.Context, req *connect.Request[v1.RejectImportRequest]) (*connect.Response[v1.RejectImportResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejectReqs = append(f.rejectReqs, req.Msg)
	return connect.NewResponse(&v1.RejectImportResponse{Import: &v1.Import{Id: req.Msg.ImportId, Status: v1.ImportStatus_IMPORT_STATUS_REJECTED}}), nil
}

func (f *fakeImports) ListChanges(_ context.Context, req *connect.Request[v1.ListChangesRequest]) (*connect.Response[v1.ListChangesResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changeReqs = append(f.changeReqs, proto.Clone(req.Msg).(*v1.ListChangesRequest))
	start := 0
	if req.Msg.PageToken != "" {
		n, err := strconv.Atoi(req.Msg.PageToken)
		if err != nil {
			return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("invalid page token"))
		}
		start = n
	}
	end := min(start+min(f.changesPerPage, int(req.Msg.PageSize)), len(f.changes))
	out := &v1.ListChangesResponse{Changes: f.changes[start:end], Total: int64(len(f.changes))}
	if end < len(f.changes) {
		out.NextPageToken = strconv.Itoa(end)
	}
	return connect.NewResponse(out), nil
}

func (f *fakeImports) ListImports(_ context.Context, req *connect.Request[v1.ListImportsRequest]) (*connect.Response[v1.ListImportsResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	return connect.NewResponse(&v1.ListImportsResponse{Imports: f.imports}), nil
}

func (f *fakeImports) GetTemplate(_ context.Context, req *connect.Request[v1.GetTemplateRequest]) (*connect.Response[v1.GetTemplateResponse], error) {
	if err := f.record(req.Header()); err != nil {
		return nil, err
	}
	if req.Msg.Format == v1.FileFormat_FILE_FORMAT_XLSX {
		return connect.NewResponse(&v1.GetTemplateResponse{FileName: "staffsync-import-template.xlsx", Content: []byte("PK\x03\x04xlsx")}), nil
	}
	return connect.NewResponse(&v1.GetTemplateResponse{FileName: "staffsync-import-template.csv", Content: []byte("First Name,Last Name\n")}), nil
}

// fakeDirectory serves people two per page.
type fakeDirectory struct {
	staffsyncv1connect.UnimplementedDirectoryServiceHandler
	mu     sync.Mutex
	people []*v1.Person
	reqs   []*v1.ListPeopleRequest
}

func (f *fakeDirectory) ListPeople(_ context.Context, req *connect.Request[v1.ListPeopleRequest]) (*connect.Response[v1.ListPeopleResponse], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, proto.Clone(req.Msg).(*v1.ListPeopleRequest))
	start, _ := strconv.Atoi(req.Msg.PageToken)
	end := min(start+2, len(f.people))
	out := &v1.ListPeopleResponse{People: f.people[start:end], BillableCount: 57, Total: int64(len(f.people))}
	if end < len(f.people) {
		out.NextPageToken = strconv.Itoa(end)
	}
	return connect.NewResponse(out), nil
}

func (f *fakeDirectory) ExportDirectory(_ context.Context, req *connect.Request[v1.ExportDirectoryRequest]) (*connect.Response[v1.ExportDirectoryResponse], error) {
	return connect.NewResponse(&v1.ExportDirectoryResponse{FileName: "staffsync-directory.csv", ContentType: "text/csv", Content: []byte("First Name,Email\nAnn,ann@example.com\n")}), nil
}

func startFakeServer(t *testing.T, imports *fakeImports, dir *fakeDirectory) string {
	t.Helper()
	if imports == nil {
		imports = &fakeImports{}
	}
	if dir == nil {
		dir = &fakeDirectory{}
	}
	mux := http.NewServeMux()
	mux.Handle(staffsyncv1connect.NewImportServiceHandler(imports))
	mux.Handle("POST "+fileupload.Path, http.HandlerFunc(imports.ServeUpload))
	mux.Handle(staffsyncv1connect.NewDirectoryServiceHandler(dir))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}
