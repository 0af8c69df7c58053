package main

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// integrationClientAPI is the generated client the integration commands call.
type integrationClientAPI = staffsyncv1connect.IntegrationServiceClient

// integrationAnswer is an answer that carries the integration as it is afterwards.
type integrationAnswer[T any] interface {
	*T
	GetIntegration() *v1.Integration
}

// integrationFor reads the one integration ID argument and makes the client.
func (a *app) integrationFor(args []string) (string, integrationClientAPI, error) {
	id, err := a.oneArg(args, "integration ID")
	if err != nil {
		return "", nil, err
	}
	cl, err := a.integrationClient()
	return id, cl, err
}

// onIntegration runs one call on the integration the only argument names and prints the
// integration it answers with; an error names verb and the ID, so every such command
// reads its argument, reports and prints the same way.
func onIntegration[T any, PT integrationAnswer[T]](ctx context.Context, a *app, args []string, verb string,
	call func(ctx context.Context, cl integrationClientAPI, id string) (*connect.Response[T], error)) error {
	id, cl, err := a.integrationFor(args)
	if err != nil {
		return err
	}
	resp, err := call(ctx, cl, id)
	if err != nil {
		return fmt.Errorf("%s integration %s: %w", verb, id, err)
	}
	return a.writeIntegration(PT(resp.Msg).GetIntegration())
}

// accessClientAPI is the generated client the access and sign-in commands call.
type accessClientAPI = staffsyncv1connect.AccessServiceClient

// callAccess makes the access client and runs one call with it; an error says what failed.
func callAccess[T any](ctx context.Context, a *app, what string,
	call func(ctx context.Context, cl accessClientAPI) (*connect.Response[T], error)) (*connect.Response[T], error) {
	cl, err := a.accessClient()
	if err != nil {
		return nil, err
	}
	resp, err := call(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return resp, nil
}
