package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/importfile"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/workflows"
)

// MaxUploadBytes is the largest file StartImport accepts (import-rules: 50 MiB).
const MaxUploadBytes = 50 << 20

// ImportServer implements ImportService.
type ImportServer struct {
	Store    *store.Store
	Temporal client.Client
	Log      *slog.Logger
	// ApprovalTimeout overrides the default 7 days (tests).
	ApprovalTimeout time.Duration
	// ReconcileAfter is how long an import stands still before a read checks that its
	// workflow still runs (0: a minute).
	ReconcileAfter time.Duration

	// watches caps each company's WatchImport streams; watchLifetime ends each one.
	watches       *companyCounter
	watchLifetime time.Duration
}

func parseID(what, id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, directory.Errorf(directory.ErrInvalid, "%q is not a valid %s id", id, what)
	}
	return n, nil
}

// StartImport stores the file, creates the import and starts its workflow.
func (s *ImportServer) StartImport(ctx context.Context, req *connect.Request[v1.StartImportRequest]) (*connect.Response[v1.StartImportResponse], error) {
	msg := req.Msg
	if err := checkUploadSize(int64(len(msg.Content))); err != nil {
		return nil, s.fail(ctx, err)
	}
	opts, optionsSource, err := s.uploadOptions(ctx, msg.Options)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	resp, err := s.startUpload(ctx, msg.FileName, opts, optionsSource, func(in store.NewImport) (int64, error) {
		in.Content = msg.Content
		return s.Store.CreateImport(ctx, in)
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(resp), nil
}

// checkUploadSize refuses empty files and files over MaxUploadBytes.
func checkUploadSize(size int64) error {
	if size <= 0 {
		return directory.Errorf(directory.ErrInvalid, "the file is empty; upload a CSV or XLSX file with a header row and one row per person")
	}
	if size > MaxUploadBytes {
		return directory.Errorf(directory.ErrInvalid, "the file is %d MiB; the limit is %d MiB. Split it or remove unused columns", size>>20, MaxUploadBytes>>20)
	}
	return nil
}

// startUpload creates an uploaded file's import with create (which stores the file) and
// starts its workflow; StartImport and the streaming upload share it.
func (s *ImportServer) startUpload(ctx context.Context, name string, opts directory.Options, optionsSource string, create func(store.NewImport) (int64, error)) (*v1.StartImportResponse, error) {
	p := principal(ctx)
	if name == "" {
		name = "upload"
	}
	// Stored with the import, so the deadline it shows is the workflow's.
	opts.ApprovalTimeout = s.approvalTimeout(opts.ApprovalTimeout)
	id, err := create(store.NewImport{CompanyID: p.CompanyID, AdminID: p.AdminID, Source: directory.SourceUpload, FileName: name, Options: opts})
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetImportOptionsSource(ctx, p.CompanyID, id, optionsSource); err != nil {
		return nil, err
	}
	if err := s.startWorkflow(ctx, p.CompanyID, id, directory.SourceUpload, opts.ApprovalTimeout); err != nil {
		_ = s.Store.FailImport(context.WithoutCancel(ctx), p.CompanyID, id, "the import could not be started; upload the file again")
		return nil, fmt.Errorf("start import workflow: %w: %w", directory.ErrUnavailable, err)
	}
	im, err := s.Store.GetImport(ctx, p.CompanyID, id)
	if err != nil {
		return nil, err
	}
	return &v1.StartImportResponse{Import: s.withExtras(ctx, p.CompanyID, importToProto(im))}, nil
}

// approvalTimeout is an import's own timeout, else the server's override (0: the default).
func (s *ImportServer) approvalTimeout(own time.Duration) time.Duration {
	if own > 0 {
		return own
	}
	return s.ApprovalTimeout
}

func (s *ImportServer) startWorkflow(ctx context.Context, companyID, importID int64, source string, approvalTimeout time.Duration) error {
	approvalTimeout = s.approvalTimeout(approvalTimeout)
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.ImportWorkflowID(companyID, importID),
		TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchCompany.ValueSet(formatID(companyID)),
			workflows.SearchSource.ValueSet(source),
			workflows.SearchStatus.ValueSet(string(directory.StatusParsing)),
		),
	}, workflows.Import, workflows.ImportInput{CompanyID: companyID, ImportID: importID, ApprovalTimeout: approvalTimeout})
	return err
}

