package embedded

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

func cityKey(id string) domain.NodeKey { return domain.NodeKey{Kind: domain.KindCity, ID: id} }

func (st *state) requireCity(id string) error {
	if _, ok := st.nodes[cityKey(id)]; !ok {
		return domain.Errorf(domain.ENOTFOUND, "city %q does not exist", id)
	}
	return nil
}

// ---- Paths -----------------------------------------------------------------

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
			if domain.ActiveAsOf(e.Since, g.q.AsOf) {
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
				if domain.ActiveAsOf(e.Since, g.q.AsOf) {
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
			if e.From.Kind == domain.KindCity && domain.ActiveAsOf(e.Since, g.q.AsOf) {
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

// ---- Funding ---------------------------------------------------------------

// financing is one FINANCED edge with where its project is.
type financing struct {
	e         *domain.Edge
	project   *domain.Project
	cities    []string
	countries []string
}

// financedIndex is where FINANCED sits in an adjacency.
var financedIndex = edgeKindIndex[domain.EdgeFinanced]

// financingsOf calls f for each financing of a project, with the places
// kept for it (see projectInfo), until dl stops it.
func (st *state) financingsOf(p *projectInfo, dl *deadline, f func(fin financing)) {
	if p.node == nil {
		return
	}
	for _, e := range p.adj.in[financedIndex] {
		if dl.tick() {
			return
		}
		if e.Amount != nil {
			f(financing{e: e, project: p.node, cities: p.cities, countries: p.countries})
		}
	}
}

// financingsBy calls f for each financing by a funding body, until dl stops it.
func (st *state) financingsBy(body string, dl *deadline, f func(fin financing)) {
	for _, list := range st.edgesOf(domain.NodeKey{Kind: domain.KindFundingBody, ID: body}, domain.EdgeFinanced, domain.Out) {
		for _, e := range list {
			if dl.tick() {
				return
			}
			p := st.projects[e.To.ID]
			if p == nil || p.node == nil || e.Amount == nil {
				continue
			}
			f(financing{e: e, project: p.node, cities: p.cities, countries: p.countries})
		}
	}
}

// financings calls f for every financing, project by project, until dl stops it.
func (st *state) financings(dl *deadline, f func(fin financing)) {
	for _, p := range st.projectList {
		if dl.tick() {
			return
		}
		st.financingsOf(p, dl, f)
	}
}

func unique(s []string) []string {
	if len(s) < 2 {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// FundingTotals sums financings per group and currency. See domain.FundingQuery.
func (s *Store) FundingTotals(ctx context.Context, q domain.FundingQuery) ([]domain.FundingTotal, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.FundingTotal, error) {
		dl := newDeadline(ctx, "summing financings", "a narrower total: one city, country, funding body, sector or currency, or a range of dates")
		type groupKey struct {
			group string
			cur   domain.Currency
		}
		type total struct {
			domain.FundingTotal
			// lastProject counts each project once: financings come
			// project by project (or, for one body, each project once).
			lastProject string
		}
		totals := map[groupKey]*total{}
		add := func(g string, e *domain.Edge, p *domain.Project) {
			k := groupKey{g, e.Amount.Currency}
			t := totals[k]
			if t == nil {
				t = &total{FundingTotal: domain.FundingTotal{Group: g, Currency: k.cur}}
				totals[k] = t
			}
			t.Amount += e.Amount.Amount
			t.Financings++
			if t.lastProject != p.ID {
				t.Projects++
				t.lastProject = p.ID
			}
		}
		visit := func(f financing) {
			e, p := f.e, f.project
			if (q.FundingBody != "" && e.From.ID != q.FundingBody) || (q.Sector != "" && p.Sector != q.Sector) ||
				(q.Currency != "" && e.Amount.Currency != q.Currency) || !e.Since.InRange(q.From, q.To) ||
				(q.Country != "" && !slices.Contains(f.countries, q.Country)) || (q.City != "" && !slices.Contains(f.cities, q.City)) {
				return
			}
			switch q.GroupBy {
			case domain.GroupByFundingBody:
				add(e.From.ID, e, p)
			case domain.GroupByCountry:
				for _, c := range f.countries {
					add(c, e, p)
				}
			case domain.GroupByCity:
				for _, c := range f.cities {
					add(c, e, p)
				}
			case domain.GroupBySector:
				add(string(p.Sector), e, p)
			case domain.GroupByYear:
				add(string(e.Since)[:min(4, len(e.Since))], e, p)
			}
		}
		// Start from the narrowest index the query allows.
		switch {
		case q.City != "":
			for _, p := range st.cityProjects[q.City] {
				if dl.stopped() {
					break
				}
				st.financingsOf(p, dl, visit)
			}
		case q.FundingBody != "":
			st.financingsBy(q.FundingBody, dl, visit)
		default:
			st.financings(dl, visit)
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		out := make([]domain.FundingTotal, 0, len(totals))
		for _, t := range totals {
			out = append(out, t.FundingTotal)
		}
		slices.SortFunc(out, func(a, b domain.FundingTotal) int {
			return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Currency, b.Currency))
		})
		return out, nil
	})
}

// ---- Rankings --------------------------------------------------------------

// rankOrder is the ranking's order: value descending, then slug.
func rankOrder(a, b domain.RankedCity) int {
	return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.City, b.City))
}

