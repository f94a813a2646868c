package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// parity serves one store twice: through the plan writer and through
// gqlgen alone. It counts the writer's answers and the fields gqlgen
// resolves on the writer's side.
type parity struct {
	writer, gqlgen http.Handler
	written        atomic.Int64
	fields         atomic.Int64
}

func newParity(st domain.Store, lim graph.Limits) *parity {
	p := &parity{}
	p.writer = graph.NewHandler(st, quietLog(), lim, graph.DefaultExposure,
		graph.WithPlanWritten(func() { p.written.Add(1) }), graph.WithExtension(fieldCounter{&p.fields}))
	p.gqlgen = graph.NewHandler(st, quietLog(), lim, graph.DefaultExposure, graph.WithoutPlanWriter())
	return p
}

// fieldCounter counts the fields gqlgen executes.
type fieldCounter struct{ n *atomic.Int64 }

func (fieldCounter) ExtensionName() string                   { return "FieldCounter" }
func (fieldCounter) Validate(graphql.ExecutableSchema) error { return nil }
func (c fieldCounter) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	c.n.Add(1)
	return next(ctx)
}

func answerBytes(t testing.TB, h http.Handler, q string, vars map[string]any) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Body.Bytes()
}

// same posts q to both sides and fails unless the bodies are identical;
// it returns whether the writer answered it.
func (p *parity) same(t *testing.T, q string, vars map[string]any) (written bool) {
	t.Helper()
	before := p.written.Load()
	got := answerBytes(t, p.writer, q, vars)
	want := answerBytes(t, p.gqlgen, q, vars)
	if !bytes.Equal(got, want) {
		t.Errorf("the plan writer's response differs from gqlgen's\n got: %.2000s\nwant: %.2000s", got, want)
	}
	return p.written.Load() > before
}

func TestPlanWriterAnswersTheExamplesAsGqlgen(t *testing.T) {
	p := newParity(projectStore(t), graph.DefaultLimits)
	taken := 0
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			if p.same(t, ex.Query, nil) {
				taken++
			}
		})
	}
	t.Logf("the writer answered %d of %d examples", taken, len(examples.All()))
}

func TestPlanWriterAnswersThePeerQueries(t *testing.T) {
	synthetic, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { synthetic.Close() })
	if err := peer.Load(context.Background(), synthetic, 300); err != nil {
		t.Fatal(err)
	}
	stores := []struct {
		name    string
		st      domain.Store
		anchors peer.Anchors
	}{
		{"seed data", projectStore(t), peer.SeedAnchors},
		{"synthetic data", synthetic, peer.Anchors{City: busiestCity(t, synthetic), Forum: "forum-0001", Country: synth.Country(1), FundingBody: synth.FundingBodies[0]}},
	}
	for _, s := range stores {
		p := newParity(s.st, graph.DefaultLimits)
		for _, q := range peer.Queries(s.anchors) {
			t.Run(s.name+"/"+q.Name, func(t *testing.T) {
				fieldsBefore := p.fields.Load()
				written := p.same(t, q.Citygraph, q.Params)
				if q.Name == "totals-by-country" {
					return // an analytic: its answers are not in the plan
				}
				if !written {
					t.Errorf("gqlgen answered %s; want the plan writer to", q.Name)
				}
				if n := p.fields.Load() - fieldsBefore; n != 0 {
					t.Errorf("gqlgen resolved %d fields for %s; want none", n, q.Name)
				}
			})
		}
	}
}

// busiestCity is the city with the most partners, so that the two-level
// query has pages to write.
func busiestCity(t *testing.T, st domain.Store) string {
	t.Helper()
	c := newClient(st)
	d := query(t, c, `{ cities(first: 300) { edges { node { slug partners(first: 1) { totalCount } } } } }`)
	best, most := "", -1.0
	for _, e := range at(t, d, "cities", "edges").([]any) {
		if n := at(t, e, "node", "partners", "totalCount").(float64); n > most {
			best, most = at(t, e, "node", "slug").(string), n
		}
	}
	return best
}

func TestPlanWriterKeepsTheResponseSizeCap(t *testing.T) {
	lim := graph.DefaultLimits
	lim.MaxResponseBytes = 300
	p := newParity(projectStore(t), lim)
	q := `{ cities(first: 50) { edges { node { id name nameZh } } } }`
	p.same(t, q, nil)
	if got := answerBytes(t, p.writer, q, nil); !bytes.Contains(got, []byte(`"LIMIT_EXCEEDED"`)) {
		t.Errorf("got %s; want LIMIT_EXCEEDED", got)
	}
	p.same(t, `{ city(slug: "nanning") { id } }`, nil)
}

func TestPlanWriterAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 2,000 synthetic cities")
	}
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := peer.Load(context.Background(), st, 2000); err != nil {
		t.Fatal(err)
	}
	q := peer.Queries(peer.Anchors{City: busiestCity(t, st)})[0]
	p := newParity(st, graph.DefaultLimits)
	if !p.same(t, q.Citygraph, q.Params) {
		t.Fatalf("the writer did not answer partners-2")
	}
	allocs := testing.AllocsPerRun(20, func() { answerBytes(t, p.writer, q.Citygraph, q.Params) })
	// gqlgen's per-field execution took about 21,000 for this query.
	if allocs > 3000 {
		t.Errorf("partners-2 took %.0f allocations per request; want at most 3,000", allocs)
	}
	t.Logf("partners-2: %.0f allocations per request", allocs)
}

var _ = fmt.Sprint
var _ = os.Getenv
