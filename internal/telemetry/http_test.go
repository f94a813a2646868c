package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/internal/telemetry"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// accessLog collects the access log's lines as JSON objects.
type accessLog struct{ buf bytes.Buffer }

func (l *accessLog) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(&l.buf, nil)) }

func (l *accessLog) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("access log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, v)
	}
	return out
}

func TestAccessLogHasOneLinePerRequestWithItsFields(t *testing.T) {
	var log accessLog
	refused := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := telemetry.RequestFrom(r.Context())
		rec.SetCost(4200)
		rec.Refuse(telemetry.RefusedCost)
		rec.SetClient("subject:alice") // a credential's subject wins over the address
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("too costly"))
	})
	s := newService(t, telemetry.Options{AccessLog: log.logger()}, map[string]http.Handler{"/refused": refused})
	s.query(t, "CityName", `query CityName { city(slug: "nanning") { name } }`)
	s.do(t, httptest.NewRequest(http.MethodGet, "/refused", nil))

	lines := log.lines(t)
	if len(lines) != 2 {
		t.Fatalf("access log: got %d lines, want 2 (one per request):\n%s", len(lines), log.buf.String())
	}
	fields := []string{"method", "path", "operation", "duration", "cost", "status", "client", "refusal", "bytes"}
	for i, line := range lines {
		for _, f := range fields {
			if _, ok := line[f]; !ok {
				t.Errorf("line %d has no %q: %v", i, f, line)
			}
		}
		if line["msg"] != "request" {
			t.Errorf("line %d: msg %v, want request", i, line["msg"])
		}
	}
	for _, c := range []struct {
		line  int
		field string
		want  any
	}{
		{0, "method", "POST"},
		{0, "path", "/graphql"},
		{0, "operation", "CityName"},
		{0, "status", 200.0},
		{0, "client", "192.0.2.7"},
		{0, "refusal", ""},
		{1, "path", "/refused"},
		{1, "operation", ""},
		{1, "cost", 4200.0},
		{1, "status", 400.0},
		{1, "client", "subject:alice"},
		{1, "refusal", "cost"},
		{1, "bytes", float64(len("too costly"))},
	} {
		if got := lines[c.line][c.field]; got != c.want {
			t.Errorf("line %d %s: got %v (%T), want %v", c.line, c.field, got, got, c.want)
		}
	}
	if b, _ := lines[0]["bytes"].(float64); b <= 0 {
		t.Errorf("line 0 bytes: got %v, want the response's size", lines[0]["bytes"])
	}
}

func TestAccessLogNamesAnonymousOperations(t *testing.T) {
	var log accessLog
	s := newService(t, telemetry.Options{AccessLog: log.logger()}, nil)
	s.query(t, "", `{ city(slug: "nanning") { name } }`)
	lines := log.lines(t)
	if len(lines) != 1 || lines[0]["operation"] != telemetry.AnonymousOperation {
		t.Errorf("access log for an unnamed operation: got %v, want one line with operation %q", lines, telemetry.AnonymousOperation)
	}
}

func TestAccessLogClipsClientChosenStrings(t *testing.T) {
	var log accessLog
	named := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		telemetry.RequestFrom(r.Context()).SetOperation(strings.Repeat("x", 100_000))
	})
	s := newService(t, telemetry.Options{AccessLog: log.logger()}, map[string]http.Handler{"/named": named})
	s.do(t, httptest.NewRequest(http.MethodGet, "/named", nil))
	lines := log.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1", len(lines))
	}
	if op, _ := lines[0]["operation"].(string); len(op) > 1000 {
		t.Errorf("a 100,000-character operation name is logged with %d characters; want it clipped", len(op))
	}
}

func TestMiddlewareLabelsRoutesByPattern(t *testing.T) {
	s := newService(t, telemetry.Options{Metrics: true}, map[string]http.Handler{
		"GET /items/{id}": http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
	})
	for _, path := range []string{"/items/1", "/items/2", "/nowhere"} {
		s.do(t, httptest.NewRequest(http.MethodGet, path, nil))
	}
	got := s.scrape(t)
	for _, c := range []struct {
		route string
		want  float64
	}{
		{"/items/{id}", 2},
		{telemetry.UnmatchedRoute, 1},
	} {
		if v := value(t, got, "citygraph_http_requests_total", map[string]string{"route": c.route}); v != c.want {
			t.Errorf("requests on route %q: got %v, want %v", c.route, v, c.want)
		}
	}
}

func TestAccessLogNamesOperationsThatFailToParse(t *testing.T) {
	var log accessLog
	s := newService(t, telemetry.Options{AccessLog: log.logger()}, nil)
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"query Broken { city(","operationName":"Broken"}`))
	r.Header.Set("Content-Type", "application/json")
	s.do(t, r)
	lines := log.lines(t)
	if len(lines) != 1 || lines[0]["operation"] != "Broken" {
		t.Errorf("access log for an operation that does not parse: got %v, want one line with operation Broken", lines)
	}
}

// Without tracing the middleware makes no span of its own, yet the access
// log still names the trace a request belongs to: the caller's, from its
// traceparent header, or that of a span already around the request, which
// it leaves for its owner to end.
func TestAccessLogNamesTheCallersTraceWithoutTracing(t *testing.T) {
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	outer, outerSpan := tp.Tracer("outer").Start(context.Background(), "outer")
	defer outerSpan.End()

	for _, tc := range []struct {
		name    string
		prepare func(*http.Request) *http.Request
		want    any // the line's trace_id; nil for none
	}{
		{"no trace", func(r *http.Request) *http.Request { return r }, nil},
		{"a traceparent header", func(r *http.Request) *http.Request {
			r.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
			return r
		}, traceID},
		{"a span around the request", func(r *http.Request) *http.Request { return r.WithContext(outer) },
			outerSpan.SpanContext().TraceID().String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log accessLog
			s := newService(t, telemetry.Options{AccessLog: log.logger()}, nil)
			s.do(t, tc.prepare(httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)))
			lines := log.lines(t)
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			if got := lines[0]["trace_id"]; got != tc.want {
				t.Errorf("trace_id: got %v, want %v", got, tc.want)
			}
			if spans := exp.GetSpans(); len(spans) != 0 {
				t.Errorf("ended spans: got %d (%s), want none: the span around the request is its owner's to end", len(spans), spans[0].Name)
			}
		})
	}
}