// RankCities ranks cities by a metric. See domain.RankQuery.
func (s *Store) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.RankedCity, error) {
		dl := newDeadline(ctx, "ranking cities", "a shorter ranking (first) or one country or grouping")
		top := newBest(q.First, rankOrder)
		offer := func(c string, v int64) {
			if v > 0 && st.inPlace(cityKey(c), q.Country, q.Grouping) {
				top.offer(domain.RankedCity{City: c, Value: v})
			}
		}
		if q.Metric == domain.RankByFunding {
			values := map[string]int64{}
			st.financings(dl, func(f financing) {
				if f.e.Amount.Currency == q.Currency && domain.ActiveAsOf(f.e.Since, q.AsOf) {
					for _, c := range f.cities {
						values[c] += int64(f.e.Amount.Amount)
					}
				}
			})
			for c, v := range values {
				if dl.tick() {
					break
				}
				offer(c, v)
			}
		} else {
			kind, dir := domain.EdgePartnerOf, domain.Both
			switch q.Metric {
			case domain.RankByForums:
				kind, dir = domain.EdgeAttended, domain.Out
			case domain.RankByAgreements:
				kind, dir = domain.EdgeSigned, domain.Out
			}
			i := edgeKindIndex[kind]
			for n, c := range st.byKind[domain.KindCity] {
				if dl.tick() {
					break
				}
				a := st.cityAdj[n]
				lists := [][]*domain.Edge{a.out[i], nil}
				if dir == domain.Both {
					lists[1] = a.in[i]
				}
				var v int64
				for _, list := range lists {
					if q.AsOf == "" {
						v += int64(len(list)) // every edge is active now
						continue
					}
					for _, e := range list {
						if domain.ActiveAsOf(e.Since, q.AsOf) {
							v++
						}
					}
				}
				offer(c, v)
			}
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		if len(top.items) == 0 {
			return nil, nil // as an empty ranking always was
		}
		out := top.items
		for i := range out {
			out[i].Rank = i + 1
			if i > 0 && out[i].Value == out[i-1].Value {
				out[i].Rank = out[i-1].Rank
			}
		}
		return out, nil
	})
}

// ---- Suggestions -----------------------------------------------------------

// SuggestPartners proposes cities sharing forums, agreements or funders
// with q.City that are not yet its partners. See domain.SuggestQuery.
func (s *Store) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.Suggestion, error) {
		if err := st.requireCity(q.City); err != nil {
			return nil, err
		}
		dl := newDeadline(ctx, fmt.Sprintf("suggesting partners for %q", q.City), "fewer suggestions (first)")
		me := cityKey(q.City)
		active := func(e *domain.Edge) bool { return domain.ActiveAsOf(e.Since, q.AsOf) }
		shared := map[string]*domain.Suggestion{}
		share := func(city string, add func(s *domain.Suggestion)) {
			if city == q.City {
				return
			}
			sg := shared[city]
			if sg == nil {
				sg = &domain.Suggestion{City: city}
				shared[city] = sg
			}
			add(sg)
		}
		// Forums attended and agreements signed together.
	hubs:
		for _, kind := range []domain.EdgeKind{domain.EdgeAttended, domain.EdgeSigned} {
			for _, list := range st.edgesOf(me, kind, domain.Out) {
				for _, mine := range list {
					if !active(mine) {
						continue
					}
					hub := mine.To.ID
					for _, other := range st.edgesOf(mine.To, kind, domain.In) {
						for _, e := range other {
							if dl.tick() {
								break hubs
							}
							if e.From.Kind != domain.KindCity || !active(e) {
								continue
							}
							share(e.From.ID, func(s *domain.Suggestion) {
								if kind == domain.EdgeAttended {
									s.SharedForums = append(s.SharedForums, hub)
								} else {
									s.SharedAgreements = append(s.SharedAgreements, hub)
								}
							})
						}
					}
				}
			}
		}
		// Funders of projects located in both cities: this city's funders
		// from its own projects, then only those funders' financings.
		var myFunders []string
		for _, p := range st.cityProjects[q.City] {
			if dl.stopped() {
				break
			}
			st.financingsOf(p, dl, func(f financing) {
				if active(f.e) {
					myFunders = append(myFunders, f.e.From.ID)
				}
			})
		}
		for _, body := range unique(myFunders) {
			if dl.stopped() {
				break
			}
			st.financingsBy(body, dl, func(f financing) {
				if !active(f.e) {
					return
				}
				for _, c := range f.cities {
					share(c, func(s *domain.Suggestion) { s.SharedFunders = append(s.SharedFunders, body) })
				}
			})
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		partners := map[string]bool{}
		for _, list := range st.edgesOf(me, domain.EdgePartnerOf, domain.Both) {
			for _, e := range list {
				if dl.tick() {
					return nil, dl.Err()
				}
				if active(e) {
					partners[e.Other(me).ID] = true
				}
			}
		}
		myLoc := st.nodes[me].(*domain.City).Location
		var out []domain.Suggestion
		for c, sg := range shared {
			if dl.tick() {
				return nil, dl.Err()
			}
			if partners[c] {
				continue
			}
			sg.SharedForums, sg.SharedAgreements, sg.SharedFunders = unique(sg.SharedForums), unique(sg.SharedAgreements), unique(sg.SharedFunders)
			sg.Score = domain.WeightSharedAgreement*len(sg.SharedAgreements) + domain.WeightSharedForum*len(sg.SharedForums) +
				domain.WeightSharedFunder*len(sg.SharedFunders)
			if city, _ := st.nodes[cityKey(c)].(*domain.City); myLoc != nil && city != nil && city.Location != nil {
				d := domain.DistanceKm(*myLoc, *city.Location)
				sg.DistanceKm = &d
			}
			out = append(out, *sg)
		}
		slices.SortFunc(out, domain.CompareSuggestions)
		return out[:min(len(out), q.First)], nil
	})
}

