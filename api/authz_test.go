package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/staffsync/staffsync/api/fileupload"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
	"github.com/staffsync/staffsync/store"
	"github.com/staffsync/staffsync/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// allProcedures lists every RPC of every service in the staffsync.v1 package, read from the
// generated descriptors, so a service or RPC added later is included without editing this.
func allProcedures(t *testing.T) map[string]protoreflect.MethodDescriptor {
	t.Helper()
	_ = v1.File_staffsync_v1_access_proto // link the package's descriptors
	out := map[string]protoreflect.MethodDescriptor{}
	protoregistry.GlobalFiles.RangeFilesByPackage("staffsync.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := svc.Methods().Get(j)
				out["/"+string(svc.FullName())+"/"+string(m.Name())] = m
			}
		}
		return true
	})
	if len(out) < 30 {
		t.Fatalf("found only %d RPCs; the descriptors are not linked", len(out))
	}
	return out
}

func TestEveryRPCHasARole(t *testing.T) {
	procedures := allProcedures(t)
	for p, md := range procedures {
		role, ok := minimumRole[p]
		if !ok {
			t.Errorf("%s has no entry in minimumRole: add one (everyone is refused until then)", p)
		}
		// A viewer changes nothing: whatever is not declared free of side effects needs admin.
		opts, _ := md.Options().(*descriptorpb.MethodOptions)
		// Streams cannot carry the option; WatchImport only reads.
		reads := opts.GetIdempotencyLevel() == descriptorpb.MethodOptions_NO_SIDE_EFFECTS || p == staffsyncv1connect.ImportServiceWatchImportProcedure
		if !reads && !role.AtLeast(store.RoleAdmin) {
			t.Errorf("%s can change things but needs only %s", p, role)
		}
	}
	for p, role := range minimumRole {
		if _, ok := procedures[p]; !ok {
			t.Errorf("minimumRole names %s, which is not an RPC", p)
		}
		if role.Rank() == 0 {
			t.Errorf("%s needs unknown role %q", p, role)
		}
	}
}

type roleTokens map[store.Role]string

// newRoleServer serves the real API (no Temporal: calls that pass the role check fail later
// for other reasons, which is fine) and returns a token for each role of one company.
func newRoleServer(t *testing.T) (*httptest.Server, *store.Store, roleTokens) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, ownerToken, err := st.CreateCompany(ctx, "Acme", "Olive Owner")
	if err != nil {
		t.Fatal(err)
	}
	owner, err := st.Authenticate(ctx, ownerToken)
	if err != nil {
		t.Fatal(err)
	}
	tokens := roleTokens{store.RoleOwner: ownerToken}
	for _, r := range []store.Role{store.RoleAdmin, store.RoleViewer} {
		_, secret, err := st.CreateAPIToken(ctx, owner, store.NewAPIToken{Name: string(r) + "-script", Role: r})
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = secret
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(NewHandler(Config{Store: st, Log: log}))
	t.Cleanup(srv.Close)
	return srv, st, tokens
}

func withBearer(token string) connect.ClientOption {
	return connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	}))
}

