package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/api/fileupload"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
)

// CredentialCheck decides whether a request carries a credential that authenticates, from
// its headers only, and returns the context that carries the caller. It is the one place
// the edge asks; swapping it swaps how callers are verified.
type CredentialCheck func(r *http.Request) (context.Context, error)

// edge guards every RPC and the streaming upload before a byte of the body is read: a caller
// without a credential that authenticates is answered from the headers alone, an address
// that keeps trying unknown tokens is slowed down, and the body is bounded before the RPC
// layer sees it. Everything else (the console's files, /healthz) passes through.
type edge struct {
	next         http.Handler
	authenticate CredentialCheck
	failures     *failureLimiter
	limits       Limits
	errors       *connect.ErrorWriter
	// observe (optional) counts refusals; served says whether a path is a served one.
	observe RPCObserver
	served  func(path string) bool
}

// errUnknownCredential marks an Authenticator's refusal of a credential it does not know:
// only these count towards an address's failed attempts.
var errUnknownCredential = errors.New("unknown credential")

func (e *edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	guarded, maxBody := e.route(r.URL.Path)
	if !guarded {
		if maxBody > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		e.next.ServeHTTP(w, r)
		return
	}
	ctx, err := e.caller(r)
	if err != nil {
		e.refuse(w, r, err)
		return
	}
	r = r.WithContext(ctx)
	if maxBody > 0 {
		// The compressed body is bounded here; the RPC layer bounds the decompressed message.
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if r.URL.Path == staffsyncv1connect.ImportServiceWatchImportProcedure {
		// A stream outlives the server's read and write timeouts; it has its own lifetime.
		deadline := time.Now().Add(e.limits.WatchLifetime + 30*time.Second)
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
	}
	e.next.ServeHTTP(w, r)
}

// route says whether a path is guarded and the most compressed body it may send (0: the
// handler bounds it itself, as the streaming upload does, or nothing is sent).
func (e *edge) route(path string) (guarded bool, maxBody int64) {
	switch {
	case isPublicGRPC(path):
		// gRPC health and reflection answer without a credential (grpctools.go).
		return false, publicGRPCMaxBytes
	case path == fileupload.Path:
		return true, 0
	case path == staffsyncv1connect.ImportServiceStartImportProcedure:
		return true, e.limits.MaxUploadMessageBytes
	case strings.HasPrefix(path, "/staffsync."):
		return true, e.limits.MaxMessageBytes
	}
	return false, 0
}

// caller authenticates the request from its headers, counting unknown credentials per
// client address and refusing an address over its limit without asking the store.
func (e *edge) caller(r *http.Request) (context.Context, error) {
	if p, ok := r.Context().Value(principalKey{}).(store.Principal); ok && p.CompanyID != 0 {
		return r.Context(), nil // server code in front of the API authenticated it (WithPrincipal)
	}
	if r.Header.Get("Authorization") == "" && !hasSessionCookie(r) {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("missing API token: send 'Authorization: Bearer <token>'"))
	}
	addr := clientAddress(r)
	if !e.failures.allowed(addr) {
		return nil, connect.NewError(connect.CodeResourceExhausted, errors.New("too many unknown API tokens from your address; wait a minute and send a valid token"))
	}
	ctx, err := e.authenticate(r)
	if errors.Is(err, errUnknownCredential) {
		e.failures.failed(addr)
	}
	return ctx, err
}

func (e *edge) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		ce = connect.NewError(connect.CodeUnavailable, errors.New("cannot check the credential right now; try again"))
	}
	// The body is never read: close the connection after the answer instead of draining it,
	// which would wait for a body that may never come. A request Connect does not recognise
	// (the streaming upload) gets Connect's JSON error.
	w.Header().Set("Connection", "close")
	e.observeRefusal(r, ce)
	_ = e.errors.Write(w, r, ce)
}

// unknownCredential is the refusal of a credential nobody issued; it counts as a failed
// attempt of its address (errors.Is(err, errUnknownCredential)).
type unknownCredential struct{ message string }

func (u unknownCredential) Error() string        { return u.message }
func (u unknownCredential) Is(target error) bool { return target == errUnknownCredential }

// credentialCheck is the default CredentialCheck: the bearer token or the console's session
// cookie (with its CSRF header), checked in the store once; the interceptor reuses the caller.
func credentialCheck(a *Authenticator) CredentialCheck {
	return func(r *http.Request) (context.Context, error) {
		p, err := a.Authenticate(r.Context(), r.Header)
		if err != nil {
			return nil, err
		}
		return WithPrincipal(r.Context(), p), nil
	}
}

// hasSessionCookie reports whether the request carries the console's session cookie; the
// Authenticator checks it (and its CSRF header).
func hasSessionCookie(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	return err == nil && c.Value != ""
}
