package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citygraph/citygraph/domain"
)

// The Filters group runs generated where filters (domain/filter.go) on the
// synthetic graph and checks each answer against a brute-force evaluation
// written here, plainly and apart from the stores': property values read
// straight off the structs, relations found by scanning every edge.

var filterTests = []test{
	// One load of the synthetic graph serves every generated filter: on
	// Neo4j the load is most of the test's time.
	{"generated filters match the oracle, alone and in a plan", func(t *testing.T, open func(*testing.T) domain.Store) {
		c := NewFilterChecker(t, open(t))
		t.Run("node lists", func(t *testing.T) {
			for seed := range uint64(40) {
				c.CheckNodes(t, seed)
			}
		})
		t.Run("relations", func(t *testing.T) {
			for seed := range uint64(40) {
				c.CheckRelations(t, seed)
			}
		})
		t.Run("a plan answers as the single reads", func(t *testing.T) {
			runner := planRunner(t, c.s)
			r := rand.New(rand.NewPCG(7, 7))
			for i := range 10 {
				kind := filterKinds[i%len(filterKinds)]
				w := c.gen.node(r, kind, 0)
				list := domain.NodeQuery{Kind: kind, Where: &w, Page: domain.Page{First: 5}}
				pw := c.gen.edge(r, domain.EdgeScope(domain.EdgePartnerOf, domain.Both), 0)
				partners := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Where: &pw, Page: domain.Page{First: 5}}
				if err := partners.Normalize(); err != nil { // as Run does, so that signatures match
					t.Fatal(err)
				}
				p := domain.Plan{Roots: []domain.Root{{List: &list, Reach: domain.Reach{Follow: []domain.Follow{{From: domain.KindCity, Query: partners, Ends: &domain.Reach{}}}}}}}
				a, err := runner.Run(context.Background(), &p)
				if err != nil {
					t.Fatalf("filter %s: %v", w.String(), err)
				}
				single, err := c.s.ListNodes(context.Background(), list)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := nodeIDs(a.Lists[list.Signature()].Items), nodeIDs(single.Items); !slices.Equal(got, want) {
					t.Errorf("plan list for %s = %v, single read %v", w.String(), got, want)
				}
				for _, n := range single.Items {
					if n.Key().Kind != domain.KindCity {
						continue
					}
					pages, err := c.s.Edges(context.Background(), partners, []domain.NodeKey{n.Key()})
					if err != nil {
						t.Fatal(err)
					}
					got, _ := a.Page(partners, n.Key())
					if !slices.Equal(edgeKeys(got.Items), edgeKeys(pages[0].Items)) || got.TotalCount != pages[0].TotalCount {
						t.Errorf("plan partners of %s for %s = %v (%d), single read %v (%d)", n.Key(), partners.Where.String(),
							edgeKeys(got.Items), got.TotalCount, edgeKeys(pages[0].Items), pages[0].TotalCount)
					}
				}
			}
		})
	}},
	{"an invalid filter is refused and names its place", func(t *testing.T, open func(*testing.T) domain.Store) {
		s := open(t)
		deep := domain.Compare("name", domain.OpEq, "x")
		for range domain.MaxFilterDepth + 1 {
			node := domain.Filter{Op: domain.OpNode, Args: []domain.Filter{deep}}
			deep = domain.Quantify(domain.OpSome, "partners", &node)
		}
		cases := []struct {
			name     string
			where    domain.Filter
			code     domain.Code
			mentions string
		}{
			{"an unknown field", domain.Compare("mayor", domain.OpEq, "x"), domain.EINVALID, "mayor"},
			{"an operator of another type", domain.Compare("population", domain.OpContains, "1"), domain.EINVALID, "contains"},
			{"a value of the wrong type", domain.Compare("population", domain.OpGt, "many"), domain.EINVALID, "population"},
			{"a date of the wrong form", domain.Quantify(domain.OpSome, "partners", &domain.Filter{Op: domain.OpAnd, Args: []domain.Filter{domain.Compare("since", domain.OpLt, "2016-13")}}), domain.EINVALID, "2016-13"},
			{"an unknown relation", domain.Quantify(domain.OpSome, "rivals", nil), domain.EINVALID, "rivals"},
			{"an unknown enum value", domain.Compare("division", domain.OpEq, "village"), domain.EINVALID, "village"},
			{"quantifiers nested too deep", deep, domain.ELIMIT, "deeper"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := tc.where
				_, err := s.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCity, Where: &w})
				if domain.ErrorCode(err) != tc.code || !strings.Contains(domain.ErrorMessage(err), tc.mentions) {
					t.Errorf("got %v (%s), want %s mentioning %q", err, domain.ErrorCode(err), tc.code, tc.mentions)
				}
			})
		}
	}},
}

