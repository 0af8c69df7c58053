package api

import (
	"context"
	"errors"
	"strings"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/store"
)

type principalKey struct{}

// authInterceptor checks the bearer token of every call and puts the caller's company and
// admin into the context; a handler can only ever see its caller's company.
type authInterceptor struct {
	store *store.Store
}

func (a *authInterceptor) authenticate(ctx context.Context, header string) (context.Context, error) {
	if _, ok := ctx.Value(principalKey{}).(store.Principal); ok {
		return ctx, nil // the edge authenticated the request before its body was read
	}
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("missing API token: send 'Authorization: Bearer <token>'"))
	}
	p, err := a.store.Authenticate(ctx, strings.TrimSpace(token))
	if errors.Is(err, directory.ErrNotFound) {
		return nil, connect.NewError(connect.CodeUnauthenticated, unknownCredential{"unknown API token"})
	}
	if err != nil {
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("cannot check the API token right now; try again"))
	}
	return context.WithValue(ctx, principalKey{}, p), nil
}

func (a *authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, err := a.authenticate(ctx, req.Header().Get("Authorization"))
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (a *authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (a *authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := a.authenticate(ctx, conn.RequestHeader().Get("Authorization"))
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// principal returns the authenticated caller.
func principal(ctx context.Context) store.Principal {
	p, _ := ctx.Value(principalKey{}).(store.Principal)
	return p
}
