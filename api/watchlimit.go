package api

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
)

// errWatchLifetime ends a WatchImport stream that has run for the server's watch lifetime.
var errWatchLifetime = errors.New("this watch reached its maximum lifetime; watch the import again")

// startWatch takes one of the company's watch streams and bounds the stream's lifetime;
// done gives the stream back.
func (s *ImportServer) startWatch(ctx context.Context) (context.Context, func(), error) {
	if s.watches == nil {
		return ctx, func() {}, nil
	}
	company := principal(ctx).CompanyID
	if !s.watches.acquire(company) {
		return nil, nil, connect.NewError(connect.CodeResourceExhausted,
			fmt.Errorf("your company already watches %d imports at once; close a watch (or poll GetImport) and try again", s.watches.limit))
	}
	ctx, cancel := context.WithTimeoutCause(ctx, s.watchLifetime, errWatchLifetime)
	return ctx, func() { cancel(); s.watches.release(company) }, nil
}

// watchFailed maps a watch's error; one caused by the end of its lifetime says so.
func (s *ImportServer) watchFailed(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errWatchLifetime) {
		return connect.NewError(connect.CodeDeadlineExceeded, errWatchLifetime)
	}
	return s.fail(ctx, err)
}