// filterKinds are the node kinds the generated filters list.
var filterKinds = []domain.Kind{domain.KindCity, domain.KindCountry, domain.KindOrganization, domain.KindForum,
	domain.KindFundingBody, domain.KindProject, domain.KindAgreement}

// FilterChecker checks generated filters on a store holding Synth against
// the oracle; the contract suite and the embedded store's FuzzFilter use it.
type FilterChecker struct {
	s   domain.Store
	o   *filterOracle
	gen *filterGen
}

// NewFilterChecker loads Synth into the empty store s.
func NewFilterChecker(t testing.TB, s domain.Store) *FilterChecker {
	t.Helper()
	b := Synth(t)
	if _, err := s.Apply(context.Background(), b, domain.ApplyOptions{}); err != nil {
		t.Fatalf("loading the synthetic graph: %v", err)
	}
	o := newFilterOracle(Synth(t))
	return &FilterChecker{s: s, o: o, gen: newFilterGen(o)}
}

// CheckNodes lists nodes with a filter made from seed and compares them
// with the oracle's: the same nodes in the same order, the same total.
func (c *FilterChecker) CheckNodes(t *testing.T, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0xf11e))
	kind := filterKinds[r.IntN(len(filterKinds))]
	w := c.gen.node(r, kind, 0)
	q := domain.NodeQuery{Kind: kind, Where: &w, Page: domain.Page{First: domain.MaxPageSize}}
	got, err := c.s.ListNodes(context.Background(), q)
	if err != nil {
		t.Fatalf("%s where %s: %v", kind, w.String(), err)
	}
	var want []string
	for _, n := range c.o.sorted(kind) {
		if c.o.holds(w, n, nil, domain.NodeKey{}) {
			want = append(want, n.Base().ID)
		}
	}
	if ids := nodeIDs(got.Items); !slices.Equal(ids, want[:min(len(want), domain.MaxPageSize)]) || got.TotalCount != len(want) {
		t.Errorf("%s where %s:\n got %d of %d: %v\nwant %d: %v", kind, w.String(), len(ids), got.TotalCount, head(ids), len(want), head(want))
	}
}

// CheckRelations reads a few anchors' relations with a filter made from
// seed and compares them with the oracle's.
func (c *FilterChecker) CheckRelations(t *testing.T, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0xed9e))
	rels := []struct {
		anchor domain.Kind
		kind   domain.EdgeKind
		dir    domain.Direction
	}{
		{domain.KindCity, domain.EdgePartnerOf, domain.Both},
		{domain.KindCity, domain.EdgeAttended, domain.Out},
		{domain.KindForum, domain.EdgeAttended, domain.In},
		{domain.KindFundingBody, domain.EdgeFinanced, domain.Out},
		{domain.KindCountry, domain.EdgeInCountry, domain.In},
		{domain.KindCountry, domain.EdgeMemberOf, domain.Out},
	}
	rel := rels[r.IntN(len(rels))]
	w := c.gen.edge(r, domain.EdgeScope(rel.kind, rel.dir), 0)
	q := domain.EdgeQuery{Kind: rel.kind, Direction: rel.dir, Where: &w, Order: domain.OrderByOtherName, Page: domain.Page{First: domain.MaxPageSize}}
	nodes := c.o.sorted(rel.anchor)
	var anchors []domain.NodeKey
	for range 5 {
		anchors = append(anchors, nodes[r.IntN(len(nodes))].Key())
	}
	pages, err := c.s.Edges(context.Background(), q, anchors)
	if err != nil {
		t.Fatalf("%s %s where %s: %v", rel.kind, rel.dir, w.String(), err)
	}
	for i, a := range anchors {
		var want []string
		for _, e := range c.o.relationsOf(a, rel.kind, rel.dir) {
			if c.o.holds(w, nil, e, a) {
				want = append(want, e.Key().String())
			}
		}
		got := edgeKeys(pages[i].Items)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || pages[i].TotalCount != len(want) {
			t.Errorf("%s of %s where %s:\n got %d: %v\nwant %d: %v", rel.kind, a, w.String(), pages[i].TotalCount, head(got), len(want), head(want))
		}
	}
}

