package neo4jstore_test

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func TestSmoke(t *testing.T) {
	s := openEmpty(t)
	ctx := context.Background()
	b := &domain.Batch{Nodes: []domain.Node{
		&domain.Source{Meta: domain.Meta{ID: "src", Name: "A source"}, Publisher: "x"},
		&domain.City{Meta: domain.Meta{ID: "nanning", Name: "Nanning", NameZh: "南宁", Sources: []string{"src"}}, Division: "city",
			Location: &domain.GeoPoint{Lat: 22.8, Lon: 108.3}},
		&domain.City{Meta: domain.Meta{ID: "ipoh", Name: "Ipoh", Sources: []string{"src"}}, Division: "city"},
	}, Edges: []domain.Edge{{Kind: domain.EdgePartnerOf, From: domain.NodeKey{Kind: "City", ID: "nanning"}, To: domain.NodeKey{Kind: "City", ID: "ipoh"},
		PartnershipKind: "sister_city", Status: "established", Since: "2005", Sources: []string{"src"}}}}
	r, err := s.Apply(ctx, b, domain.ApplyOptions{})
	t.Logf("%+v %v", r, err)
	r, err = s.Apply(ctx, b, domain.ApplyOptions{})
	t.Logf("%+v %v", r, err)
	ns, err := s.Nodes(ctx, []domain.NodeKey{{Kind: "City", ID: "nanning"}, {Kind: "City", ID: "x"}})
	t.Logf("%+v %v", ns, err)
	p, err := s.ListNodes(ctx, domain.NodeQuery{Kind: "City"})
	t.Logf("%+v %v", p, err)
	ep, err := s.Edges(ctx, domain.EdgeQuery{Kind: "PARTNER_OF"}, []domain.NodeKey{{Kind: "City", ID: "ipoh"}, {Kind: "City", ID: "x"}})
	t.Logf("%+v %v", ep, err)
	g, err := s.Neighbourhood(ctx, domain.NeighbourhoodQuery{Center: domain.NodeKey{Kind: "City", ID: "ipoh"}, Depth: 2})
	t.Logf("%+v %v", g, err)
}
