package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// GetImportDefaults returns the company's import configuration.
func (s *ImportServer) GetImportDefaults(ctx context.Context, req *connect.Request[v1.GetImportDefaultsRequest]) (*connect.Response[v1.GetImportDefaultsResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not built yet"))
}

// UpdateImportDefaults replaces the company's import configuration.
func (s *ImportServer) UpdateImportDefaults(ctx context.Context, req *connect.Request[v1.UpdateImportDefaultsRequest]) (*connect.Response[v1.UpdateImportDefaultsResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not built yet"))
}
