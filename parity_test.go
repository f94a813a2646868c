package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// neo4jEnv returns the environment that points run at the test Neo4j, or
// skips (fails under CITYGRAPH_REQUIRE_NEO4J=1) when there is none.
func neo4jEnv(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, k := range []string{"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	if env["NEO4J_URI"] == "" {
		msg := "Neo4j tests skipped: start a server with scripts/neo4j start and set NEO4J_URI (eval \"$(scripts/neo4j env)\"), or run scripts/test"
		if os.Getenv("CITYGRAPH_REQUIRE_NEO4J") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return env
}

// TestNeo4jAnswersLikeEmbedded seeds a wiped Neo4j with `citygraph seed`,
// serves it, and checks that every playground example answers exactly as
// the embedded default does.
func TestNeo4jAnswersLikeEmbedded(t *testing.T) {
	env := neo4jEnv(t)
	ctx := context.Background()
	cfg, _ := neo4jstore.ConfigFromEnv(func(k string) string { return env[k] })
	st, err := neo4jstore.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Wipe(ctx); err != nil {
		t.Fatalf("wiping the test database: %v", err)
	}
	st.Close()

	getenv := func(k string) string { return env[k] }
	var out, errs bytes.Buffer
	// The first load goes in parts of 100 rows, as a load too large for
	// one transaction would; the checks below hold it to the same result.
	if err := run(ctx, []string{"seed", "--batch-rows", "100", "seed/data"}, getenv, nil, &out, &errs); err != nil {
		t.Fatalf("citygraph seed --batch-rows 100 seed/data into Neo4j: %v\n%s", err, errs.String())
	}
	// A second load of the same files changes nothing.
	before := snapshot(t, ctx, cfg)
	out.Reset()
	if err := run(ctx, []string{"seed", "seed/data"}, getenv, nil, &out, &errs); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if after := snapshot(t, ctx, cfg); !reflect.DeepEqual(before, after) {
		t.Errorf("the second seed changed the graph")
	}
	// The same files give the same nodes in both stores.
	mem, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := seed.LoadProject(ctx, mem); err != nil {
		t.Fatal(err)
	}
	want := nodesOf(t, ctx, mem)
	for _, k := range domain.Kinds {
		a, b := want[string(k)], before[string(k)]
		if len(a) != len(b) {
			t.Errorf("%s: embedded has %d, Neo4j %d", k, len(a), len(b))
			continue
		}
		for i := range a {
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Errorf("%s differs between the stores:\nembedded %+v\nneo4j    %+v", a[i].Key(), a[i], b[i])
			}
		}
	}

	neo, stopNeo := startService(t, copyEnv(env))
	defer stopNeo()
	emb, stopEmb := startService(t, map[string]string{})
	defer stopEmb()

	// The first seed's parts are on record as one complete load.
	got := post(t, neo, `{ partLoads { complete parts partsDone runs } }`)
	if loads, _ := got.(map[string]any)["data"].(map[string]any)["partLoads"].([]any); len(loads) != 1 ||
		loads[0].(map[string]any)["complete"] != true || loads[0].(map[string]any)["parts"] != loads[0].(map[string]any)["partsDone"] {
		t.Errorf("partLoads on Neo4j = %v; want one complete load with every part done", got)
	}

	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			a, b := post(t, emb, ex.Query), post(t, neo, ex.Query)
			if !reflect.DeepEqual(a, b) {
				ja, _ := json.MarshalIndent(a, "", " ")
				jb, _ := json.MarshalIndent(b, "", " ")
				t.Errorf("answers differ\nembedded:\n%.3000s\nneo4j:\n%.3000s", ja, jb)
			}
		})
	}
	t.Run("paging back and between cursors", func(t *testing.T) { pagesAlike(t, emb, neo) })
}

