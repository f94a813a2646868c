package telemetry

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// UnmatchedRoute labels requests that no route matched.
const UnmatchedRoute = "unmatched"

// maxLoggedChars bounds the client-chosen strings (path, operation name) an
// access-log line repeats, so a hostile name cannot flood the logs.
const maxLoggedChars = 200

// Middleware puts a *Request in every request's context and, when the
// request ends, records its metrics, ends its span and writes its access-log
// line. It must be the outermost handler, so that every layer inside it
// (limits included) can record on the request. routes names each request's
// route for the labels before next serves it; next is routes itself, or
// routes behind handlers that may refuse the request.
func (t *Telemetry) Middleware(routes *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, pattern := routes.Handler(r)
		route := routeLabel(pattern)
		method := methodLabel(r.Method)

		addr := clientAddress(r)
		rec := &Request{}
		rec.SetClient(addr)
		ctx := WithRequest(r.Context(), rec)
		var span trace.Span // nil: none made
		if t.tracing || t.carriesTrace(r.Header) {
			ctx, span = t.startSpan(ctx, r, method, route, addr)
		}
		rw := &responseRecorder{ResponseWriter: w, status: http.StatusOK}
		t.metrics.requestStarted()
		// Deferred so that a handler's panic (net/http's ErrAbortHandler
		// included) still ends the span and the in-flight count.
		defer func() { t.requestEnded(ctx, r, rec, span, route, rw, time.Since(start)) }()
		next.ServeHTTP(rw, r.WithContext(ctx))
	})
}

// startSpan starts the request's span, a child of the trace the headers
// carry, if any.
func (t *Telemetry) startSpan(ctx context.Context, r *http.Request, method, route, addr string) (context.Context, trace.Span) {
	ctx = t.propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
	return t.tracer.Start(ctx, method+" "+route,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(method),
			semconv.HTTPRoute(route),
			semconv.URLPath(r.URL.Path),
			semconv.ClientAddress(addr),
		))
}

// carriesTrace says whether h holds a header the propagator reads. Without
// tracing and without one, the request's span would be a no-op carrying
// no more than the context already does: it is not made at all.
func (t *Telemetry) carriesTrace(h http.Header) bool {
	for _, k := range t.traceHeaders {
		if len(h[k]) > 0 {
			return true
		}
	}
	return false
}

func (t *Telemetry) requestEnded(ctx context.Context, r *http.Request, rec *Request, span trace.Span, route string, rw *responseRecorder, took time.Duration) {
	name, cost, refusal, client := rec.Snapshot()
	operation := operationLabel(name, rec.graphql.Load())
	t.metrics.requestEnded(route, operation, rw.status, refusal, took)
	if span != nil {
		t.endSpan(span, name, cost, refusal, rw)
	}

	if t.accessLog == nil {
		return
	}
	level := slog.LevelInfo
	if rw.status >= 500 {
		level = slog.LevelWarn
	}
	if !t.accessLog.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", clip(r.Method)),
		slog.String("path", clip(r.URL.Path)),
		slog.String("operation", clip(operation)),
		slog.Duration("duration", took),
		slog.Int("cost", cost),
		slog.Int("status", rw.status),
		slog.String("client", clip(client)),
		slog.String("refusal", string(refusal)),
		slog.Int64("bytes", rw.bytes),
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() { // the request's span, or the one around it
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
	}
	t.accessLog.LogAttrs(ctx, level, "request", attrs...)
}

// endSpan records the answer on the request's span and ends it; a span
// that records nothing (no tracing, or not sampled) is only ended.
func (t *Telemetry) endSpan(span trace.Span, name string, cost int, refusal Reason, rw *responseRecorder) {
	if !span.IsRecording() {
		span.End()
		return
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(rw.status), semconv.HTTPResponseBodySize(int(rw.bytes)))
	if name != "" {
		span.SetAttributes(semconv.GraphQLOperationName(clip(name)))
	}
	if cost > 0 {
		span.SetAttributes(attribute.Int("citygraph.cost", cost))
	}
	if refusal != "" {
		span.SetAttributes(attribute.String("citygraph.refusal", string(refusal)))
	}
	if rw.status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(rw.status))
	}
	span.End()
}

// routeLabel is the route's pattern without its method, so one route is
// one label value whatever methods it serves.
func routeLabel(pattern string) string {
	if pattern == "" {
		return UnmatchedRoute
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// methodLabel bounds the method to the standard ones, as OTel's HTTP
// conventions do; a client can send any token as a method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "HTTP"
}

// clientAddress is the peer's IP address. Forwarding headers are not read:
// anyone can send them, and the service does not know its proxies.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func clip(s string) string {
	if len(s) <= maxLoggedChars {
		return s
	}
	return strings.ToValidUTF8(s[:maxLoggedChars], "") + "…" // no rune cut in half
}

// responseRecorder notes the status and the bytes written. Unwrap lets
// http.ResponseController reach the connection's own writer.
type responseRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (w *responseRecorder) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 { // 1xx are interim; the final status follows
		w.status = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseRecorder) Write(p []byte) (int, error) {
	w.wroteHeader = true
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush keeps the recorder an http.Flusher for handlers that assert it.
func (w *responseRecorder) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
