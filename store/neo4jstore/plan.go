package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

var _ domain.PlanRunner = (*Store)(nil)

// Run answers a whole plan with one statement (see planStatement), so a
// GraphQL operation costs one round trip however deep its selection.
func (s *Store) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	a := domain.NewAnswers()
	if len(p.Roots) == 0 {
		return a, nil
	}
	cypher, params, err := planStatement(p)
	if err != nil {
		return nil, err
	}
	recs, err := s.query(ctx, "answering a plan", cypher, params)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && domain.ErrorCode(err) != domain.ETIMEOUT {
			// The caller's deadline passed: TIMEOUT, not an outage.
			return nil, domain.Timeout(err, "the plan was not answered before the request's deadline; ask for less (fewer levels or smaller pages)")
		}
		return nil, err
	}
	if len(recs) != 1 {
		return nil, domain.Internal(fmt.Errorf("%d result rows", len(recs)), "answering a plan")
	}
	if err := planAnswers(p, recs[0].Values, a); err != nil {
		return nil, domain.Internal(err, "answering a plan")
	}
	return a, nil
}

// planStatement builds the one statement that answers a normalized plan.
// Its shape:
//
//	OPTIONAL MATCH (oc3:Country {id: $p3_otherCountry}) …   // other countries, by index, once
//	CALL (oc3) {                                           // root 0: nodes by key
//	  UNWIND $root0_keys AS k1 MATCH (n2:Entity {key: k1})
//	  RETURN collect(<node n2>) AS root0 }
//	CALL (oc3) { <list page of v, LIMIT> RETURN collect(<node v>) AS root1 }  // root 1: a list
//	CALL () { <list of v> RETURN count(v) AS root1t }      // unless the total is declined
//	CALL () { <list of v at or before After> LIMIT 1 … AS root1a }  // when After is given
//	RETURN root0, root1, root1t, false AS root1b
//
// where <node v> is a list [v, its sources, page of its first follow, its
// total, …] (see planBuilder.node), each follow a COLLECT subquery that filters,
// orders and cuts the page by keyset and LIMIT before anything else is read,
// then maps each row to the relation and <node o> of its far end,
// recursively. Totals are COUNT subqueries, the tests of the rows beyond a
// cursor (see pageCut) EXISTS subqueries. Every value is a parameter; the
// text depends only on the plan's shape, so the server caches its plan.
func planStatement(p *domain.Plan) (string, map[string]any, error) {
	b := &planBuilder{params: map[string]any{}, proj: p.Fields}
	// Each root is a CALL subquery; those that reach relations import the
	// other countries bound before them (see edgeCypher).
	type call struct {
		body    string
		imports bool
	}
	var calls []call
	var cols []string
	for i, r := range p.Roots {
		name := "root" + strconv.Itoa(i)
		ps := paramSet{m: b.params, prefix: name + "_"}
		if r.List == nil {
			keys := make([]string, len(r.Keys))
			var kinds []domain.Kind
			for j, k := range r.Keys {
				keys[j] = k.String()
				if !slices.Contains(kinds, k.Kind) {
					kinds = append(kinds, k.Kind)
				}
			}
			k, n := b.name("k"), b.name("n")
			node, err := b.node(n, kinds, &r.Reach)
			if err != nil {
				return "", nil, err
			}
			calls = append(calls, call{body: `
			UNWIND ` + ps.add("keys", dedupe(keys)) + ` AS ` + k + `
			MATCH (` + n + `:Entity {key: ` + k + `})
			RETURN collect(` + node + `) AS ` + name, imports: true})
			cols = append(cols, name)
			continue
		}
		l, err := nodeListCypher(*r.List, ps)
		if err != nil {
			return "", nil, err
		}
		node, err := b.node("v", []domain.Kind{r.List.Kind}, &r.Reach)
		if err != nil {
			return "", nil, err
		}
		calls = append(calls, call{body: `
			` + l.page + `
			RETURN collect(` + node + `) AS ` + name, imports: true})
		bodies, counts := l.counts(r.List.Page, name+"t", name+"a", name+"b")
		aggBodies, aggCols := l.aggregates(r.List.Aggregate, name+"g")
		bodies, counts = append(bodies, aggBodies...), append(counts, aggCols...)
		for _, body := range bodies {
			calls = append(calls, call{body: `
			` + body})
		}
		cols = append(append(cols, name), counts...)
	}
	var out strings.Builder
	if len(b.countries) > 0 {
		out.WriteString("\n\t\t" + strings.Join(b.binds, "\n\t\t") + "\n\t\tWITH " + strings.Join(b.countries, ", "))
	}
	for _, c := range calls {
		imports := ""
		if c.imports {
			imports = strings.Join(b.countries, ", ")
		}
		out.WriteString("\n\t\tCALL (" + imports + ") {" + c.body + "\n\t\t}")
	}
	out.WriteString("\n\t\tRETURN " + strings.Join(cols, ", "))
	return out.String(), b.params, nil
}