func (s *ImportServer) fail(ctx context.Context, err error) error {
	return connectError(ctx, s.Log, err)
}

// GetImport returns one import of the caller's company.
func (s *ImportServer) GetImport(ctx context.Context, req *connect.Request[v1.GetImportRequest]) (*connect.Response[v1.GetImportResponse], error) {
	im, err := s.getImport(ctx, req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	im = s.reconcile(ctx, im)
	return connect.NewResponse(&v1.GetImportResponse{Import: s.withExtras(ctx, im.CompanyID, importToProto(im))}), nil
}

func (s *ImportServer) getImport(ctx context.Context, rawID string) (store.Import, error) {
	id, err := parseID("import", rawID)
	if err != nil {
		return store.Import{}, err
	}
	return s.Store.GetImport(ctx, principal(ctx).CompanyID, id)
}

const maxPageSize = 1000

func pageSize(requested int32, fallback int) int {
	switch {
	case requested <= 0:
		return fallback
	case requested > maxPageSize:
		return maxPageSize
	}
	return int(requested)
}

func parsePageToken(token string) (int64, error) {
	if token == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(token, 10, 64)
	if err != nil || n < 0 {
		return 0, directory.Errorf(directory.ErrInvalid, "invalid page token %q; pass the next_page_token of the previous answer", token)
	}
	return n, nil
}

// ListChanges pages through an import's preview.
func (s *ImportServer) ListChanges(ctx context.Context, req *connect.Request[v1.ListChangesRequest]) (*connect.Response[v1.ListChangesResponse], error) {
	id, err := parseID("import", req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	after, err := parsePageToken(req.Msg.PageToken)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	filter := store.ChangeFilter{HasWarnings: req.Msg.HasWarnings, Search: req.Msg.Search, AfterSeq: int(after), Limit: pageSize(req.Msg.PageSize, 100)}
	for _, k := range req.Msg.Kinds {
		kind, ok := kindFromProto(k)
		if !ok {
			return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "unknown change kind %v", k))
		}
		filter.Kinds = append(filter.Kinds, kind)
	}
	page, err := s.Store.ListChanges(ctx, principal(ctx).CompanyID, id, filter)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListChangesResponse{Total: page.Total}
	for _, c := range page.Changes {
		out.Changes = append(out.Changes, changeToProto(c))
	}
	if page.NextSeq > 0 {
		out.NextPageToken = strconv.Itoa(page.NextSeq)
	}
	return connect.NewResponse(out), nil
}

// ApproveImport records the approval in PostgreSQL, then tells the workflow. A signal to a
// workflow whose worker is down waits in Temporal, so an approval is never lost.
func (s *ImportServer) ApproveImport(ctx context.Context, req *connect.Request[v1.ApproveImportRequest]) (*connect.Response[v1.ApproveImportResponse], error) {
	p := principal(ctx)
	id, err := parseID("import", req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if req.Msg.PreviewVersion <= 0 {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrInvalid, "preview_version is required: pass the preview_version of the import you reviewed"))
	}
	if err := s.Store.ApproveImport(ctx, p, id, req.Msg.PreviewVersion); err != nil {
		return nil, s.fail(ctx, err)
	}
	err = s.Temporal.SignalWorkflow(ctx, workflows.ImportWorkflowID(p.CompanyID, id), "", workflows.SignalApprove,
		workflows.ApproveSignal{PreviewVersion: req.Msg.PreviewVersion})
	if err != nil {
		_ = s.Store.UndoApproval(context.WithoutCancel(ctx), p.CompanyID, id)
		return nil, s.fail(ctx, s.approvalNotDelivered(ctx, p.CompanyID, id, err))
	}
	im, err := s.Store.GetImport(ctx, p.CompanyID, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.ApproveImportResponse{Import: importToProto(im)}), nil
}

