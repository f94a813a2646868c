package telemetry_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/internal/telemetry"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// traced returns a service whose spans end up in the returned exporter as
// soon as they end.
func traced(t *testing.T) (*service, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	s := newService(t, telemetry.Options{Tracing: tp}, nil)
	exp.Reset() // the seed load's store spans
	return s, exp
}

func attr(s tracetest.SpanStub, key attribute.Key) attribute.Value {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func TestTracingMakesARequestSpanWithStoreCallChildren(t *testing.T) {
	s, exp := traced(t)
	s.query(t, "Partners", `query Partners { city(slug: "nanning") { name partners(first: 3) { edges { node { name } } } } }`)

	var requests, calls []tracetest.SpanStub
	for _, span := range exp.GetSpans() {
		switch {
		case span.SpanKind == trace.SpanKindServer:
			requests = append(requests, span)
		case strings.HasPrefix(span.Name, "store."):
			calls = append(calls, span)
		}
	}
	if len(requests) != 1 {
		t.Fatalf("request spans: got %d, want 1", len(requests))
	}
	req := requests[0]
	if req.Name != "POST /graphql" {
		t.Errorf("request span name: got %q, want %q", req.Name, "POST /graphql")
	}
	for key, want := range map[attribute.Key]string{"graphql.operation.name": "Partners", "http.route": "/graphql"} {
		if got := attr(req, key).AsString(); got != want {
			t.Errorf("request span %s: got %q, want %q", key, got, want)
		}
	}
	if got := attr(req, "http.response.status_code").AsInt64(); got != 200 {
		t.Errorf("request span status code: got %d, want 200", got)
	}
	// A store that runs plans answers the request with one Run; one that
	// does not reads the city, then its partner edges, then the partner
	// nodes: three reads.
	if planned := len(calls) == 1 && calls[0].Name == "store.Run"; !planned && len(calls) < 3 {
		t.Fatalf("store-call spans: got %d (%v), want one store.Run or at least 3 reads", len(calls), calls)
	}
	for _, c := range calls {
		if c.Parent.SpanID() != req.SpanContext.SpanID() || c.SpanContext.TraceID() != req.SpanContext.TraceID() {
			t.Errorf("store span %s: parent %s in trace %s; want the request span %s in trace %s",
				c.Name, c.Parent.SpanID(), c.SpanContext.TraceID(), req.SpanContext.SpanID(), req.SpanContext.TraceID())
		}
	}
}

func TestTracingContinuesTheCallersTrace(t *testing.T) {
	s, exp := traced(t)
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	r := httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)
	r.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	if w := s.do(t, r); w.Code != http.StatusOK {
		t.Fatalf("GET /graphql: status %d, body %s", w.Code, w.Body)
	}
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("spans: got %d, want the request's one", len(spans))
	}
	if got := spans[0].SpanContext.TraceID().String(); got != traceID {
		t.Errorf("trace ID: got %s, want the caller's %s", got, traceID)
	}
	if got := spans[0].Parent.SpanID().String(); got != parentID {
		t.Errorf("parent span: got %s, want the caller's %s", got, parentID)
	}
}

func TestTracingIsOffWithoutTheOTELVariables(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"no variables", nil, false},
		{"a service name alone", map[string]string{"OTEL_SERVICE_NAME": "citygraph-eu"}, false},
		{"an OTLP endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{"an OTLP traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{"the otlp exporter", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{"the otlp exporter over gRPC", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true},
		{"exporter none beats an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
		{"the SDK disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) string { return c.env[k] }
			got, err := telemetry.TracingEnabled(getenv)
			if err != nil || got != c.want {
				t.Fatalf("TracingEnabled: got %v, %v; want %v, nil", got, err, c.want)
			}
			tp, shutdown, err := telemetry.TracingFromEnv(context.Background(), getenv, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer shutdown(context.Background())
			if (tp != nil) != c.want {
				t.Fatalf("TracingFromEnv: provider %v, want one: %v", tp, c.want)
			}
			if tp == nil {
				return
			}
			// Not ended, so nothing is exported to the absent collector.
			_, span := tp.Tracer("test").Start(context.Background(), "probe")
			if !span.IsRecording() {
				t.Error("a span from the provider is not recording; want traces on")
			}
		})
	}
}

func TestTracingRefusesUnsupportedSettings(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"another exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER"},
		{"another protocol", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, "OTEL_EXPORTER_OTLP_PROTOCOL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) string { return c.env[k] }
			tp, _, err := telemetry.TracingFromEnv(context.Background(), getenv, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("TracingFromEnv: got %v, %v; want an error naming %s", tp, err, c.want)
			}
		})
	}
}

func TestNoSpansWithoutATracerProvider(t *testing.T) {
	var sc trace.SpanContext
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc = trace.SpanContextFromContext(r.Context())
	})
	h := telemetry.New(telemetry.Options{}).Middleware(http.NewServeMux(), probe)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if sc.IsValid() {
		t.Errorf("the request has a span with tracing off: %v", sc)
	}
}
