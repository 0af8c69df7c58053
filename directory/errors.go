package directory

import (
	"errors"
	"fmt"
)

// Error classes. Every layer wraps errors with %w and context; the API maps these classes to
// Connect codes in one place, so an error is classified exactly once, where it is known.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalid      = errors.New("invalid")
	ErrConflict     = errors.New("conflict")
	ErrPrecondition = errors.New("precondition failed")
	ErrUnavailable  = errors.New("unavailable")
	// ErrPermission: the caller's role does not allow it (issue 19).
	ErrPermission = errors.New("permission denied")
)

// classified carries an admin-facing message and its class.
type classified struct {
	class error
	msg   string
}

func (e *classified) Error() string { return e.msg }
func (e *classified) Unwrap() error { return e.class }

// Errorf returns an error of the given class whose message is exactly the formatted text, so
// the API can show it to an admin as it is.
func Errorf(class error, format string, args ...any) error {
	return &classified{class: class, msg: fmt.Sprintf(format, args...)}
}

// PublicMessage returns the admin-facing message of a classified error (the outermost one in
// the chain), or "" when err carries none.
func PublicMessage(err error) string {
	var c *classified
	if errors.As(err, &c) {
		return c.msg
	}
	return ""
}
