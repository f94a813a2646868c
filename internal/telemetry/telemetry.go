package telemetry

import (
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// tracerName names the spans' instrumentation scope.
const tracerName = "github.com/citygraph/citygraph"

// Options say which of the signals a Telemetry produces.
type Options struct {
	// Metrics turns on the Prometheus metrics, on a registry of this
	// Telemetry's own so that several servers (and tests) count apart.
	Metrics bool
	// AccessLog receives one line per request; nil writes none.
	AccessLog *slog.Logger
	// Tracing makes the request and store-call spans; nil makes none
	// (see TracingFromEnv).
	Tracing trace.TracerProvider
}

// Telemetry instruments one server: its HTTP middleware, its store and its
// /metrics endpoint share the metrics and the tracer made here.
type Telemetry struct {
	metrics    *metrics // nil when metrics are off
	accessLog  *slog.Logger
	tracer     trace.Tracer
	tracing    bool // Options.Tracing was given
	propagator propagation.TextMapPropagator
	// traceHeaders are the propagator's headers, as net/http keys them.
	traceHeaders []string
}

// New returns the telemetry opts ask for.
func New(opts Options) *Telemetry {
	tp := opts.Tracing
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	t := &Telemetry{
		accessLog:  opts.AccessLog,
		tracer:     tp.Tracer(tracerName),
		tracing:    opts.Tracing != nil,
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}
	for _, f := range t.propagator.Fields() {
		t.traceHeaders = append(t.traceHeaders, http.CanonicalHeaderKey(f))
	}
	if opts.Metrics {
		t.metrics = newMetrics()
	}
	return t
}

// MetricsHandler serves the metrics in Prometheus's exposition format, or
// is nil when metrics are off (then there is no /metrics route).
func (t *Telemetry) MetricsHandler() http.Handler {
	if t.metrics == nil {
		return nil
	}
	return t.metrics.handler()
}
