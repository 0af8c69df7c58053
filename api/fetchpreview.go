package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// FetchPreview fetches the source now and previews it without auto-apply.
func (s *IntegrationServer) FetchPreview(ctx context.Context, req *connect.Request[v1.FetchPreviewRequest]) (*connect.Response[v1.FetchPreviewResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not built yet"))
}

// SetAutomaticRuns turns scheduled runs on or off.
func (s *IntegrationServer) SetAutomaticRuns(ctx context.Context, req *connect.Request[v1.SetAutomaticRunsRequest]) (*connect.Response[v1.SetAutomaticRunsResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not built yet"))
}
