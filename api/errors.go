package api

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
)

// connectError maps an error to a Connect error in one place. Classified errors keep their
// admin-facing message; anything else is logged and answered without internal details.
func connectError(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	code := connect.CodeInternal
	switch {
	case errors.Is(err, directory.ErrNotFound):
		code = connect.CodeNotFound
	case errors.Is(err, directory.ErrInvalid):
		code = connect.CodeInvalidArgument
	case errors.Is(err, directory.ErrConflict):
		code = connect.CodeAborted
	case errors.Is(err, directory.ErrPrecondition):
		code = connect.CodeFailedPrecondition
	case errors.Is(err, directory.ErrPermission):
		code = connect.CodePermissionDenied
	case errors.Is(err, directory.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		code = connect.CodeUnavailable
	case errors.Is(err, context.Canceled):
		code = connect.CodeCanceled
	}
	msg := directory.PublicMessage(err)
	if msg == "" {
		switch code {
		case connect.CodeUnavailable:
			msg = "staffsync is temporarily unavailable; try again in a moment"
		default:
			msg = "internal error; the details are in the server log"
		}
		log.ErrorContext(ctx, "request failed", "error", err)
	}
	return connect.NewError(code, errors.New(msg))
}