// planBuilder gives the plan statement's variables and parameters unique
// names, and collects the other countries its follows bind up front.
type planBuilder struct {
	params           map[string]any
	proj             *domain.Projection
	n                int
	countries, binds []string
}

// name returns a variable name unused in the statement. Subqueries see
// the variables of their enclosing scopes, so names never repeat.
func (b *planBuilder) name(base string) string {
	b.n++
	return base + strconv.Itoa(b.n)
}

// node returns the expression of a node bound to v, of one of kinds, and
// what reach reads from it: a list of slots (see nodeSlots), the node or
// its projection (see nodeExpr), its sources, then each follow's slots
// (see follow). A list, not a map: the driver allocates every key of every
// map it reads, once per node.
func (b *planBuilder) node(v string, kinds []domain.Kind, reach *domain.Reach) (string, error) {
	slots := []string{nodeExpr(v, b.proj, kinds), "null"}
	if reach.Sources {
		slots[1] = b.sources(v)
	}
	for i := range reach.Follow {
		ff, err := b.follow(v, &reach.Follow[i])
		if err != nil {
			return "", err
		}
		slots = append(slots, ff...)
	}
	return "[" + strings.Join(slots, ", ") + "]", nil
}

// nodeSlots is how many slots of a node's list come before its follows':
// the node and its sources.
const nodeSlots = 2

// The slots of one follow in its anchor's list, in their order, then its
// aggregates; a slot the follow does not ask for is null.
const (
	slotRows     = iota // the page's rows
	slotTotal           // its total
	slotAtAfter         // whether a relation is at or before After
	slotAtBefore        // whether one is at or after Before
	slotAggs            // the first aggregate: counts and numbers, then money fields
)

// followSlots is how many slots follow f takes in its anchor's list.
func followSlots(f *domain.Follow) int {
	if !f.Query.Aggregate.Wanted() {
		return slotAggs
	}
	return slotAggs + 1 + moneyFields(f.Query.Aggregate)
}

// sources reads the Source nodes an entity or relation x cites, by the
// unique index on Source.id.
func (b *planBuilder) sources(x string) string {
	s, src := b.name("s"), b.name("src")
	return "COLLECT { UNWIND coalesce(" + x + ".sources, []) AS " + s +
		" MATCH (" + src + ":Source {id: " + s + "}) RETURN " + nodeExpr(src, b.proj, []domain.Kind{domain.KindSource}) + " }"
}

