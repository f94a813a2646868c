package export_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// testStore opens an empty store of one kind. Neo4j stores share the one
// test database, so each call wipes it.
type testStore struct {
	name  string
	empty func(t *testing.T) domain.Store
}

// stores lists the embedded store and, when NEO4J_URI is set, Neo4j; without
// it the Neo4j case skips (fails under CITYGRAPH_REQUIRE_NEO4J=1).
func stores() []testStore {
	return []testStore{
		{"embedded", func(t *testing.T) domain.Store {
			t.Helper()
			st, err := embedded.Open("")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
		{"neo4j", func(t *testing.T) domain.Store {
			t.Helper()
			cfg, ok := neo4jstore.ConfigFromEnv(os.Getenv)
			if !ok {
				msg := "Neo4j case skipped: start a server with scripts/neo4j start and eval \"$(scripts/neo4j env)\", or run scripts/test"
				if os.Getenv("CITYGRAPH_REQUIRE_NEO4J") == "1" {
					t.Fatal(msg)
				}
				t.Skip(msg)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			st, err := neo4jstore.Open(ctx, cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("opening Neo4j at %s: %v", cfg.URI, err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Wipe(ctx); err != nil {
				t.Fatalf("wiping the test database: %v", err)
			}
			return st
		}},
	}
}

// graph is everything a store holds, read through the store's own single
// reads (not the export's code), keyed for comparison.
type graph struct {
	Nodes map[domain.NodeKey]domain.Node
	Edges map[domain.EdgeKey]domain.Edge
}

// snapshot reads every node (ListNodes, kind by kind) and every relation
// (Edges at each node it can start from).
func snapshot(t *testing.T, st domain.Store) graph {
	t.Helper()
	ctx := context.Background()
	g := graph{Nodes: map[domain.NodeKey]domain.Node{}, Edges: map[domain.EdgeKey]domain.Edge{}}
	byKind := map[domain.Kind][]domain.NodeKey{}
	for _, k := range domain.Kinds {
		q := domain.NodeQuery{Kind: k, Order: domain.OrderByID, Page: domain.Page{First: domain.MaxPageSize}}
		for {
			p, err := st.ListNodes(ctx, q)
			if err != nil {
				t.Fatalf("ListNodes(%s): %v", k, err)
			}
			for _, n := range p.Items {
				n.Base().Version = 0
				g.Nodes[n.Key()] = n
				byKind[k] = append(byKind[k], n.Key())
			}
			if !p.HasNextPage {
				break
			}
			q.Page.After = p.Cursors[len(p.Cursors)-1]
		}
	}
	for _, ek := range domain.EdgeKinds {
		var anchors []domain.NodeKey
		for _, k := range domain.EdgeRules[ek].From {
			anchors = append(anchors, byKind[k]...)
		}
		for i := 0; i < len(anchors); i += 100 {
			batch := anchors[i:min(i+100, len(anchors))]
			pages, err := st.Edges(ctx, domain.EdgeQuery{Kind: ek, Direction: domain.Out, Page: domain.Page{First: domain.MaxPageSize}}, batch)
			if err != nil {
				t.Fatalf("Edges(%s): %v", ek, err)
			}
			for j, p := range pages {
				if p.HasNextPage {
					t.Fatalf("%s has more than %d %s relations; the test graph should not", batch[j], domain.MaxPageSize, ek)
				}
				for _, e := range p.Items {
					e.Normalize()
					e.Version = 0
					g.Edges[e.Key()] = e
				}
			}
		}
	}
	return g
}

// diff describes how got differs from want, at most a few lines.
func (want graph) diff(got graph) string {
	var out []string
	for k, n := range want.Nodes {
		if g, ok := got.Nodes[k]; !ok {
			out = append(out, fmt.Sprintf("node %s missing", k))
		} else if !reflect.DeepEqual(g, n) {
			out = append(out, fmt.Sprintf("node %s: got %+v, want %+v", k, g, n))
		}
	}
	for k := range got.Nodes {
		if _, ok := want.Nodes[k]; !ok {
			out = append(out, fmt.Sprintf("node %s extra", k))
		}
	}
	for k, e := range want.Edges {
		if g, ok := got.Edges[k]; !ok {
			out = append(out, fmt.Sprintf("relation %s missing", k))
		} else if !reflect.DeepEqual(g, e) {
			out = append(out, fmt.Sprintf("relation %s: got %+v, want %+v", k, g, e))
		}
	}
	for k := range got.Edges {
		if _, ok := want.Edges[k]; !ok {
			out = append(out, fmt.Sprintf("relation %s extra", k))
		}
	}
	sort.Strings(out)
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… and %d more differences", len(out)-10))
	}
	return strings.Join(out, "\n")
}

// exportOf runs an export of st to memory.
func exportOf(t *testing.T, st domain.Store, req export.Request) []byte {
	t.Helper()
	ctx := context.Background()
	x, err := export.Prepare(ctx, st, req)
	if err != nil {
		t.Fatalf("Prepare(%+v): %v", req, err)
	}
	var buf bytes.Buffer
	if err := x.Write(ctx, &buf, nil); err != nil {
		t.Fatalf("Write(%+v): %v", req, err)
	}
	return buf.Bytes()
}
