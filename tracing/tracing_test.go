package tracing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestOffUnlessAnEndpointIsSet: tracing follows the standard OTEL_* variables, and off
// (nil) every hook changes nothing.
func TestOffUnlessAnEndpointIsSet(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set", nil, false},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
		{"sdk disabled", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}, false},
		{"exporter none", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER"} {
				t.Setenv(k, tt.env[k])
			}
			if got := Enabled(); got != tt.want {
				t.Fatalf("Enabled() = %v, want %v", got, tt.want)
			}
			tr, err := FromEnv(context.Background(), "test")
			if err != nil {
				t.Fatal(err)
			}
			if (tr != nil) != tt.want {
				t.Fatalf("FromEnv on = %v, want %v", tr != nil, tt.want)
			}
			_ = tr.Shutdown(context.Background())
		})
	}
	var off *Tracing
	if i, err := off.ConnectInterceptor(); i != nil || err != nil {
		t.Errorf("off: a Connect interceptor %v %v", i, err)
	}
	if i, err := off.TemporalInterceptor(); i != nil || err != nil {
		t.Errorf("off: a Temporal interceptor %v %v", i, err)
	}
	if off.Transport(http.DefaultTransport) != http.DefaultTransport || off.Provider() != nil {
		t.Errorf("off: the transport or provider changed")
	}
}

// TestGRPCProtocolRefused: staffsync exports over OTLP/HTTP; asking for gRPC says so.
func TestGRPCProtocolRefused(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	if _, err := FromEnv(context.Background(), "test"); err == nil {
		t.Fatal("no error for OTEL_EXPORTER_OTLP_PROTOCOL=grpc")
	}
}

// TestTransportTracesWithoutTellingTheServer: a source's HTTP call is a span of ours, and
// the outside server gets no trace context.
func TestTransportTracesWithoutTellingTheServer(t *testing.T) {
	var sentTraceparent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sentTraceparent = r.Header.Get("Traceparent")
	}))
	defer srv.Close()
	spans := tracetest.NewSpanRecorder()
	tr := New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	ctx, parent := tr.Provider().Tracer("test").Start(context.Background(), "fetch")
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := (&http.Client{Transport: tr.Transport(http.DefaultTransport)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	parent.End()
	if sentTraceparent != "" {
		t.Errorf("the server got traceparent %q", sentTraceparent)
	}
	var child bool
	for _, s := range spans.Ended() {
		if s.Parent().SpanID() == parent.SpanContext().SpanID() {
			child = true
		}
	}
	if !child {
		t.Errorf("no span for the HTTP call under the caller's span")
	}
}
