package peer_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// testCities is the synthetic graph's size in the test: enough for every
// query to reach synthetic nodes (cities in CN, projects financed by aiib),
// small enough to load in seconds. The timed benchmark uses 10,000.
const testCities = 400

// TestSidesAnswerAlike is the benchmark's answers-agree check, which CI
// runs (nothing in it is timed): on one Neo4j holding the seed data and a
// synthetic graph, citygraph on Neo4j, citygraph on the embedded store
// with the same graph, @neo4j/graphql and the hand-written Cypher give the
// same canonical answer to every query; and a side that answers something
// else is caught.
func TestSidesAnswerAlike(t *testing.T) {
	cfg := neo4jConfig(t)
	peerDir := peerPackages(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// The Neo4j tests share one database and run one package at a time
	// (scripts/test: go test -p 1); like them, this test wipes it first.
	st, err := neo4jstore.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := st.Wipe(ctx); err != nil {
		t.Fatalf("wiping the test database: %v", err)
	}
	err = peer.Load(ctx, st, testCities)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "citygraph")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build citygraph: %v\n%s", err, out)
	}
	run, err := peer.Setup(ctx, peer.SetupOptions{Citygraph: bin, PeerDir: peerDir, Neo4j: cfg, EmbeddedCities: testCities})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Stop()
	b, err := peer.NewBench(ctx, cfg, run.Sides)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	qs := peer.Queries(peer.SeedAnchors)
	for _, q := range qs {
		t.Run(q.Name, func(t *testing.T) {
			if _, err := b.Check(ctx, q); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("a side that answers another city is a mismatch", func(t *testing.T) {
		q := qs[0]
		q.Peer = strings.Replace(strings.Replace(q.Peer, "($city: String!)", "", 1), "{eq: $city}", `{eq: "beijing"}`, 1)
		_, err := b.Check(ctx, q)
		var m *peer.Mismatch
		if !errors.As(err, &m) {
			t.Fatalf("got %v, want a mismatch", err)
		}
		if m.Side != peer.SidePeer || !strings.Contains(m.Diff, "City:beijing") {
			t.Errorf("got a mismatch of %s with diff\n%s\nwant the peer's, showing City:beijing", m.Side, m.Diff)
		}
	})
}

// neo4jConfig is the test server's configuration; without NEO4J_URI the
// test skips, unless CITYGRAPH_REQUIRE_NEO4J=1 (scripts/test) makes it fail.
func neo4jConfig(t *testing.T) neo4jstore.Config {
	t.Helper()
	cfg, ok := neo4jstore.ConfigFromEnv(os.Getenv)
	if !ok {
		msg := `the peer benchmark's check needs Neo4j: start a server with scripts/neo4j start and eval "$(scripts/neo4j env)", or run scripts/test`
		if os.Getenv("CITYGRAPH_REQUIRE_NEO4J") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return cfg
}

// peerPackages returns the peer's folder with its pinned packages
// installed (npm ci, once), skipping without node and npm unless
// CITYGRAPH_REQUIRE_NODE=1 (scripts/test) makes that a failure.
func peerPackages(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := "the peer benchmark's check needs Node.js 20 or later and npm (Debian: apt-get install nodejs npm)"
			if os.Getenv("CITYGRAPH_REQUIRE_NODE") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir, err := filepath.Abs("peer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@neo4j", "graphql", "package.json")); err == nil {
		return dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	return dir
}