func nodeIDs(ns []domain.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Base().ID)
	}
	return out
}

func edgeKeys(es []domain.Edge) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Key().String())
	}
	return out
}

// ---- The oracle --------------------------------------------------------

// filterOracle evaluates a filter the obvious way, from the batch.
type filterOracle struct {
	nodes map[domain.NodeKey]domain.Node
	edges []domain.Edge
}

func newFilterOracle(b *domain.Batch) *filterOracle {
	o := &filterOracle{nodes: map[domain.NodeKey]domain.Node{}}
	for _, n := range b.Nodes {
		o.nodes[n.Key()] = n
	}
	for _, e := range b.Edges {
		e.Normalize()
		o.edges = append(o.edges, e)
	}
	return o
}

// sorted lists the nodes of a kind in name order, then slug (the lists' default order).
func (o *filterOracle) sorted(k domain.Kind) []domain.Node {
	var out []domain.Node
	for key, n := range o.nodes {
		if key.Kind == k {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b domain.Node) int {
		if c := strings.Compare(a.Base().Name, b.Base().Name); c != 0 {
			return c
		}
		return strings.Compare(a.Base().ID, b.Base().ID)
	})
	return out
}

// relationsOf scans every edge for at's relations of kind k in direction d.
func (o *filterOracle) relationsOf(at domain.NodeKey, k domain.EdgeKind, d domain.Direction) []*domain.Edge {
	var out []*domain.Edge
	for i := range o.edges {
		e := &o.edges[i]
		if e.Kind != k {
			continue
		}
		if e.From == at && (d == domain.Out || d == domain.Both) || e.To == at && (d == domain.In || d == domain.Both) {
			out = append(out, e)
		}
	}
	return out
}

// holds evaluates f on node n, or on relation e seen from anchor.
func (o *filterOracle) holds(f domain.Filter, n domain.Node, e *domain.Edge, anchor domain.NodeKey) bool {
	switch f.Op {
	case domain.OpAnd:
		for _, a := range f.Args {
			if !o.holds(a, n, e, anchor) {
				return false
			}
		}
		return true
	case domain.OpOr:
		for _, a := range f.Args {
			if o.holds(a, n, e, anchor) {
				return true
			}
		}
		return false
	case domain.OpNOT:
		return !o.holds(f.Args[0], n, e, anchor)
	case domain.OpNode:
		return o.holds(f.Args[0], o.nodes[e.Other(anchor)], nil, domain.NodeKey{})
	case domain.OpSome, domain.OpNone, domain.OpAll:
		rel := domain.NodeScope(n.Key().Kind).Relation(f.Relation)
		matching, all := 0, 0
		for _, x := range o.relationsOf(n.Key(), rel.Kind, rel.Direction) {
			all++
			if len(f.Args) == 0 || o.holds(f.Args[0], nil, x, n.Key()) {
				matching++
			}
		}
		switch f.Op {
		case domain.OpSome:
			return matching > 0
		case domain.OpNone:
			return matching == 0
		}
		return matching == all
	}
	var v any
	var known bool
	if e != nil {
		v, known = edgeValue(e, f.Field)
	} else {
		v, known = nodeValue(n, f.Field)
	}
	if f.Op == domain.OpIsNull {
		return known != f.Values[0].(bool)
	}
	if !known {
		return false
	}
	switch f.Op {
	case domain.OpEq:
		return v == f.Values[0]
	case domain.OpNot:
		return v != f.Values[0]
	case domain.OpIn:
		return slices.Contains(f.Values, v)
	case domain.OpContains:
		return strings.Contains(v.(string), f.Values[0].(string))
	case domain.OpStartsWith:
		return strings.HasPrefix(v.(string), f.Values[0].(string))
	}
	less, equal := false, v == f.Values[0]
	switch x := v.(type) {
	case int64:
		less = x < f.Values[0].(int64)
	case string:
		less = x < f.Values[0].(string)
	}
	switch f.Op {
	case domain.OpLt:
		return less
	case domain.OpLte:
		return less || equal
	case domain.OpGt:
		return !less && !equal
	case domain.OpGte:
		return !less
	}
	panic("unknown operator " + f.Op)
}

