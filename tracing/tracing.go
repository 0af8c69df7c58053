// Package tracing is staffsync's one door to OpenTelemetry tracing: it is off unless the
// standard OTEL_* variables name an OTLP endpoint, and hands the RPC handlers, the
// Temporal client and worker, the store and the HTTP sources what each needs to join one
// trace, so a trace follows an import from StartImport through its workflow and
// activities to the apply's SQL.
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Tracing is one process's tracer provider; a nil *Tracing is tracing off, and every
// method then returns what changes nothing.
type Tracing struct {
	provider   trace.TracerProvider
	propagator propagation.TextMapPropagator
	shutdown   func(context.Context) error
}

// Enabled says whether the environment asks for traces: an OTLP endpoint is set
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), the SDK is not
// disabled (OTEL_SDK_DISABLED) and the traces exporter is not "none" (OTEL_TRACES_EXPORTER).
func Enabled() bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return false
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// FromEnv starts tracing when Enabled, exporting spans in batches over OTLP/HTTP as the
// OTEL_EXPORTER_OTLP_* variables say (endpoint, headers, TLS, timeout; OTEL_TRACES_SAMPLER
// and OTEL_SERVICE_NAME are honoured too). service names the process when
// OTEL_SERVICE_NAME does not. Off, it returns nil.
func FromEnv(ctx context.Context, service string) (*Tracing, error) {
	if !Enabled() {
		return nil, nil
	}
	if p := os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: staffsync exports traces over http/protobuf only; unset it or set http/protobuf (the collector's port 4318)", p)
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil {
		return nil, fmt.Errorf("tracing resource: %w", err)
	}
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	t := New(provider)
	t.shutdown = provider.Shutdown
	return t, nil
}

// New traces with the given provider (tests pass one recording in memory).
func New(provider trace.TracerProvider) *Tracing {
	return &Tracing{
		provider:   provider,
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown:   func(context.Context) error { return nil },
	}
}

// Shutdown sends the spans still buffered; call it when the process stops.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// Provider is the tracer provider, nil when off (store.WithTracerProvider takes nil).
func (t *Tracing) Provider() trace.TracerProvider {
	if t == nil {
		return nil
	}
	return t.provider
}

// ConnectInterceptor traces every RPC the API serves (nil when off). A caller's own trace
// context is linked, not continued: an unauthenticated caller does not choose the trace.
func (t *Tracing) ConnectInterceptor() (connect.Interceptor, error) {
	if t == nil {
		return nil, nil
	}
	i, err := otelconnect.NewInterceptor(otelconnect.WithTracerProvider(t.provider), otelconnect.WithPropagator(t.propagator), otelconnect.WithoutMetrics())
	if err != nil {
		return nil, fmt.Errorf("trace RPCs: %w", err)
	}
	return i, nil
}

// TemporalInterceptor traces the Temporal client's calls and, set on the client, the
// workers made from it: the trace context travels in workflow and activity headers (nil
// when off).
func (t *Tracing) TemporalInterceptor() (interceptor.Interceptor, error) {
	if t == nil {
		return nil, nil
	}
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: t.provider.Tracer("go.temporal.io/sdk"), TextMapPropagator: t.propagator,
	})
	if err != nil {
		return nil, fmt.Errorf("trace Temporal: %w", err)
	}
	return i, nil
}

// Transport traces the HTTP calls made through base (the HR systems, HTTPS files); base
// itself when off. No trace context is sent: an outside service has no use for ours.
func (t *Tracing) Transport(base http.RoundTripper) http.RoundTripper {
	if t == nil {
		return base
	}
	return otelhttp.NewTransport(base, otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator()))
}