// pagesAlike checks that both services page alike through GraphQL: last
// and before, first between two cursors, descending, with and without a
// total, on a list and on a city's partners. Cursors are keyset
// positions, so the embedded store's serve both.
func pagesAlike(t *testing.T, emb, neo string) {
	t.Helper()
	cursors := func(q string, path ...string) []string {
		t.Helper()
		var v any = post(t, emb, q)
		for _, k := range append([]string{"data"}, path...) {
			v, _ = v.(map[string]any)[k]
		}
		var out []string
		for _, e := range asSlice(v) {
			c, _ := e.(map[string]any)["cursor"].(string)
			out = append(out, c)
		}
		if len(out) < 6 {
			t.Fatalf("%s answered %d cursors on the embedded store, want 6", q, len(out))
		}
		return out
	}
	const page = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { slug } }`
	cities := cursors(`{ cities(first: 6) { edges { cursor } } }`, "cities", "edges")
	desc := cursors(`{ cities(first: 6, orderBy: {field: NAME, direction: DESC}) { edges { cursor } } }`, "cities", "edges")
	partners := cursors(`{ city(slug: "nanning") { partners(first: 6, orderBy: SINCE) { edges { cursor } } } }`, "city", "partners", "edges")
	for _, q := range []string{
		`{ cities(last: 3) { totalCount ` + page + ` } }`,
		`{ cities(last: 2) { ` + page + ` } }`,
		`{ cities(last: 2, before: "` + cities[4] + `") { totalCount ` + page + ` } }`,
		`{ cities(first: 2, after: "` + cities[0] + `", before: "` + cities[5] + `") { totalCount ` + page + ` } }`,
		`{ cities(last: 2, after: "` + cities[0] + `", before: "` + cities[5] + `") { ` + page + ` } }`,
		`{ cities(first: 2, after: "` + cities[5] + `", before: "` + cities[0] + `") { totalCount ` + page + ` } }`,
		`{ cities(last: 3, before: "` + desc[3] + `", orderBy: {field: NAME, direction: DESC}) { totalCount ` + page + ` } }`,
		`{ city(slug: "nanning") { partners(last: 2) { totalCount ` + page + ` } } }`,
		`{ city(slug: "nanning") { partners(last: 2, before: "` + partners[3] + `", orderBy: SINCE) { totalCount ` + page + ` } } }`,
		`{ city(slug: "nanning") { partners(first: 1, after: "` + partners[1] + `", before: "` + partners[4] + `", orderBy: SINCE) { ` + page + ` } } }`,
	} {
		a, b := post(t, emb, q), post(t, neo, q)
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.MarshalIndent(a, "", " ")
			jb, _ := json.MarshalIndent(b, "", " ")
			t.Errorf("%s: answers differ\nembedded:\n%.3000s\nneo4j:\n%.3000s", q, ja, jb)
		}
		if m, _ := a.(map[string]any); m["errors"] != nil {
			t.Errorf("%s: got errors %v, want an answer", q, m["errors"])
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func copyEnv(m map[string]string) map[string]string {
	c := map[string]string{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// snapshot reads every node of the Neo4j store through the Store API.
func snapshot(t *testing.T, ctx context.Context, cfg neo4jstore.Config) map[string][]domain.Node {
	t.Helper()
	st, err := neo4jstore.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return nodesOf(t, ctx, st)
}

// nodesOf lists every node of a store, kind by kind, in slug order.
func nodesOf(t *testing.T, ctx context.Context, st domain.Store) map[string][]domain.Node {
	t.Helper()
	out := map[string][]domain.Node{}
	for _, k := range domain.Kinds {
		q := domain.NodeQuery{Kind: k, Order: domain.OrderByID, Page: domain.Page{First: domain.MaxPageSize}}
		for {
			p, err := st.ListNodes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out[string(k)] = append(out[string(k)], p.Items...)
			if !p.HasNextPage {
				break
			}
			q.Page.After = p.Cursors[len(p.Cursors)-1]
		}
	}
	return out
}

// post runs a query and returns its whole response, with floats rounded
// to 9 significant digits: the stores compute distances with different
// but equally exact formulas, and the contract allows 1e-6 relative.
func post(t *testing.T, base, q string) any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return roundFloats(v)
}

func roundFloats(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = roundFloats(e)
		}
	case []any:
		for i, e := range x {
			x[i] = roundFloats(e)
		}
	case float64:
		if x == 0 || x == math.Trunc(x) {
			return x
		}
		p := math.Pow(10, 8-math.Floor(math.Log10(math.Abs(x))))
		return math.Round(x*p) / p
	}
	return v
}