// follow returns the slots of one follow from anchor v (see slotRows):
// the COLLECT subquery of its rows and, unless it reads every relation,
// the COUNT subquery of its total (unless the page declines it), the
// EXISTS subqueries of relations at or before its After cursor, at or
// after its Before cursor (when given), and its aggregates. A row is
// planRow's four columns, then the far end's node list (or null) and the
// relation's sources (or null). A page that asks for its total alone
// reads no row.
func (b *planBuilder) follow(v string, f *domain.Follow) ([]string, error) {
	q := f.Query
	r, o, sk, oc := b.name("r"), b.name("o"), b.name("sk"), b.name("oc")
	ps := paramSet{m: b.params, prefix: "p" + strconv.Itoa(b.n) + "_"}
	m := edgeCypher(q, ps, v, r, o, oc)
	if m.country != "" {
		b.countries = append(b.countries, m.country)
		b.binds = append(b.binds, m.bindCountry)
	}
	filter := m.filter
	if f.From != "" {
		filter = v + ":" + label(f.From) + " AND " + filter
	}
	slots := make([]string, followSlots(f))
	for j := range slots {
		slots[j] = "null"
	}
	sort := edgeSort(q, m, sk, r, o)
	inRange, order, cut := "true", sort.order(o+".key", false), ""
	if !f.All {
		page := readPage(q)
		c, err := sort.cut(page, o+".key", ps)
		if err != nil {
			return nil, err
		}
		inRange, order, cut = c.inRange, c.order, "\n\t\t\tLIMIT "+c.limit
		if !page.NoTotal {
			slots[slotTotal] = m.count // an anchor of another kind than From is not answered
		}
		if q.Page.NoItems {
			slots[slotRows] = "[]"
			return slots, nil
		}
		if c.atAfter != "" {
			slots[slotAtAfter] = m.outside(filter, c.atAfter)
		}
		if c.atBefore != "" {
			slots[slotAtBefore] = m.outside(filter, c.atBefore)
		}
	}
	end, sources := "null", "null"
	if f.Ends != nil {
		var err error
		if end, err = b.node(o, farKinds(q), f.Ends); err != nil {
			return nil, err
		}
	}
	if f.EdgeSources {
		sources = b.sources(r)
	}
	if q.Aggregate.Wanted() {
		copy(slots[slotAggs:], edgeAggregateExprs(q.Aggregate, m.pattern, filter, o, r))
	}
	slots[slotRows] = `COLLECT {
			MATCH ` + m.pattern + `
			WHERE ` + filter + `
			WITH ` + r + `, ` + o + `, ` + sort.with() + `
			WHERE ` + inRange + `
			ORDER BY ` + order + cut + `
			RETURN [` + planRow(v, r, edgePropsExpr(r, b.proj, q.Kind), sort.row(), o) + `, ` + end + `, ` + sources + `] }`
	return slots, nil
}

// planAnswers reads the plan statement's one row (its columns in
// planStatement's order) into a.
func planAnswers(p *domain.Plan, cols []any, a *domain.Answers) error {
	d := &planDecoder{a: a, pages: map[*domain.Follow]map[domain.NodeKey]domain.EdgePage{}}
	c := 0
	next := func() any {
		if c >= len(cols) {
			return nil
		}
		c++
		return cols[c-1]
	}
	for _, r := range p.Roots {
		if r.List == nil {
			for _, k := range r.Keys {
				if _, ok := a.Nodes[k]; !ok {
					a.Nodes[k] = nil // read, and not there
				}
			}
			for _, x := range asList(next()) {
				if _, err := d.node(x, &r.Reach); err != nil {
					return err
				}
			}
			continue
		}
		items := asList(next())
		total, _ := next().(int64)
		atAfter, atBefore := next() == true, next() == true
		page, err := nodePageFrom(*r.List, items, int(total), atAfter, atBefore, func(x any) (domain.Node, error) {
			return d.node(x, &r.Reach)
		})
		if err != nil {
			return err
		}
		if r.List.Aggregate.Wanted() {
			numbers, money := next(), make([]any, moneyFields(r.List.Aggregate))
			for j := range money {
				money[j] = next()
			}
			if page.Aggregates, err = aggregatesFrom(r.List.Aggregate, numbers, money); err != nil {
				return err
			}
		}
		a.Lists[r.List.Signature()] = page
	}
	return nil
}