// ---- Near ------------------------------------------------------------------

// Near returns cities within a distance, nearest first. See domain.NearQuery.
func (s *Store) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.NearCity, error) {
		centre := q.Point
		if q.City != "" {
			c, ok := st.nodes[cityKey(q.City)].(*domain.City)
			if !ok {
				return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", q.City)
			}
			if c.Location == nil {
				return nil, domain.Errorf(domain.EINVALID, "city %q has no known location to measure from; give a point instead", q.City)
			}
			centre = c.Location
		}
		dl := newDeadline(ctx, "finding cities near a place", "a shorter distance (withinKm)")
		nearest := newBest(q.First, func(a, b domain.NearCity) int {
			return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.City, b.City))
		})
		for _, id := range st.byKind[domain.KindCity] {
			if dl.tick() {
				return nil, dl.Err()
			}
			c := st.nodes[cityKey(id)].(*domain.City)
			if id == q.City || c.Location == nil {
				continue
			}
			if d := domain.DistanceKm(*centre, *c.Location); d <= q.RadiusKm {
				nearest.offer(domain.NearCity{City: id, DistanceKm: d})
			}
		}
		if len(nearest.items) == 0 {
			return nil, nil // as an empty answer always was
		}
		return nearest.items, nil
	})
}

// ---- Search ----------------------------------------------------------------

// searchDoc is a node's searchable text, lower-cased once at write time.
type searchDoc struct {
	names []string // name, Chinese name, aliases
	desc  string
}

func newSearchDoc(n domain.Node) *searchDoc {
	m := n.Base()
	d := &searchDoc{desc: strings.ToLower(m.Description)}
	for _, s := range append([]string{m.Name, m.NameZh}, m.Aliases...) {
		if s != "" {
			d.names = append(d.names, strings.ToLower(s))
		}
	}
	return d
}

// score: 3 exact name, 2 prefix of a name, 1 substring of a name or the
// description, 0.5 every word found somewhere; 0 no match.
func (d *searchDoc) score(text string, words []string) float64 {
	best := 0.0
	for _, n := range d.names {
		switch {
		case n == text:
			return 3
		case strings.HasPrefix(n, text):
			best = 2
		case best < 1 && strings.Contains(n, text):
			best = 1
		}
	}
	if best > 0 {
		return best
	}
	if strings.Contains(d.desc, text) {
		return 1
	}
	if len(words) < 2 {
		return 0
	}
	for _, w := range words {
		if !strings.Contains(d.desc, w) && !slices.ContainsFunc(d.names, func(n string) bool { return strings.Contains(n, w) }) {
			return 0
		}
	}
	return 0.5
}

// Search finds nodes by English or Chinese text. See domain.SearchQuery.
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.SearchHit, error) {
		text := strings.ToLower(q.Text)
		words := strings.Fields(text)
		kinds := q.Kinds
		if len(kinds) == 0 {
			kinds = domain.Kinds
		}
		dl := newDeadline(ctx, fmt.Sprintf("searching for %q", q.Text), "fewer kinds of node (kinds) or more specific text")
		hits := newBest(q.First, func(a, b domain.SearchHit) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Key.Kind, b.Key.Kind), cmp.Compare(a.Key.ID, b.Key.ID))
		})
		for _, k := range unique(kindStrings(kinds)) {
			for _, id := range st.byKind[domain.Kind(k)] {
				if dl.tick() {
					return nil, dl.Err()
				}
				key := domain.NodeKey{Kind: domain.Kind(k), ID: id}
				if sc := st.search[key].score(text, words); sc > 0 {
					hits.offer(domain.SearchHit{Key: key, Score: sc})
				}
			}
		}
		if len(hits.items) == 0 {
			return nil, nil // as an empty answer always was
		}
		return hits.items, nil
	})
}

func kindStrings(ks []domain.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