// callEmpty calls a procedure with an empty request message and returns the error code.
func callEmpty(srv *httptest.Server, procedure string, md protoreflect.MethodDescriptor, token string) connect.Code {
	ctx := context.Background()
	if md.IsStreamingServer() {
		c := connect.NewClient[emptypb.Empty, emptypb.Empty](srv.Client(), srv.URL+procedure)
		req := connect.NewRequest(&emptypb.Empty{})
		req.Header().Set("Authorization", "Bearer "+token)
		stream, err := c.CallServerStream(ctx, req)
		if err != nil {
			return connect.CodeOf(err)
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return connect.CodeOf(stream.Err())
	}
	c := connect.NewClient[emptypb.Empty, emptypb.Empty](srv.Client(), srv.URL+procedure, withBearer(token))
	_, err := c.CallUnary(ctx, connect.NewRequest(&emptypb.Empty{}))
	if err == nil {
		return 0
	}
	return connect.CodeOf(err)
}

func TestEachRoleMayCallExactlyWhatTheTableAllows(t *testing.T) {
	srv, _, tokens := newRoleServer(t)
	for procedure, md := range allProcedures(t) {
		need := minimumRole[procedure]
		for _, role := range []store.Role{store.RoleViewer, store.RoleAdmin, store.RoleOwner} {
			code := callEmpty(srv, procedure, md, tokens[role])
			denied := code == connect.CodePermissionDenied
			if want := !role.AtLeast(need); denied != want {
				t.Errorf("%s as %s: code %v, want denied=%v (needs %s)", procedure, role, code, want, need)
			}
			if code == connect.CodeUnauthenticated || code == connect.CodeUnimplemented {
				t.Errorf("%s as %s: %v; the call did not reach the API", procedure, role, code)
			}
		}
	}
}

func TestWeakeningTheGuardOrAutoApplyNeedsOwner(t *testing.T) {
	srv, _, tokens := newRoleServer(t)
	one := int32(500)
	off := int32(-1)
	yes := true
	calls := []struct {
		name string
		call func(token string) error
	}{
		{"import that turns the guard off", func(token string) error {
			c := staffsyncv1connect.NewImportServiceClient(srv.Client(), srv.URL, withBearer(token))
			_, err := c.StartImport(context.Background(), connect.NewRequest(&v1.StartImportRequest{FileName: "a.csv", Options: &v1.ImportOptions{MaxDeactivations: off}}))
			return err
		}},
		{"import that raises the manager limit", func(token string) error {
			c := staffsyncv1connect.NewImportServiceClient(srv.Client(), srv.URL, withBearer(token))
			_, err := c.StartImport(context.Background(), connect.NewRequest(&v1.StartImportRequest{FileName: "a.csv", Options: &v1.ImportOptions{MaxManagerChanges: one}}))
			return err
		}},
		{"integration that applies automatically", func(token string) error {
			c := staffsyncv1connect.NewIntegrationServiceClient(srv.Client(), srv.URL, withBearer(token))
			_, err := c.CreateIntegration(context.Background(), connect.NewRequest(&v1.CreateIntegrationRequest{Kind: "https", Name: "x", AutoApply: true}))
			return err
		}},
		{"integration switched to apply automatically", func(token string) error {
			c := staffsyncv1connect.NewIntegrationServiceClient(srv.Client(), srv.URL, withBearer(token))
			_, err := c.UpdateIntegration(context.Background(), connect.NewRequest(&v1.UpdateIntegrationRequest{Id: "1", AutoApply: &yes}))
			return err
		}},
		{"integration whose guard is off", func(token string) error {
			c := staffsyncv1connect.NewIntegrationServiceClient(srv.Client(), srv.URL, withBearer(token))
			_, err := c.UpdateIntegration(context.Background(), connect.NewRequest(&v1.UpdateIntegrationRequest{Id: "1", Options: &v1.ImportOptions{MaxDeactivations: off}}))
			return err
		}},
		{"import defaults that turn the guard off", func(token string) error {
			c := staffsyncv1connect.NewImportServiceClient(srv.Client(), srv.URL, withBearer(token))
			_, err := c.UpdateImportDefaults(context.Background(), connect.NewRequest(&v1.UpdateImportDefaultsRequest{Options: &v1.ImportOptions{MaxDeactivations: off}}))
			return err
		}},
		{"streamed upload that turns the guard off", func(token string) error {
			u := srv.URL + fileupload.Path + "?file_name=a.csv&options=" + url.QueryEscape(`{"maxDeactivations":-1}`)
			req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader([]byte("email\n")))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := srv.Client().Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden {
				return connect.NewError(connect.CodePermissionDenied, errors.New("403"))
			}
			return errors.New(resp.Status)
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(tokens[store.RoleAdmin]); connect.CodeOf(err) != connect.CodePermissionDenied {
				t.Errorf("as admin: %v, want permission denied", err)
			}
			if err := c.call(tokens[store.RoleOwner]); connect.CodeOf(err) == connect.CodePermissionDenied {
				t.Errorf("as owner: %v, want past the role check", err)
			}
		})
	}
}

// A middleware that authenticated the request hands its principal on; the role table still
// applies to it.
func TestPrincipalFromMiddlewareIsUsedAndChecked(t *testing.T) {
	_, st, tokens := newRoleServer(t)
	viewer, err := st.Authenticate(context.Background(), tokens[store.RoleViewer])
	if err != nil {
		t.Fatal(err)
	}
	inner := NewHandler(Config{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), viewer)))
	}))
	defer srv.Close()
	access := staffsyncv1connect.NewAccessServiceClient(srv.Client(), srv.URL)
	who, err := access.WhoAmI(context.Background(), connect.NewRequest(&v1.WhoAmIRequest{}))
	if err != nil || who.Msg.Role != "viewer" {
		t.Fatalf("whoami without a header behind the middleware: %v %v", who, err)
	}
	if _, err := access.CreateToken(context.Background(), connect.NewRequest(&v1.CreateTokenRequest{Name: "x"})); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("a viewer from the middleware made a token: %v", err)
	}
}
