package embedded

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// linkGraph answers "which cities are linked to c" for one path query,
// through partnerships and through shared forums or agreements (hubs).
type linkGraph struct {
	st    *state
	q     domain.PathQuery
	dl    *deadline         // every relation visited is a step
	hubs  []domain.EdgeKind // ATTENDED and/or SIGNED
	part  bool
	cache map[string][]string
}

func newLinkGraph(st *state, q domain.PathQuery, dl *deadline) *linkGraph {
	g := &linkGraph{st: st, q: q, dl: dl, cache: map[string][]string{}, part: slices.Contains(q.Via, domain.LinkPartnership)}
	if slices.Contains(q.Via, domain.LinkForum) {
		g.hubs = append(g.hubs, domain.EdgeAttended)
	}
	if slices.Contains(q.Via, domain.LinkAgreement) {
		g.hubs = append(g.hubs, domain.EdgeSigned)
	}
	return g
}

// partners calls f for each active partner of c with the partnership.
func (g *linkGraph) partners(c string, f func(other string, e *domain.Edge)) {
	if !g.part {
		return
	}
	k := cityKey(c)
	for _, list := range g.st.edgesOf(k, domain.EdgePartnerOf, domain.Both) {
		for _, e := range list {
			if g.dl.tick() {
				return
			}
			if e.ActiveOn(g.q.AsOf) {
				f(e.Other(k).ID, e)
			}
		}
	}
}

// hubsOf calls f for each forum or agreement c took part in, as of AsOf.
func (g *linkGraph) hubsOf(c string, f func(hub domain.NodeKey)) {
	for _, kind := range g.hubs {
		for _, list := range g.st.edgesOf(cityKey(c), kind, domain.Out) {
			for _, e := range list {
				if g.dl.tick() {
					return
				}
				if e.ActiveOn(g.q.AsOf) {
					f(e.To)
				}
			}
		}
	}
}

// members calls f for each city that took part in hub as of AsOf.
func (g *linkGraph) members(hub domain.NodeKey, f func(city string)) {
	kind := domain.EdgeAttended
	if hub.Kind == domain.KindAgreement {
		kind = domain.EdgeSigned
	}
	for _, list := range g.st.edgesOf(hub, kind, domain.In) {
		for _, e := range list {
			if g.dl.tick() {
				return
			}
			if e.From.Kind == domain.KindCity && e.ActiveOn(g.q.AsOf) {
				f(e.From.ID)
			}
		}
	}
}

// neighbours returns c's linked cities, sorted, computed once per query;
// none once the deadline stopped the query.
func (g *linkGraph) neighbours(c string) []string {
	if ns, ok := g.cache[c]; ok {
		return ns
	}
	set := map[string]bool{}
	g.partners(c, func(o string, _ *domain.Edge) { set[o] = true })
	g.hubsOf(c, func(h domain.NodeKey) { g.members(h, func(m string) { set[m] = true }) })
	if g.dl.stopped() {
		return nil
	}
	delete(set, c)
	ns := make([]string, 0, len(set))
	for n := range set {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	g.cache[c] = ns
	return ns
}

// distances is a breadth-first search from c, each forum or agreement
// expanded once, so it costs one visit per relation however big the forum.
func (g *linkGraph) distances(from string, maxHops int) map[string]int {
	dist := map[string]int{from: 0}
	expanded := map[domain.NodeKey]bool{}
	frontier := []string{from}
	for d := 1; d <= maxHops && len(frontier) > 0 && !g.dl.stopped(); d++ {
		var next []string
		visit := func(o string) {
			if _, ok := dist[o]; !ok {
				dist[o] = d
				next = append(next, o)
			}
		}
		for _, c := range frontier {
			if g.dl.stopped() {
				break
			}
			g.partners(c, func(o string, _ *domain.Edge) { visit(o) })
			g.hubsOf(c, func(h domain.NodeKey) {
				if !expanded[h] {
					expanded[h] = true
					g.members(h, visit)
				}
			})
		}
		frontier = next
	}
	return dist
}

// links lists every link between a and b in the contract's order.
func (g *linkGraph) links(a, b string) []domain.Link {
	var out []domain.Link
	g.partners(a, func(o string, e *domain.Edge) {
		if o == b {
			c := cloneEdge(e)
			out = append(out, domain.Link{Kind: domain.LinkPartnership, Edge: &c})
		}
	})
	var shared []domain.NodeKey
	g.hubsOf(a, func(h domain.NodeKey) {
		g.members(h, func(m string) {
			if m == b {
				shared = append(shared, h)
			}
		})
	})
	// Forums before agreements (LinkKinds order), each by slug.
	slices.SortFunc(shared, func(x, y domain.NodeKey) int {
		return cmp.Or(-cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.ID, y.ID))
	})
	shared = slices.Compact(shared)
	for _, h := range shared {
		kind := domain.LinkForum
		if h.Kind == domain.KindAgreement {
			kind = domain.LinkAgreement
		}
		out = append(out, domain.Link{Kind: kind, Via: h})
	}
	return out
}

// Paths returns the K shortest simple chains of cities. It measures every
// city's distance to the target, then walks depth first from the start in
// slug order, one path length at a time, pruning any branch that cannot
// reach the target in the hops left: paths come out in the contract's order.
func (s *Store) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.Path, error) {
		if err := st.requireCity(q.From); err != nil {
			return nil, err
		}
		if err := st.requireCity(q.To); err != nil {
			return nil, err
		}
		dl := newDeadline(ctx, fmt.Sprintf("finding paths from %q to %q", q.From, q.To),
			"fewer hops (maxHops), fewer paths (k) or fewer kinds of link (via)")
		g := newLinkGraph(st, q, dl)
		toTarget := g.distances(q.To, q.MaxHops)
		if dl.stopped() {
			return nil, dl.Err()
		}
		shortest, ok := toTarget[q.From]
		if !ok {
			return []domain.Path{}, nil
		}
		var found [][]string
		path := []string{q.From}
		onPath := map[string]bool{q.From: true}
		var walk func(length int)
		walk = func(length int) {
			last := path[len(path)-1]
			if last == q.To {
				if len(path)-1 == length {
					found = append(found, slices.Clone(path))
				}
				return
			}
			for _, n := range g.neighbours(last) {
				if len(found) == q.K || g.dl.tick() {
					return
				}
				d, ok := toTarget[n]
				if !ok || onPath[n] || len(path)+d > length {
					continue
				}
				path = append(path, n)
				onPath[n] = true
				walk(length)
				path = path[:len(path)-1]
				delete(onPath, n)
			}
		}
		for length := shortest; length <= q.MaxHops && len(found) < q.K && !dl.stopped(); length++ {
			walk(length)
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		out := make([]domain.Path, len(found))
		for i, cs := range found {
			out[i].Cities = cs
			for j := 0; j+1 < len(cs); j++ {
				out[i].Hops = append(out[i].Hops, domain.Hop{From: cs[j], To: cs[j+1], Links: g.links(cs[j], cs[j+1])})
				if dl.stopped() {
					return nil, dl.Err()
				}
			}
		}
		return out, nil
	})
}
