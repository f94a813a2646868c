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
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/embedded"
)

// BenchmarkServerTwoLevels runs the peer benchmark's two-level query
// through the whole HTTP surface (NewServer with the default settings:
// telemetry, limits, routes; no rate limit), in process, on its 10,000-city graph.
func BenchmarkServerTwoLevels(b *testing.B) {
	st, err := embedded.Open("")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := peer.Load(context.Background(), st, 10_000); err != nil {
		b.Fatal(err)
	}
	// One client sends every request: the per-client rate limit is off, as for the peer benchmark.
	env := map[string]string{"CITYGRAPH_RATE_LIMIT": "0"}
	cfg, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	h := NewServer(st, slog.New(slog.DiscardHandler), cfg, telemetry.New(telemetry.Options{}))
	q := peer.Queries(peer.BenchAnchors)[0]
	body, err := json.Marshal(map[string]any{"query": q.Citygraph, "variables": q.Params})
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
	if w := run(); w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) || !bytes.Contains(w.Body.Bytes(), []byte(`"totalCount":26`)) {
		b.Fatalf("got status %d, body %.300s; want 200 and the city's 26 partners", w.Code, w.Body.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if w := run(); w.Code != http.StatusOK {
			b.Fatalf("got status %d, body %.300s", w.Code, w.Body.String())
		}
	}
}
