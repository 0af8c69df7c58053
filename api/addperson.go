package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// AddPerson adds one person as a one-person import.
func (s *DirectoryServer) AddPerson(ctx context.Context, req *connect.Request[v1.AddPersonRequest]) (*connect.Response[v1.AddPersonResponse], error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("not built yet"))
}
