package neo4jstore

import (
	"fmt"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// decodeCase is a plan of the two-level shape (a city, a page of its
// partners, each with a page of theirs) and the one row its statement
// returns, as the driver hands it over: partners relations at each level,
// so that decoding can be measured without a server.
func decodeCase(partners int) (*domain.Plan, []any) {
	proj := &domain.Projection{Nodes: map[domain.Kind][]string{}, Edges: map[domain.EdgeKind][]string{}}
	for _, k := range domain.Kinds {
		proj.Nodes[k] = []string{"name"}
	}
	for _, k := range domain.EdgeKinds {
		proj.Edges[k] = []string{}
	}
	proj.Edges[domain.EdgePartnerOf] = []string{"since", "partnershipKind"}
	follow := func(first int, ends *domain.Reach) domain.Follow {
		return domain.Follow{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: first}}, Ends: ends}
	}
	p := &domain.Plan{Fields: proj, Roots: []domain.Root{{Keys: []domain.NodeKey{{Kind: domain.KindCity, ID: "c-0"}},
		Reach: domain.Reach{Follow: []domain.Follow{follow(1000, &domain.Reach{Follow: []domain.Follow{follow(2, &domain.Reach{})}})}}}}}
	if err := p.Normalize(); err != nil {
		panic(err)
	}
	city := func(id string) map[string]any { return map[string]any{"key": "City:" + id, "name": "City " + id} }
	row := func(from, to string, end any) []any {
		return []any{true, map[string]any{"since": "2001", "partnershipKind": "sister"}, "City " + to, "City:" + to, end, nil}
	}
	rows := make([]any, partners)
	for i := range rows {
		id := fmt.Sprintf("c-%d", i+1)
		// A node's list: the node, its sources, then each follow's rows,
		// total, cursor tests (see planBuilder.node).
		far := []any{row(id, id+"-a", []any{city(id + "-a"), nil}), row(id, id+"-b", []any{city(id + "-b"), nil})}
		rows[i] = row("c-0", id, []any{city(id), nil, far, int64(5), nil, nil})
	}
	root := []any{city("c-0"), nil, rows, int64(partners), nil, nil}
	return p, []any{[]any{root}}
}

// TestPlanDecodingAllocationsPerRow counts the allocations decoding a plan's
// row makes per relation read (a partner and its own two partners):
// deterministic, so a change that makes decoding allocate per anchor or
// per row what it could once per plan shows here.
func TestPlanDecodingAllocationsPerRow(t *testing.T) {
	allocs := func(partners int) float64 {
		p, cols := decodeCase(partners)
		return testing.AllocsPerRun(20, func() {
			if err := planAnswers(p, cols, domain.NewAnswers()); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(100), allocs(300)
	perPartner := (large - small) / 200
	// A partner is three relations and three nodes (itself and its two
	// partners); each takes an Edge, a cursor and a node, and map room.
	const bound = 15
	if perPartner > bound {
		t.Errorf("decoding allocates %.1f times per partner (%.0f for 100, %.0f for 300), want at most %d", perPartner, small, large, bound)
	}
	t.Logf("%.1f allocations per partner (%.0f for 100, %.0f for 300)", perPartner, small, large)
}

// BenchmarkPlanDecode decodes the two-level row of 100 partners, each with
// two of theirs: the Go side of a plan's answer, without a server.
func BenchmarkPlanDecode(b *testing.B) {
	p, cols := decodeCase(100)
	b.ReportAllocs()
	for b.Loop() {
		if err := planAnswers(p, cols, domain.NewAnswers()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanStatement builds the statement of the two-level plan: the
// Go side of a plan's question, without a server.
func BenchmarkPlanStatement(b *testing.B) {
	p, _ := decodeCase(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := planStatement(p); err != nil {
			b.Fatal(err)
		}
	}
}
