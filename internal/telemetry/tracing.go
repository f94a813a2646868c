package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// serviceName is service.name unless OTEL_SERVICE_NAME says otherwise.
const serviceName = "citygraph"

// TracingEnabled says whether the OTEL_* variables ask for traces. They are
// off by default; on when OTEL_TRACES_EXPORTER is "otlp", or when it is
// unset and an OTLP endpoint is (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). OTEL_TRACES_EXPORTER=none or
// OTEL_SDK_DISABLED=true turn them off whatever else is set.
func TracingEnabled(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER is %q; citygraph exports traces with otlp only (or none to turn them off)", exporter)
	}
}

// TracingFromEnv returns the tracer provider the OTEL_* variables ask for
// (see TracingEnabled), or nil when tracing is off, and a shutdown that
// flushes the spans still buffered (call it on exit, also when nil).
// getenv decides on and off and the protocol; the OTel SDK reads the rest
// (endpoint, headers, sampler, batching, resource attributes) from the
// process environment, as every OTel SDK does.
func TracingFromEnv(ctx context.Context, getenv func(string) string, log *slog.Logger) (trace.TracerProvider, func(context.Context) error, error) {
	noShutdown := func(context.Context) error { return nil }
	on, err := TracingEnabled(getenv)
	if err != nil || !on {
		return nil, noShutdown, err
	}
	exporter, err := otlpExporter(ctx, getenv)
	if err != nil {
		return nil, noShutdown, err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(serviceName)),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithFromEnv(), // last, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, noShutdown, fmt.Errorf("tracing resource from OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	// Export failures happen in the background; they belong in the
	// service's log, not on stderr in the SDK's own format.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing", "err", err)
	}))
	// The sampler comes from OTEL_TRACES_SAMPLER (default: parent-based,
	// always on), the batching from OTEL_BSP_*.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

// otlpExporter picks the OTLP transport OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL
// names; http/protobuf is the OTel default.
func otlpExporter(ctx context.Context, getenv func(string) string) (*otlptrace.Exporter, error) {
	protocol := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch protocol {
	case "", "http/protobuf":
		return otlptracehttp.New(ctx)
	case "grpc":
		return otlptracegrpc.New(ctx)
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL is %q; use http/protobuf or grpc", protocol)
	}
}