// nodeValue reads a node's property by its filter name; known is false
// for the zero value, which the stores leave unset.
func nodeValue(n domain.Node, field string) (v any, known bool) {
	str := func(s string) (any, bool) { return s, s != "" }
	num := func(i int64) (any, bool) { return i, i != 0 }
	m := n.Base()
	switch field {
	case "id":
		return m.ID, true
	case "name":
		return m.Name, true
	case "nameZh":
		return str(m.NameZh)
	}
	switch x := n.(type) {
	case *domain.City:
		switch field {
		case "region":
			return str(x.Region)
		case "regionZh":
			return str(x.RegionZh)
		case "population":
			return num(x.Population)
		case "populationYear":
			return num(int64(x.PopulationYear))
		case "isCapital":
			return x.IsCapital, true
		case "division":
			return str(string(x.Division))
		}
	case *domain.Grouping:
		return str(x.Acronym)
	case *domain.Organization:
		return str(string(x.OrgKind))
	case *domain.FundingBody:
		if field == "founded" {
			return str(string(x.Founded))
		}
		return str(x.Acronym)
	case *domain.Event:
		return str(string(x.FirstHeld))
	case *domain.Forum:
		switch field {
		case "edition":
			return num(int64(x.Edition))
		case "startDate":
			return str(string(x.StartDate))
		case "endDate":
			return str(string(x.EndDate))
		case "theme":
			return str(x.Theme)
		case "themeZh":
			return str(x.ThemeZh)
		case "participants":
			return num(int64(x.Participants))
		case "officials":
			return num(int64(x.Officials))
		}
	case *domain.Agreement:
		return str(string(x.Date))
	case *domain.Project:
		if field == "sector" {
			return str(string(x.Sector))
		}
		return str(string(x.Status))
	case *domain.Source:
		switch field {
		case "publisher":
			return str(x.Publisher)
		case "author":
			return str(x.Author)
		case "date":
			return str(string(x.Date))
		}
	}
	panic(fmt.Sprintf("the oracle does not know %s.%s", n.Key().Kind, field))
}

// edgeValue reads a relation's property by its filter name.
func edgeValue(e *domain.Edge, field string) (v any, known bool) {
	str := func(s string) (any, bool) { return s, s != "" }
	num := func(i int64) (any, bool) { return i, i != 0 }
	switch field {
	case "since":
		return str(string(e.Since))
	case "kind":
		return str(string(e.PartnershipKind))
	case "status":
		return str(string(e.Status))
	case "role":
		return str(string(e.Role))
	case "delegationSize":
		return num(int64(e.DelegationSize))
	case "level":
		return str(e.Level)
	case "position":
		return num(int64(e.Position))
	case "request":
		return str(e.Request)
	case "requestZh":
		return str(e.RequestZh)
	case "instrument":
		return str(e.Instrument)
	case "amount":
		if e.Amount == nil {
			return nil, false
		}
		return int64(e.Amount.Amount), true
	case "currency":
		if e.Amount == nil {
			return nil, false
		}
		return str(string(e.Amount.Currency))
	}
	panic("the oracle does not know relation field " + field)
}

// ---- Generated filters --------------------------------------------------

// filterGen makes random filters whose values are taken from the graph, so
// that they select some nodes and not all.
type filterGen struct {
	o *filterOracle
	// samples: scope name → field → values found in the graph.
	samples map[string]map[string][]any
}

func newFilterGen(o *filterOracle) *filterGen {
	g := &filterGen{o: o, samples: map[string]map[string][]any{}}
	add := func(s *domain.Scope, field string, v any, known bool) {
		if !known {
			return
		}
		if g.samples[s.Name] == nil {
			g.samples[s.Name] = map[string][]any{}
		}
		if vs := g.samples[s.Name][field]; len(vs) < 50 && !slices.Contains(vs, v) {
			g.samples[s.Name][field] = append(vs, v)
		}
	}
	for _, n := range o.nodes {
		s := domain.NodeScope(n.Key().Kind)
		for _, f := range s.Fields {
			v, known := nodeValue(n, f.Name)
			add(s, f.Name, v, known)
		}
	}
	for i := range o.edges {
		e := &o.edges[i]
		for _, d := range []domain.Direction{domain.Out, domain.In, domain.Both} {
			if s := domain.EdgeScope(e.Kind, d); s != nil {
				for _, f := range s.Fields {
					v, known := edgeValue(e, f.Name)
					add(s, f.Name, v, known)
				}
			}
		}
	}
	return g
}

