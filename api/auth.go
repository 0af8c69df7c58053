package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/store"
)

type principalKey struct{}

// Authenticator turns a request's credential into the calling admin. It is the one place
// that knows what a credential is, so an HTTP middleware in front of the API can refuse
// requests early with the same answer the RPCs give.
type Authenticator struct {
	Store *store.Store
}

// maxCredentialLen bounds the header before anything is hashed or looked up; staffsync's
// own tokens are 47 characters.
const maxCredentialLen = 256

// Authenticate returns the principal of the request's credential: an
// "Authorization: Bearer <token>" header, or else the console's session cookie, which also
// needs the session's CSRF token in the X-CSRF-Token header (another site can make a browser
// send the cookie but cannot read the CSRF cookie to copy it). Errors are Connect errors:
// Unauthenticated, PermissionDenied (CSRF) or Unavailable.
func (a *Authenticator) Authenticate(ctx context.Context, h http.Header) (store.Principal, error) {
	if h.Get("Authorization") == "" {
		if c, err := (&http.Request{Header: h}).Cookie(sessionCookie); err == nil && c.Value != "" {
			return a.session(ctx, c.Value, h.Get(csrfHeader))
		}
	}
	token, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		return store.Principal{}, connect.NewError(connect.CodeUnauthenticated, errors.New("missing API token: send 'Authorization: Bearer <token>'"))
	}
	if len(token) > maxCredentialLen {
		return store.Principal{}, connect.NewError(connect.CodeUnauthenticated, unknownCredential{"unknown API token"})
	}
	p, err := a.Store.Authenticate(ctx, token)
	if errors.Is(err, directory.ErrNotFound) {
		return store.Principal{}, connect.NewError(connect.CodeUnauthenticated, unknownCredential{directory.PublicMessage(err)})
	}
	if err != nil {
		return store.Principal{}, connect.NewError(connect.CodeUnavailable, errors.New("cannot check the API token right now; try again"))
	}
	return p, nil
}

func (a *Authenticator) session(ctx context.Context, token, csrf string) (store.Principal, error) {
	if len(token) > maxCredentialLen || len(csrf) > maxCredentialLen {
		return store.Principal{}, connect.NewError(connect.CodeUnauthenticated, unknownCredential{"you are signed out; sign in again"})
	}
	p, err := a.Store.SessionPrincipal(ctx, token, csrf, true, store.SessionIdle)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return store.Principal{}, connect.NewError(connect.CodeUnauthenticated, unknownCredential{directory.PublicMessage(err)})
	case errors.Is(err, directory.ErrPermission):
		return store.Principal{}, connect.NewError(connect.CodePermissionDenied, errors.New(directory.PublicMessage(err)))
	case err != nil:
		return store.Principal{}, connect.NewError(connect.CodeUnavailable, errors.New("cannot check the session right now; try again"))
	}
	return p, nil
}

// authInterceptor authenticates every call, refuses it unless the caller's role is at least
// the one minimumRole (and requiredRole) give its procedure, and records every call that can
// change something in the audit log. Handlers only ever see their caller's company.
type authInterceptor struct {
	auth  *Authenticator
	store *store.Store
	log   *slog.Logger
}

func newAuthInterceptor(st *store.Store, log *slog.Logger) *authInterceptor {
	return &authInterceptor{auth: &Authenticator{Store: st}, store: st, log: log}
}

// authorize authenticates and checks the role for a procedure and its request message. A
// nil context means the caller is not authenticated (nothing is audited for them).
func (a *authInterceptor) authorize(ctx context.Context, h http.Header, procedure string, msg any) (context.Context, store.Principal, error) {
	p, err := a.principalOf(ctx, h)
	if err != nil {
		return nil, store.Principal{}, err
	}
	return context.WithValue(ctx, principalKey{}, p), p, checkRole(p, procedure, msg)
}

// principalOf is the principal a middleware put in ctx, or the request's credential's.
func (a *authInterceptor) principalOf(ctx context.Context, h http.Header) (store.Principal, error) {
	if p, ok := ctx.Value(principalKey{}).(store.Principal); ok && p.CompanyID != 0 {
		return p, nil
	}
	return a.auth.Authenticate(ctx, h)
}

// checkRole refuses with PermissionDenied unless the caller's role is enough for the call.
func checkRole(p store.Principal, procedure string, msg any) error {
	need, why := requiredRole(procedure, msg)
	if p.Role.AtLeast(need) {
		return nil
	}
	if why == "" {
		why = "this needs the " + string(need) + " role"
	}
	return connect.NewError(connect.CodePermissionDenied, errors.New(why+"; you are "+string(p.Role)))
}

func (a *authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		procedure := req.Spec().Procedure
		authCtx, p, err := a.authorize(ctx, req.Header(), procedure, req.Any())
		if authCtx == nil {
			return nil, err
		}
		var resp connect.AnyResponse
		if err == nil {
			resp, err = next(authCtx, req)
		}
		if changes(req.Spec()) {
			var out any
			if resp != nil {
				out = resp.Any()
			}
			a.record(ctx, p, procedure, req.Peer().Addr, req.Any(), out, err)
		}
		return resp, err
	}
}

func (a *authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler checks server streams (WatchImport); they only read, so the role
// check cannot depend on the request message, which is received later.
func (a *authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, _, err := a.authorize(ctx, conn.RequestHeader(), conn.Spec().Procedure, nil)
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// WithPrincipal is for an HTTP middleware in front of the API that already ran
// Authenticator.Authenticate: the interceptor then uses this principal instead of checking
// the credential a second time. Only server code can set it; a request cannot.
func WithPrincipal(ctx context.Context, p store.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principal returns the authenticated caller.
func principal(ctx context.Context) store.Principal {
	p, _ := ctx.Value(principalKey{}).(store.Principal)
	return p
}