// RejectImport records the rejection and ends the workflow.
func (s *ImportServer) RejectImport(ctx context.Context, req *connect.Request[v1.RejectImportRequest]) (*connect.Response[v1.RejectImportResponse], error) {
	p := principal(ctx)
	id, err := parseID("import", req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.Store.RejectImport(ctx, p, id, req.Msg.Reason); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.Temporal.SignalWorkflow(ctx, workflows.ImportWorkflowID(p.CompanyID, id), "", workflows.SignalReject, nil); err != nil {
		// The rejection is recorded; the workflow then only expires, which changes nothing.
		s.Log.WarnContext(ctx, "could not signal rejection", "import", id, "error", err)
	}
	im, err := s.Store.GetImport(ctx, p.CompanyID, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RejectImportResponse{Import: importToProto(im)}), nil
}

// ListImports lists the caller's imports, newest first.
func (s *ImportServer) ListImports(ctx context.Context, req *connect.Request[v1.ListImportsRequest]) (*connect.Response[v1.ListImportsResponse], error) {
	before, err := parsePageToken(req.Msg.PageToken)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	limit := pageSize(req.Msg.PageSize, 50)
	imports, err := s.Store.ListImports(ctx, principal(ctx).CompanyID, before, limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListImportsResponse{}
	for _, im := range imports {
		out.Imports = append(out.Imports, importToProto(im))
	}
	if len(imports) == limit {
		out.NextPageToken = formatID(imports[len(imports)-1].ID)
	}
	return connect.NewResponse(out), nil
}

// watchInterval is how often WatchImport looks for a change; reconcileEvery how often it
// checks that the import's workflow still runs.
const (
	watchInterval  = 250 * time.Millisecond
	reconcileEvery = 30 * time.Second
)

// WatchImport streams the import whenever it changes, until it reaches a final status.
func (s *ImportServer) WatchImport(ctx context.Context, req *connect.Request[v1.WatchImportRequest], stream *connect.ServerStream[v1.WatchImportResponse]) error {
	ctx, done, err := s.startWatch(ctx)
	if err != nil {
		return err
	}
	defer done()
	var last, lastProgress, lastReconcile time.Time
	var lastStatus directory.ImportStatus
	ticker := time.NewTicker(watchInterval)
	defer ticker.Stop()
	for {
		im, err := s.getImport(ctx, req.Msg.ImportId)
		if err != nil {
			return s.watchFailed(ctx, err)
		}
		if time.Since(lastReconcile) >= reconcileEvery {
			im, lastReconcile = s.reconcile(ctx, im), time.Now()
		}
		var progressAt time.Time
		if im.ProgressUpdatedAt != nil {
			progressAt = *im.ProgressUpdatedAt
		}
		if !im.UpdatedAt.Equal(last) || im.Status != lastStatus || !progressAt.Equal(lastProgress) {
			last, lastStatus, lastProgress = im.UpdatedAt, im.Status, progressAt
			if err := stream.Send(&v1.WatchImportResponse{Import: s.withExtras(ctx, im.CompanyID, importToProto(im))}); err != nil {
				return err
			}
		}
		if im.Status.Final() {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil
			}
			return s.watchFailed(ctx, ctx.Err())
		case <-ticker.C:
		}
	}
}

func fileFormat(f v1.FileFormat) string {
	if f == v1.FileFormat_FILE_FORMAT_XLSX {
		return "xlsx"
	}
	return "csv"
}

func contentType(format string) string {
	if format == "xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// GetTemplate returns the import template.
func (s *ImportServer) GetTemplate(ctx context.Context, req *connect.Request[v1.GetTemplateRequest]) (*connect.Response[v1.GetTemplateResponse], error) {
	format := fileFormat(req.Msg.Format)
	var buf bytes.Buffer
	if err := importfile.WriteTemplate(&buf, format); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetTemplateResponse{
		FileName: "staffsync-import-template." + format, ContentType: contentType(format), Content: buf.Bytes(),
	}), nil
}
