package neo4jstore

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// planDBHits runs a plan's statement under PROFILE and sums its db hits:
// what the server read for it, counted, not timed.
func planDBHits(t *testing.T, s *Store, p domain.Plan) int64 {
	t.Helper()
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	cypher, params, err := planStatement(&p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := neo4j.ExecuteQuery(ctx, s.driver, "PROFILE "+cypher, params, neo4j.EagerResultTransformer, s.queryOpts(true, 60*time.Second)...)
	if err != nil {
		t.Fatalf("PROFILE failed: %v\n%s", err, cypher)
	}
	var sum func(neo4j.ProfiledPlan) int64
	sum = func(p neo4j.ProfiledPlan) int64 {
		n := p.DbHits()
		for _, c := range p.Children() {
			n += sum(c)
		}
		return n
	}
	return sum(res.Summary.Profile())
}

// TestProjectionReadsLess checks that what a plan does not ask is not read:
// a projected plan costs the server fewer db hits than the same plan read
// whole, and a page that asks for its total alone fewer than one that
// reads its items. The stores' answers themselves are checked by the
// contract suite (storetest's Projection group).
func TestProjectionReadsLess(t *testing.T) {
	s := loadPlanGraph(t)
	country := []domain.NodeKey{{Kind: domain.KindCountry, ID: synth.Country(1)}}
	cities := func(page domain.Page) domain.Plan {
		return domain.Plan{Roots: []domain.Root{{Keys: country, Reach: domain.Reach{Follow: []domain.Follow{{
			Query: domain.EdgeQuery{Kind: domain.EdgeInCountry, Direction: domain.In, Page: domain.Page{First: 50}},
			Ends:  &domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: page}, Ends: &domain.Reach{}}}}}}}}}}
	}
	names := &domain.Projection{Nodes: map[domain.Kind][]string{}, Edges: map[domain.EdgeKind][]string{}}
	for _, k := range domain.Kinds {
		names.Nodes[k] = []string{"name"}
	}
	for _, k := range domain.EdgeKinds {
		names.Edges[k] = []string{}
	}
	whole := cities(domain.Page{First: 10})
	projected := cities(domain.Page{First: 10})
	projected.Fields = names
	if w, p := planDBHits(t, s, whole), planDBHits(t, s, projected); p >= w*3/4 {
		t.Errorf("db hits: projected to names %d, read whole %d; want the projection to save at least a quarter", p, w)
	}
	items, totalOnly := cities(domain.Page{First: 10}), cities(domain.Page{First: 10, NoItems: true})
	if i, o := planDBHits(t, s, items), planDBHits(t, s, totalOnly); o >= i/2 {
		t.Errorf("db hits: partner totals alone %d, partner pages %d; want the totals to cost less than half", o, i)
	}
}
