package storetest

import (
	"cmp"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// oracle answers the analytic questions by brute force, straight from a
// batch, so that the suite can check a store's clever answer against a
// plain one. It favours obviousness over speed.
type oracle struct {
	nodes       map[domain.NodeKey]domain.Node
	edges       []domain.Edge // normalised
	cityCountry map[string][]string
	grouping    map[string]map[string]bool // grouping slug → member countries
}

func newOracle(b *domain.Batch) *oracle {
	o := &oracle{nodes: map[domain.NodeKey]domain.Node{}, cityCountry: map[string][]string{}, grouping: map[string]map[string]bool{}}
	for _, n := range b.Nodes {
		o.nodes[n.Key()] = n
	}
	for _, e := range b.Edges {
		e.Normalize()
		o.edges = append(o.edges, e)
		switch {
		case e.Kind == domain.EdgeInCountry:
			o.cityCountry[e.From.ID] = append(o.cityCountry[e.From.ID], e.To.ID)
		case e.Kind == domain.EdgeMemberOf && e.To.Kind == domain.KindGrouping:
			if o.grouping[e.To.ID] == nil {
				o.grouping[e.To.ID] = map[string]bool{}
			}
			o.grouping[e.To.ID][e.From.ID] = true
		}
	}
	return o
}

func (o *oracle) cities() []*domain.City {
	var cs []*domain.City
	for _, n := range o.nodes {
		if c, ok := n.(*domain.City); ok {
			cs = append(cs, c)
		}
	}
	slices.SortFunc(cs, func(a, b *domain.City) int { return cmp.Compare(a.ID, b.ID) })
	return cs
}

// links lists every link between two cities of the followed kinds, in the
// contract's order (kind as in LinkKinds, then the via node's slug).
func (o *oracle) links(q domain.PathQuery) map[[2]string][]domain.Link {
	members := func(kind domain.EdgeKind) map[string][]string { // via slug → cities
		m := map[string][]string{}
		for _, e := range o.edges {
			if e.Kind == kind && e.From.Kind == domain.KindCity && e.ActiveOn(q.AsOf) {
				m[e.To.ID] = append(m[e.To.ID], e.From.ID)
			}
		}
		return m
	}
	out := map[[2]string][]domain.Link{}
	add := func(a, b string, l domain.Link) {
		out[[2]string{a, b}] = append(out[[2]string{a, b}], l)
		out[[2]string{b, a}] = append(out[[2]string{b, a}], l)
	}
	for _, lk := range domain.LinkKinds {
		if !slices.Contains(q.Via, lk) {
			continue
		}
		switch lk {
		case domain.LinkPartnership:
			for _, e := range o.edges {
				if e.Kind == domain.EdgePartnerOf && e.ActiveOn(q.AsOf) {
					add(e.From.ID, e.To.ID, domain.Link{Kind: lk, Edge: &e})
				}
			}
		case domain.LinkForum, domain.LinkAgreement:
			kind, vk := domain.EdgeAttended, domain.KindForum
			if lk == domain.LinkAgreement {
				kind, vk = domain.EdgeSigned, domain.KindAgreement
			}
			m := members(kind)
			vias := make([]string, 0, len(m))
			for v := range m {
				vias = append(vias, v)
			}
			slices.Sort(vias)
			for _, v := range vias {
				cs := m[v]
				for i := range cs {
					for j := i + 1; j < len(cs); j++ {
						add(cs[i], cs[j], domain.Link{Kind: lk, Via: domain.NodeKey{Kind: vk, ID: v}})
					}
				}
			}
		}
	}
	return out
}
