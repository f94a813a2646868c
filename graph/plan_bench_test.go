package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/store/embedded"
)

// benchGraph is the peer benchmark's graph (10,000 synthetic cities beside
// the seed data) in an embedded store, loaded once for every benchmark.
var benchGraph = sync.OnceValues(func() (domain.Store, error) {
	st, err := embedded.Open("")
	if err != nil {
		return nil, err
	}
	return st, peer.Load(context.Background(), st, 10_000)
})

// BenchmarkTwoLevels runs the peer benchmark's two-level query (a city, its
// partners and theirs) through the whole /graphql handler, in process.
func BenchmarkTwoLevels(b *testing.B) {
	st, err := benchGraph()
	if err != nil {
		b.Fatal(err)
	}
	q := peer.Queries(peer.BenchAnchors)[0]
	body, err := json.Marshal(map[string]any{"query": q.Citygraph, "variables": q.Params})
	if err != nil {
		b.Fatal(err)
	}
	h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
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
		run()
	}
}
