package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

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
			if e.Kind == kind && e.From.Kind == domain.KindCity && domain.ActiveAsOf(e.Since, q.AsOf) {
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
				if e.Kind == domain.EdgePartnerOf && domain.ActiveAsOf(e.Since, q.AsOf) {
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

// paths enumerates simple paths level by level, keeping those that reach
// q.To, until K are found or MaxHops is passed. limit bounds the partial
// paths held, so that a careless query fails rather than eats the machine.
func (o *oracle) paths(q domain.PathQuery, limit int) ([]domain.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	links := o.links(q)
	adj := map[string][]string{}
	for k := range links {
		adj[k[0]] = append(adj[k[0]], k[1])
	}
	partial := [][]string{{q.From}}
	var found [][]string
	for hops := 1; hops <= q.MaxHops && len(found) < q.K && len(partial) > 0; hops++ {
		var next, reached [][]string
		for _, p := range partial {
			for _, n := range adj[p[len(p)-1]] {
				if slices.Contains(p, n) {
					continue
				}
				np := append(slices.Clone(p), n)
				if n == q.To {
					reached = append(reached, np)
				} else {
					next = append(next, np)
				}
			}
		}
		if len(next) > limit {
			return nil, fmt.Errorf("oracle: %d partial paths of %d hops; choose a smaller query", len(next), hops)
		}
		slices.SortFunc(reached, slices.Compare)
		found = append(found, reached...)
		partial = next
	}
	if len(found) > q.K {
		found = found[:q.K]
	}
	out := make([]domain.Path, 0, len(found))
	for _, cs := range found {
		p := domain.Path{Cities: cs}
		for i := 0; i+1 < len(cs); i++ {
			p.Hops = append(p.Hops, domain.Hop{From: cs[i], To: cs[i+1], Links: links[[2]string{cs[i], cs[i+1]}]})
		}
		out = append(out, p)
	}
	return out, nil
}

// projectPlaces returns the cities a project is located in and the
// countries it is in, directly or through those cities.
func (o *oracle) projectPlaces(project string) (cities, countries []string) {
	for _, e := range o.edges {
		if e.Kind != domain.EdgeLocatedIn || e.From.ID != project {
			continue
		}
		if e.To.Kind == domain.KindCity {
			cities = append(cities, e.To.ID)
			countries = append(countries, o.cityCountry[e.To.ID]...)
		} else {
			countries = append(countries, e.To.ID)
		}
	}
	slices.Sort(cities)
	slices.Sort(countries)
	return slices.Compact(cities), slices.Compact(countries)
}

func (o *oracle) funding(q domain.FundingQuery) []domain.FundingTotal {
	type gk struct {
		group string
		cur   domain.Currency
	}
	totals := map[gk]*domain.FundingTotal{}
	projects := map[gk]map[string]bool{}
	for _, e := range o.edges {
		if e.Kind != domain.EdgeFinanced {
			continue
		}
		p := o.nodes[e.To].(*domain.Project)
		cities, countries := o.projectPlaces(p.ID)
		if (q.FundingBody != "" && e.From.ID != q.FundingBody) || (q.Sector != "" && p.Sector != q.Sector) ||
			(q.Currency != "" && e.Amount.Currency != q.Currency) || !e.Since.InRange(q.From, q.To) ||
			(q.Country != "" && !slices.Contains(countries, q.Country)) || (q.City != "" && !slices.Contains(cities, q.City)) {
			continue
		}
		var groups []string
		switch q.GroupBy {
		case domain.GroupByFundingBody:
			groups = []string{e.From.ID}
		case domain.GroupByCountry:
			groups = countries
		case domain.GroupByCity:
			groups = cities
		case domain.GroupBySector:
			groups = []string{string(p.Sector)}
		case domain.GroupByYear:
			y := ""
			if e.Since.Known() {
				y = string(e.Since)[:4]
			}
			groups = []string{y}
		}
		for _, g := range groups {
			k := gk{g, e.Amount.Currency}
			if totals[k] == nil {
				totals[k] = &domain.FundingTotal{Group: g, Currency: k.cur}
				projects[k] = map[string]bool{}
			}
			totals[k].Amount += e.Amount.Amount
			totals[k].Financings++
			projects[k][p.ID] = true
		}
	}
	out := make([]domain.FundingTotal, 0, len(totals))
	for k, t := range totals {
		t.Projects = len(projects[k])
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b domain.FundingTotal) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

func (o *oracle) cityIn(city, country, grouping string) bool {
	cs := o.cityCountry[city]
	if country != "" && !slices.Contains(cs, country) {
		return false
	}
	if grouping != "" && !slices.ContainsFunc(cs, func(c string) bool { return o.grouping[grouping][c] }) {
		return false
	}
	return true
}

func (o *oracle) rank(q domain.RankQuery) []domain.RankedCity {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	values := map[string]int64{}
	for _, e := range o.edges {
		if !domain.ActiveAsOf(e.Since, q.AsOf) {
			continue
		}
		switch {
		case q.Metric == domain.RankByPartners && e.Kind == domain.EdgePartnerOf:
			values[e.From.ID]++
			values[e.To.ID]++
		case q.Metric == domain.RankByForums && e.Kind == domain.EdgeAttended && e.From.Kind == domain.KindCity,
			q.Metric == domain.RankByAgreements && e.Kind == domain.EdgeSigned:
			values[e.From.ID]++
		case q.Metric == domain.RankByFunding && e.Kind == domain.EdgeFinanced && e.Amount.Currency == q.Currency:
			cities, _ := o.projectPlaces(e.To.ID)
			for _, c := range cities {
				values[c] += int64(e.Amount.Amount)
			}
		}
	}
	var out []domain.RankedCity
	for c, v := range values {
		if v > 0 && o.cityIn(c, q.Country, q.Grouping) {
			out = append(out, domain.RankedCity{City: c, Value: v})
		}
	}
	slices.SortFunc(out, func(a, b domain.RankedCity) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.City, b.City))
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Value == out[i-1].Value {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out[:min(len(out), q.First)]
}

func (o *oracle) suggest(q domain.SuggestQuery) []domain.Suggestion {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	partners := map[string]bool{}
	forums := map[string][]string{}     // city → forums
	agreements := map[string][]string{} // city → agreements
	funders := map[string][]string{}    // city → funding bodies
	for _, e := range o.edges {
		if !domain.ActiveAsOf(e.Since, q.AsOf) {
			continue
		}
		switch {
		case e.Kind == domain.EdgePartnerOf && (e.From.ID == q.City || e.To.ID == q.City):
			partners[e.Other(cityKey(q.City)).ID] = true
		case e.Kind == domain.EdgeAttended && e.From.Kind == domain.KindCity:
			forums[e.From.ID] = append(forums[e.From.ID], e.To.ID)
		case e.Kind == domain.EdgeSigned:
			agreements[e.From.ID] = append(agreements[e.From.ID], e.To.ID)
		case e.Kind == domain.EdgeFinanced:
			cities, _ := o.projectPlaces(e.To.ID)
			for _, c := range cities {
				funders[c] = append(funders[c], e.From.ID)
			}
		}
	}
	shared := func(m map[string][]string, c string) []string {
		var s []string
		for _, x := range m[c] {
			if slices.Contains(m[q.City], x) {
				s = append(s, x)
			}
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	me, _ := o.nodes[cityKey(q.City)].(*domain.City)
	var out []domain.Suggestion
	for _, c := range o.cities() {
		if c.ID == q.City || partners[c.ID] {
			continue
		}
		s := domain.Suggestion{City: c.ID, SharedForums: shared(forums, c.ID), SharedAgreements: shared(agreements, c.ID), SharedFunders: shared(funders, c.ID)}
		s.Score = domain.WeightSharedAgreement*len(s.SharedAgreements) + domain.WeightSharedForum*len(s.SharedForums) + domain.WeightSharedFunder*len(s.SharedFunders)
		if s.Score == 0 {
			continue
		}
		if me != nil && me.Location != nil && c.Location != nil {
			d := domain.DistanceKm(*me.Location, *c.Location)
			s.DistanceKm = &d
		}
		out = append(out, s)
	}
	slices.SortFunc(out, domain.CompareSuggestions)
	return out[:min(len(out), q.First)]
}

func (o *oracle) near(q domain.NearQuery) []domain.NearCity {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	centre := q.Point
	if q.City != "" {
		centre = o.nodes[cityKey(q.City)].(*domain.City).Location
	}
	var out []domain.NearCity
	for _, c := range o.cities() {
		if c.ID == q.City || c.Location == nil {
			continue
		}
		if d := domain.DistanceKm(*centre, *c.Location); d <= q.RadiusKm {
			out = append(out, domain.NearCity{City: c.ID, DistanceKm: d})
		}
	}
	slices.SortFunc(out, func(a, b domain.NearCity) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.City, b.City))
	})
	return out[:min(len(out), q.First)]
}

// searchScore is the contract's scoring (see the package comment); 0 is no match.
func searchScore(n domain.Node, text string) float64 {
	m := n.Base()
	t := strings.ToLower(text)
	names := append([]string{m.Name, m.NameZh}, m.Aliases...)
	for i := range names {
		names[i] = strings.ToLower(names[i])
	}
	all := append(slices.Clone(names), strings.ToLower(m.Description))
	switch {
	case slices.Contains(names, t):
		return 3
	case slices.ContainsFunc(names, func(s string) bool { return s != "" && strings.HasPrefix(s, t) }):
		return 2
	case slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, t) }):
		return 1
	}
	words := strings.Fields(t)
	if len(words) < 2 {
		return 0
	}
	for _, w := range words {
		if !slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, w) }) {
			return 0
		}
	}
	return 0.5
}

func (o *oracle) search(q domain.SearchQuery) []domain.SearchHit {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	var out []domain.SearchHit
	for k, n := range o.nodes {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, k.Kind) {
			continue
		}
		if s := searchScore(n, q.Text); s > 0 {
			out = append(out, domain.SearchHit{Key: k, Score: s})
		}
	}
	slices.SortFunc(out, func(a, b domain.SearchHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Key.Kind, b.Key.Kind), cmp.Compare(a.Key.ID, b.Key.ID))
	})
	return out[:min(len(out), q.First)]
}
