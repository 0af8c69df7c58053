package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// TestEdgeExemptsExactlyHealthAndReflection: only the gRPC health and reflection services
// pass the edge without a credential, with a small body limit; every staffsync procedure
// and look-alike names stay guarded or unserved.
func TestEdgeExemptsExactlyHealthAndReflection(t *testing.T) {
	e := &edge{limits: DefaultLimits}
	tests := []struct {
		path    string
		guarded bool
		maxBody int64
	}{
		{"/grpc.health.v1.Health/Check", false, publicGRPCMaxBytes},
		{"/grpc.health.v1.Health/Watch", false, publicGRPCMaxBytes},
		{"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", false, publicGRPCMaxBytes},
		{"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", false, publicGRPCMaxBytes},
		{"/grpc.health.v1.HealthX/Check", false, 0},
		{staffsyncv1connect.DirectoryServiceListPeopleProcedure, true, DefaultLimits.MaxMessageBytes},
		{"/staffsync.v1.DirectoryService/grpc.health.v1.Health/Check", true, DefaultLimits.MaxMessageBytes},
	}
	for _, tt := range tests {
		guarded, maxBody := e.route(tt.path)
		if guarded != tt.guarded || maxBody != tt.maxBody {
			t.Errorf("route(%q) = %v, %d; want %v, %d", tt.path, guarded, maxBody, tt.guarded, tt.maxBody)
		}
	}
}

// TestReflectionWithoutCredentialListsOnlyServices: reflection answers a caller without a
// credential, and tells service names (the public schema), nothing else; a staffsync call
// without one is refused.
func TestReflectionWithoutCredentialListsOnlyServices(t *testing.T) {
	// Reflection is a bidirectional stream: gRPC over HTTP/2 without TLS, as grpcurl sends it.
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = NewHTTPServer(NewHandler(Config{}), ServerTimeouts{})
	srv.Start()
	defer srv.Close()
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	h2c := &http.Client{Transport: &http.Transport{Protocols: &protocols}}
	client := grpcreflect.NewClient(h2c, srv.URL, connect.WithGRPC())
	stream := client.NewStream(context.Background())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatalf("list services without a credential: %v", err)
	}
	var got []string
	for _, n := range names {
		got = append(got, string(n))
	}
	joined := strings.Join(got, ",")
	for _, want := range append([]string{"grpc.health.v1.Health"}, apiServices...) {
		if !strings.Contains(joined, want) {
			t.Errorf("services %s lack %s", joined, want)
		}
	}
	people := staffsyncv1connect.NewImportServiceClient(h2c, srv.URL, connect.WithGRPC())
	if _, err := people.GetTemplate(context.Background(), connect.NewRequest(&v1.GetTemplateRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("GetTemplate without a credential: %v, want unauthenticated", err)
	}
}

// TestAttackOversizedAnonymousHealthCheck: a caller without a credential who sends a huge
// health request is cut off at the public services' 16 KiB limit; the checker never sees
// it (an unknown service of normal size gets NotFound from the checker).
func TestAttackOversizedAnonymousHealthCheck(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = NewHTTPServer(NewHandler(Config{}), ServerTimeouts{})
	srv.Start()
	defer srv.Close()
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	h2c := &http.Client{Transport: &http.Transport{Protocols: &protocols}}
	for _, protocol := range []connect.ClientOption{connect.WithGRPC(), connect.WithProtoJSON()} {
		client := grpchealth.NewClient(h2c, srv.URL, protocol)
		_, err := client.Check(context.Background(), &grpchealth.CheckRequest{Service: "no.such.Service"})
		if connect.CodeOf(err) != connect.CodeNotFound {
			t.Fatalf("unknown service: %v, want not found from the checker", err)
		}
		_, err = client.Check(context.Background(), &grpchealth.CheckRequest{Service: strings.Repeat("x", 64<<10)})
		if err == nil || connect.CodeOf(err) == connect.CodeNotFound {
			t.Fatalf("a 64 KiB health request: %v, want it refused before the checker", err)
		}
	}
}