// planDecoder reads a plan's row into answers. A follow's signature is
// the same at every anchor, and printing it is costly, so it is worked
// out once per follow, not once per node the follow starts from.
type planDecoder struct {
	a *domain.Answers
	// pages holds, per follow, its pages in the answers by anchor, so that
	// neither its signature nor the hash of that long string is worked out
	// for every anchor.
	pages map[*domain.Follow]map[domain.NodeKey]domain.EdgePage
}

// setPage records f's page at anchor.
func (d *planDecoder) setPage(f *domain.Follow, anchor domain.NodeKey, p domain.EdgePage) {
	m, ok := d.pages[f]
	if !ok {
		sig := f.Query.Signature()
		if f.All {
			sig = f.Query.AllSignature()
		}
		if m = d.a.Edges[sig]; m == nil {
			m = map[domain.NodeKey]domain.EdgePage{}
			d.a.Edges[sig] = m
		}
		d.pages[f] = m
	}
	m[anchor] = p
}

// node reads a node list (see planBuilder.node) and everything reached
// from it into the answers, and returns the node.
func (d *planDecoder) node(x any, reach *domain.Reach) (domain.Node, error) {
	m, ok := x.([]any)
	if want := nodeSlots + slotsOf(reach); !ok || len(m) != want {
		return nil, fmt.Errorf("expected a node list of %d slots, got %T of %d", want, x, len(m))
	}
	n, err := nodeFrom(m[0])
	if err != nil {
		return nil, err
	}
	key := n.Key()
	d.a.Nodes[key] = n
	if reach.Sources {
		if err := sourceAnswers(m[1], d.a); err != nil {
			return nil, err
		}
	}
	at := nodeSlots
	for i := range reach.Follow {
		f := &reach.Follow[i]
		slots := m[at : at+followSlots(f)]
		at += len(slots)
		if f.From != "" && f.From != key.Kind {
			continue
		}
		rows := asList(slots[slotRows])
		var page domain.EdgePage
		if f.All {
			page.TotalCount = len(rows)
		} else {
			t, _ := slots[slotTotal].(int64)
			c := pageShape(readPage(f.Query))
			var more bool
			rows, more = c.cut(rows, int(t))
			if !f.Query.Page.NoTotal {
				page.TotalCount = int(t)
			}
			page.HasNextPage, page.HasPreviousPage = c.flags(more, slots[slotAtAfter] == true, slots[slotAtBefore] == true)
		}
		if f.Query.Aggregate.Wanted() {
			var err error
			if page.Aggregates, err = aggregatesFrom(f.Query.Aggregate, slots[slotAggs], slots[slotAggs+1:]); err != nil {
				return nil, err
			}
		}
		if len(rows) > 0 {
			page.Items = make([]domain.Edge, 0, len(rows))
			if !f.Query.Page.NoCursors {
				page.Cursors = make([]string, 0, len(rows))
			}
		}
		for _, x := range rows {
			row := asList(x)
			e, cursor, err := planRowFrom(f.Query.Kind, key, row)
			if err != nil {
				return nil, err
			}
			if len(row) != 6 {
				return nil, fmt.Errorf("plan edge row of %d columns", len(row))
			}
			if f.Ends != nil {
				if _, err := d.node(row[4], f.Ends); err != nil {
					return nil, err
				}
			}
			if f.EdgeSources {
				if err := sourceAnswers(row[5], d.a); err != nil {
					return nil, err
				}
			}
			page.Items = append(page.Items, e)
			if !f.Query.Page.NoCursors {
				page.Cursors = append(page.Cursors, cursor)
			}
		}
		d.setPage(f, key, page)
	}
	return n, nil
}

// slotsOf is how many slots reach's follows take in a node's list.
func slotsOf(reach *domain.Reach) int {
	n := 0
	for i := range reach.Follow {
		n += followSlots(&reach.Follow[i])
	}
	return n
}

// sourceAnswers reads a list of Source nodes into a.
func sourceAnswers(x any, a *domain.Answers) error {
	for _, v := range asList(x) {
		n, err := nodeFrom(v)
		if err != nil {
			return err
		}
		a.Nodes[n.Key()] = n
	}
	return nil
}