// node makes a filter on nodes of kind k; depth counts quantifiers above.
func (g *filterGen) node(r *rand.Rand, k domain.Kind, depth int) domain.Filter {
	return g.filter(r, domain.NodeScope(k), depth, 0)
}

// edge makes a filter in relation scope s.
func (g *filterGen) edge(r *rand.Rand, s *domain.Scope, depth int) domain.Filter {
	return g.filter(r, s, depth, 0)
}

func (g *filterGen) filter(r *rand.Rand, s *domain.Scope, depth, logic int) domain.Filter {
	switch x := r.IntN(10); {
	case x < 2 && logic < 2:
		op := []domain.FilterOp{domain.OpAnd, domain.OpOr}[r.IntN(2)]
		f := domain.Filter{Op: op}
		for range 1 + r.IntN(3) {
			f.Args = append(f.Args, g.filter(r, s, depth, logic+1))
		}
		return f
	case x == 2 && logic < 2:
		return domain.Filter{Op: domain.OpNOT, Args: []domain.Filter{g.filter(r, s, depth, logic+1)}}
	case x < 6 && s.Edge != "" && depth < 3:
		far := domain.NodesScope(s.Far)
		return domain.Filter{Op: domain.OpNode, Args: []domain.Filter{g.filter(r, far, depth, 0)}}
	case x < 6 && len(s.Relations) > 0 && depth < 2:
		rel := s.Relations[r.IntN(len(s.Relations))]
		op := []domain.FilterOp{domain.OpSome, domain.OpNone, domain.OpAll}[r.IntN(3)]
		if r.IntN(5) == 0 {
			return domain.Quantify(op, rel.Name, nil)
		}
		sub := g.filter(r, domain.EdgeScope(rel.Kind, rel.Direction), depth+1, 0)
		return domain.Quantify(op, rel.Name, &sub)
	}
	return g.comparison(r, s)
}

func (g *filterGen) comparison(r *rand.Rand, s *domain.Scope) domain.Filter {
	if len(s.Fields) == 0 {
		return domain.Filter{Op: domain.OpAnd} // a relation scope without properties: any relation
	}
	fd := s.Fields[r.IntN(len(s.Fields))]
	ops := fd.Type.Ops()
	op := ops[r.IntN(len(ops))]
	if op == domain.OpIsNull {
		return domain.Compare(fd.Name, op, r.IntN(2) == 0)
	}
	pick := func() any {
		vs := g.samples[s.Name][fd.Name]
		if len(vs) == 0 || r.IntN(8) == 0 {
			return absent(fd)
		}
		return vs[r.IntN(len(vs))]
	}
	switch op {
	case domain.OpIn:
		var vs []any
		for range 1 + r.IntN(4) {
			vs = append(vs, pick())
		}
		return domain.Compare(fd.Name, op, vs...)
	case domain.OpContains, domain.OpStartsWith:
		v := pick().(string)
		runes := []rune(v)
		from := 0
		if op == domain.OpContains && len(runes) > 1 {
			from = r.IntN(len(runes) - 1)
		}
		to := min(len(runes), from+1+r.IntN(3))
		part := string(runes[from:to])
		if !utf8.ValidString(part) || part == "" {
			part = "x"
		}
		return domain.Compare(fd.Name, op, part)
	}
	return domain.Compare(fd.Name, op, pick())
}

// absent is a value of the field's type that the graph may not hold.
func absent(fd domain.FilterField) any {
	switch fd.Type {
	case domain.FieldInt, domain.FieldDecimal:
		return int64(123)
	case domain.FieldBool:
		return true
	case domain.FieldDate:
		return "2001-02"
	case domain.FieldEnum:
		return fd.Enum[0]
	}
	return "无此"
}
