package main

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// neo4jBenchStore is the Neo4j store of BenchmarkServerNeo4j, wiped and
// loaded with the peer benchmark's graph once per test binary, however
// many times -count runs the benchmark.
var neo4jBenchStore = sync.OnceValues(func() (*neo4jstore.Store, error) {
	cfg, _ := neo4jstore.ConfigFromEnv(os.Getenv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := neo4jstore.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	if err := st.Wipe(ctx); err != nil {
		return nil, err
	}
	if err := peer.Load(ctx, st, 10_000); err != nil {
		return nil, err
	}
	return st, nil
})

// BenchmarkServerNeo4j runs each of the peer benchmark's queries through
// the whole HTTP surface (NewServer with the default settings, no rate
// limit), in process, on a Neo4j store holding its 10,000-city graph: the
// Go side's cost per request beside the server's. It needs NEO4J_URI, and
// wipes that database.
func BenchmarkServerNeo4j(b *testing.B) {
	if os.Getenv("NEO4J_URI") == "" {
		b.Skip("needs a Neo4j to wipe and load: scripts/neo4j start and eval \"$(scripts/neo4j env)\"")
	}
	st, err := neo4jBenchStore()
	if err != nil {
		b.Fatal(err)
	}
	h := benchServerOn(b, st, telemetry.Options{})
	for _, q := range peer.Queries(peer.BenchAnchors) {
		b.Run(q.Name, func(b *testing.B) {
			benchRequests(b, h, q.Citygraph, q.Params, "")
		})
	}
}
