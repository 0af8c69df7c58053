package api

import (
	"context"
	"fmt"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/store"
)

// RevertImport builds the inverse of an applied import as a new import and starts its
// workflow, which previews it and waits for approval like an upload.
func (s *ImportServer) RevertImport(ctx context.Context, req *connect.Request[v1.RevertImportRequest]) (*connect.Response[v1.RevertImportResponse], error) {
	p := principal(ctx)
	id, err := parseID("import", req.Msg.ImportId)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	created, err := s.Store.CreateRevertImport(ctx, p, id, time.Now())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.startWorkflow(ctx, p.CompanyID, created.ImportID, store.SourceRevert, 0); err != nil {
		_ = s.Store.FailImport(context.WithoutCancel(ctx), p.CompanyID, created.ImportID, "the revert could not be started; revert the import again")
		return nil, s.fail(ctx, fmt.Errorf("start revert workflow: %w: %w", directory.ErrUnavailable, err))
	}
	im, err := s.Store.GetImport(ctx, p.CompanyID, created.ImportID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RevertImportResponse{
		Import: importToProto(im), KeptFields: int64(created.Kept), SkippedPeople: int64(created.Skipped),
	}), nil
}
