package api

import (
	"context"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/workflows"
)

// FetchPreview asks the integration's sync for one run that previews and waits for an
// admin, whether automatic runs are on, off or paused (the seeds' "Fetch" button).
func (s *IntegrationServer) FetchPreview(ctx context.Context, req *connect.Request[v1.FetchPreviewRequest]) (*connect.Response[v1.FetchPreviewResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if in.CurrentImportID != 0 {
		return nil, s.fail(ctx, directory.Errorf(directory.ErrPrecondition,
			"integration %d is running (import %d); open that import's preview, or wait until it ends and fetch again", in.ID, in.CurrentImportID))
	}
	if err := s.signal(ctx, in.CompanyID, in.ID, in.Kind, workflows.SignalFetchPreview, nil); err != nil {
		return nil, s.fail(ctx, err)
	}
	return answer(s, ctx, in.CompanyID, in.ID, func(v *v1.Integration) *connect.Response[v1.FetchPreviewResponse] {
		return connect.NewResponse(&v1.FetchPreviewResponse{Integration: v})
	})
}

// SetAutomaticRuns turns scheduled runs on or off. Turning them on is the deliberate step
// after a preview: the sync reloads its schedule and runs when the next run is due.
func (s *IntegrationServer) SetAutomaticRuns(ctx context.Context, req *connect.Request[v1.SetAutomaticRunsRequest]) (*connect.Response[v1.SetAutomaticRunsResponse], error) {
	in, err := s.get(ctx, req.Msg.Id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.Store.SetAutomaticRuns(ctx, in.CompanyID, in.ID, req.Msg.Enabled, req.Msg.AutoApply); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.signal(ctx, in.CompanyID, in.ID, in.Kind, workflows.SignalReconfigure, nil); err != nil {
		return nil, s.fail(ctx, err)
	}
	return answer(s, ctx, in.CompanyID, in.ID, func(v *v1.Integration) *connect.Response[v1.SetAutomaticRunsResponse] {
		return connect.NewResponse(&v1.SetAutomaticRunsResponse{Integration: v})
	})
}
