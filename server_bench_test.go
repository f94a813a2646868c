package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/embedded"
)

// BenchmarkServerTwoLevels runs the peer benchmark's two-level query
// through the whole HTTP surface (NewServer with the default settings:
// telemetry, limits, routes; no rate limit), in process, on its 10,000-city graph.
func BenchmarkServerTwoLevels(b *testing.B) {
	q := peer.Queries(peer.BenchAnchors)[0]
	benchServer(b, telemetry.Options{}, q.Citygraph, q.Params, `"totalCount":26`)
}

// BenchmarkServerLookup runs a one-city lookup through the same surface:
// what every request pays whatever it asks (middleware, parsing the body,
// the operation's checks, encoding), with almost no store work. "quiet"
// has no metrics and no access log, as BenchmarkServerTwoLevels; "served"
// has the service's defaults, metrics and a JSON access-log line.
func BenchmarkServerLookup(b *testing.B) {
	for _, tc := range []struct {
		name string
		tel  telemetry.Options
	}{
		{"quiet", telemetry.Options{}},
		{"served", telemetry.Options{Metrics: true, AccessLog: slog.New(slog.NewJSONHandler(io.Discard, nil))}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchServer(b, tc.tel, `query Lookup($city: String!) { city(slug: $city) { id name } }`,
				map[string]any{"city": peer.BenchAnchors.City}, `"id":"City:`+peer.BenchAnchors.City+`"`)
		})
	}
}

// benchServer sends query with vars to NewServer b.N times, after checking
// that its answer is 200, has no errors and holds want.
func benchServer(b *testing.B, tel telemetry.Options, query string, vars map[string]any, want string) {
	b.Helper()
	benchRequests(b, benchHandler(b, tel), query, vars, want)
}

// benchRequests sends query with vars to h b.N times, after checking that
// its answer is 200, has no errors and holds want ("" for any answer).
func benchRequests(b *testing.B, h http.Handler, query string, vars map[string]any, want string) {
	b.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		b.Fatal(err)
	}
	run := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := run(); w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) || !bytes.Contains(w.Body.Bytes(), []byte(want)) {
		b.Fatalf("got status %d, body %.300s; want 200 and %s", w.Code, w.Body.String(), want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if w := run(); w.Code != http.StatusOK {
			b.Fatalf("got status %d, body %.300s", w.Code, w.Body.String())
		}
	}
}

// benchHandler is NewServer with the default settings and the telemetry
// tel asks for, on the peer benchmark's 10,000-city graph.
func benchHandler(b *testing.B, tel telemetry.Options) http.Handler {
	b.Helper()
	st, err := embedded.Open("")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := peer.Load(context.Background(), st, 10_000); err != nil {
		b.Fatal(err)
	}
	return benchServerOn(b, st, tel)
}

// benchServerOn is NewServer on st with the default settings and the
// telemetry tel asks for.
func benchServerOn(b *testing.B, st domain.Store, tel telemetry.Options) http.Handler {
	b.Helper()
	// One client sends every request: the per-client rate limit is off, as for the peer benchmark.
	env := map[string]string{"CITYGRAPH_RATE_LIMIT": "0"}
	cfg, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	return NewServer(st, slog.New(slog.DiscardHandler), cfg, telemetry.New(tel))
}
