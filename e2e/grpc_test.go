package e2e

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	"github.com/staffsync/staffsync/api"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/proto/staffsync/v1/staffsyncv1connect"
)

// h2cClient speaks HTTP/2 without TLS from the first byte (prior knowledge), as gRPC
// clients do.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// TestEveryServiceOverEveryProtocol: each API service answers the generated client over
// Connect (HTTP/1.1), gRPC (plaintext HTTP/2) and gRPC-Web on the one port of
// `staffsync serve`; a gRPC call without a token is refused before its body is read; the
// health service answers without one.
func TestEveryServiceOverEveryProtocol(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{}, api.ServerTimeouts{})
	tn := s.newTenant(t, "Protocols Ltd")
	tn.importApplied(t, "people.csv", exampleAt(t, "people.csv", "protocols.example"))
	protocols := []struct {
		name   string
		client *http.Client
		opts   []connect.ClientOption
	}{
		{"connect", http.DefaultClient, nil},
		{"grpc", h2cClient(), []connect.ClientOption{connect.WithGRPC()}},
		{"grpc-web", http.DefaultClient, []connect.ClientOption{connect.WithGRPCWeb()}},
	}
	ctx := context.Background()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			opts := append([]connect.ClientOption{connect.WithInterceptors(bearer(tn.apiToken))}, p.opts...)
			imports := staffsyncv1connect.NewImportServiceClient(p.client, url, opts...)
			people := staffsyncv1connect.NewDirectoryServiceClient(p.client, url, opts...)
			cycles := staffsyncv1connect.NewCycleServiceClient(p.client, url, opts...)
			integrations := staffsyncv1connect.NewIntegrationServiceClient(p.client, url, opts...)
			listed, err := imports.ListImports(ctx, connect.NewRequest(&v1.ListImportsRequest{}))
			if err != nil || len(listed.Msg.Imports) != 1 {
				t.Fatalf("ListImports: %v (%d imports, want 1)", err, len(listed.Msg.GetImports()))
			}
			found, err := people.ListPeople(ctx, connect.NewRequest(&v1.ListPeopleRequest{Search: "ingrid.halvorsen"}))
			if err != nil || len(found.Msg.People) != 1 || found.Msg.People[0].GetEmail() != "ingrid.halvorsen@protocols.example" {
				t.Fatalf("ListPeople: %v %v", err, found.Msg.GetPeople())
			}
			if _, err := cycles.ListCycles(ctx, connect.NewRequest(&v1.ListCyclesRequest{})); err != nil {
				t.Fatalf("ListCycles: %v", err)
			}
			if _, err := integrations.ListIntegrations(ctx, connect.NewRequest(&v1.ListIntegrationsRequest{})); err != nil {
				t.Fatalf("ListIntegrations: %v", err)
			}

			anonymous := staffsyncv1connect.NewDirectoryServiceClient(p.client, url, p.opts...)
			_, err = anonymous.ListPeople(ctx, connect.NewRequest(&v1.ListPeopleRequest{}))
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("ListPeople without a token: %v, want unauthenticated", err)
			}
			health := grpchealth.NewClient(p.client, url, p.opts...)
			status, err := health.Check(ctx, &grpchealth.CheckRequest{Service: staffsyncv1connect.DirectoryServiceName})
			if err != nil || status.Status != grpchealth.StatusServing {
				t.Fatalf("health without a token: %v %v, want SERVING", status, err)
			}
			_, err = health.Check(ctx, &grpchealth.CheckRequest{Service: "no.such.Service"})
			if connect.CodeOf(err) != connect.CodeNotFound {
				t.Fatalf("health of an unknown service: %v, want not found", err)
			}
		})
	}
}

// TestGRPCOverTLS: with a certificate the same port negotiates HTTP/2 by ALPN.
func TestGRPCOverTLS(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "TLS Ltd")
	srv := api.NewHTTPServer(api.NewHandler(api.Config{Store: s.store, Temporal: s.temporal}), api.ServerTimeouts{})
	cert, pool := selfSignedCertificate(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	go func() { _ = srv.Serve(tls.NewListener(listener, srv.TLSConfig)) }()
	t.Cleanup(func() { _ = srv.Close() })

	var negotiated string
	transport := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := transport.RoundTrip(r)
		if err == nil {
			negotiated = resp.Proto
		}
		return resp, err
	})}
	url := "https://" + listener.Addr().String()
	people := staffsyncv1connect.NewDirectoryServiceClient(client, url, connect.WithGRPC(), connect.WithInterceptors(bearer(tn.apiToken)))
	if _, err := people.ListPeople(context.Background(), connect.NewRequest(&v1.ListPeopleRequest{})); err != nil {
		t.Fatalf("ListPeople over gRPC with TLS: %v", err)
	}
	if negotiated != "HTTP/2.0" {
		t.Fatalf("protocol %q, want HTTP/2.0", negotiated)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
