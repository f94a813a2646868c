package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/model"
	"github.com/vektah/gqlparser/v2/ast"
)

// respondFromPlan writes a query's data straight from its plan's answers,
// byte for byte what gqlgen's executor would write, so that a planned
// request costs no field contexts, interceptors or resolvers. It walks the
// operation with gqlgen's own CollectFields (fragments, @skip/@include,
// merging) and writes each field as its resolver and marshaler would (the
// tables in respondfields.go). It gives up (ok false), and the operation
// runs through gqlgen as before, on anything it does not know: a field
// outside its tables, an answer the plan did not read, a value gqlgen would
// report as an error, a directive other than @skip and @include, a
// deadline passed while writing. It never reports an error of its own.
//
// Past maxBytes (when positive) it stops and returns what it wrote, longer
// than the cap: responseSizeLimit, around it, answers LIMIT_EXCEEDED just
// as it does for gqlgen's data, without the rest being written.
func respondFromPlan(ctx context.Context, oc *graphql.OperationContext, answers *domain.Answers, shapes *responseShapes, res *Resolver, maxBytes int) (json.RawMessage, bool) {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query || answers == nil || !plainDirectives(oc) {
		return nil, false
	}
	if ctx.Err() != nil {
		return nil, false // requestDeadline answers TIMEOUT, as it does for gqlgen
	}
	r := &responder{ctx: ctx, oc: oc, answers: answers, shapes: shapes, res: res, max: maxBytes, buf: responseBuffer(ctx)}
	// Written framed as the whole response, which the transport sends as it is (responseFrame).
	r.buf.WriteString(dataPrefix)
	if !r.object("Query", oc.Operation.SelectionSet, obj{}) && !r.over {
		return nil, false
	}
	r.buf.WriteString(dataSuffix)
	b := r.buf.Bytes()
	return b[len(dataPrefix) : len(b)-len(dataSuffix)], true
}

// responder is one operation's walk: the answers it reads and the data it
// has written so far.
type responder struct {
	ctx     context.Context
	oc      *graphql.OperationContext
	answers *domain.Answers
	shapes  *responseShapes
	res     *Resolver
	buf     *bytes.Buffer
	max     int
	// over says the data outgrew max and the walk stopped.
	over bool
	// objects counts the objects written, to look at the deadline now and then.
	objects int
	queries map[queryKey]preparedQuery
	sets    map[selectionKey]*compiledSet
	// pages are the relation pages being written (keepPage).
	pages []domain.EdgePage
}

// selectionKey names a selection set (by identity) on an object type.
type selectionKey struct {
	typ string
	sel *ast.Selection
	n   int
}

// obj is the Go value behind a GraphQL object being written: which fields
// are set depends on the object's category (responseShapes.category).
type obj struct {
	node    domain.Node      // a node; the far end of a node list's edge
	anchor  domain.NodeKey   // the node a relation connection or edge was read from
	edge    *domain.Edge     // a relation edge
	cursor  int              // an edge's place in its page
	cursors []string         // a connection's or an edge's page's cursors
	epage   *domain.EdgePage // a relation connection
	npage   *domain.NodePage // a node connection
	point   *domain.GeoPoint
	money   *domain.Money
	// attendance is a forum's attendees from one country.
	attendance *model.CountryAttendance
	// agg, intStats and moneyStats are an aggregate and its statistics.
	agg        *model.Aggregate
	intStats   *model.IntStats
	moneyStats *model.MoneyStats
	// hasNext and hasPrevious are a PageInfo's flags.
	hasNext, hasPrevious bool
}

// deadlineEvery is how many objects are written between two looks at the deadline.
const deadlineEvery = 128

// object writes one object of type typ with the fields sel selects on it.
func (r *responder) object(typ string, sel ast.SelectionSet, o obj) bool {
	return r.write(r.compile(typ, sel), o)
}

// write writes one object with its compiled selection set.
func (r *responder) write(set *compiledSet, o obj) bool {
	if r.objects++; r.objects%deadlineEvery == 0 && r.ctx.Err() != nil {
		return false // requestDeadline answers TIMEOUT, as it does for gqlgen
	}
	if !set.ok {
		return false
	}
	r.buf.WriteByte('{')
	for i := range set.fields {
		cf := &set.fields[i]
		r.buf.WriteString(cf.key)
		if !cf.write(r, cf.f, o) {
			return false
		}
	}
	r.buf.WriteByte('}')
	if r.max > 0 && r.buf.Len()-len(dataPrefix) > r.max {
		r.over = true
		return false
	}
	return true
}

// repeatsAlias says whether an earlier field has the same response name:
// gqlgen resolves both and writes the first, which the writer leaves to it.
func repeatsAlias(earlier []graphql.CollectedField, alias string) bool {
	for i := range earlier {
		if earlier[i].Alias == alias {
			return true
		}
	}
	return false
}

// field writes the value of one field of an object of type typ.
func (r *responder) field(typ string, f *graphql.CollectedField, o obj) bool {
	if f.Name == "__typename" {
		appendQuoted(r.buf, typ)
		return true
	}
	switch r.shapes.category[typ] {
	case categoryQuery:
		return r.root(f)
	case categoryNode:
		return false // compiled by nodeWriter
	case categoryRelConnection:
		return r.connectionField(f, o, len(o.epage.Items), o.epage.TotalCount, o.epage.HasNextPage, o.epage.HasPreviousPage)
	case categoryNodeConnection:
		return r.connectionField(f, o, len(o.npage.Items), o.npage.TotalCount, o.npage.HasNextPage, o.npage.HasPreviousPage)
	case categoryRelEdge:
		return r.relEdgeField(f, o)
	case categoryNodeEdge:
		switch f.Name {
		case "cursor":
			return r.cursor(o)
		case "node":
			return r.nodeValue(f, o.node, false)
		}
	case categoryPageInfo:
		return r.pageInfoField(f, o)
	case categoryGeoPoint:
		switch f.Name {
		case "lat":
			return appendFloat(r.buf, o.point.Lat)
		case "lon":
			return appendFloat(r.buf, o.point.Lon)
		}
	case categoryAttendance:
		return r.attendanceField(f, o.attendance)
	case categoryAggregate:
		return r.aggregateField(f, o)
	case categoryIntStats:
		return r.intStatsField(f, o.intStats)
	case categoryMoneyStats:
		return r.moneyStatsField(f, o.moneyStats)
	case categoryMoney:
		switch f.Name {
		case "amount":
			o.money.Amount.MarshalGQL(r.buf)
			return true
		case "currency":
			o.money.Currency.MarshalGQL(r.buf)
			return true
		}
	}
	return false
}

// root writes a field of Query: the lookups and the top-level lists.
func (r *responder) root(f *graphql.CollectedField) bool {
	a := args(f.ArgumentMap(r.oc.Variables))
	switch f.Name {
	case "node":
		// An ill-formed or unknown ID is an error: gqlgen reports it.
		k, err := domain.ParseNodeKey(a.str("id"))
		if err != nil {
			return false
		}
		n, ok := r.planned(k, true)
		return ok && r.nodeValue(f, n, false)
	case "nodes":
		ids, _ := a["ids"].([]any)
		if len(ids) > domain.MaxNodeIDs {
			return false
		}
		r.buf.WriteByte('[')
		for i, id := range ids {
			s, _ := id.(string)
			k, err := domain.ParseNodeKey(s)
			if err != nil {
				return false
			}
			if i > 0 {
				r.buf.WriteByte(',')
			}
			if n, ok := r.planned(k, false); !ok || !r.nodeValue(f, n, true) {
				return false
			}
		}
		r.buf.WriteByte(']')
		return true
	}
	if l, ok := lookupFields[f.Name]; ok {
		slug := a.str(l.arg)
		if domain.ValidateSlug(slug) != nil {
			return false
		}
		// An unknown slug is NOT_FOUND, an error: planned gives up on it.
		n, ok := r.planned(domain.NodeKey{Kind: l.kind, ID: slug}, true)
		return ok && r.nodeValue(f, n, false)
	}
	build, ok := listFields[f.Name]
	if !ok {
		return false // the analytics, partLoads, changes, introspection
	}
	vars := r.oc.Variables
	q, err := listPageQuery(build, a, asksTotal(f.Selections, vars))
	q.Aggregate = asksAggregate(f.Selections, vars)
	q.Page.NoCursors = !asksCursors(f.Selections, vars)
	if err != nil || q.Normalize() != nil {
		return false
	}
	p, ok := r.answers.Lists[q.Signature()]
	if !ok {
		return false
	}
	return r.object(f.Definition.Type.Name(), f.Selections, obj{npage: &p, cursors: p.Cursors})
}

// planned returns the node the plan read for k, nil when there is none;
// false when the plan did not read k, or when k is required (absence is
// an error for gqlgen).
func (r *responder) planned(k domain.NodeKey, required bool) (domain.Node, bool) {
	n, ok := r.answers.Nodes[k]
	if !ok || n == nil && required {
		return nil, false
	}
	return n, true
}

// nodeValue writes a node as the value of f, whose type may be an
// interface or union; nil is written as null when nullable says so.
func (r *responder) nodeValue(f *graphql.CollectedField, n domain.Node, nullable bool) bool {
	var once nodeSetMemo
	return r.nodeValueMemo(f, n, nullable, &once)
}

// sources writes the Source nodes of slugs that exist, as nodeSources
// and edgeSources read them.
func (r *responder) sources(f *graphql.CollectedField, slugs []string) bool {
	r.buf.WriteByte('[')
	first := true
	for _, s := range slugs {
		n, ok := r.answers.Nodes[domain.NodeKey{Kind: domain.KindSource, ID: s}]
		if !ok {
			return false
		}
		if _, isSource := n.(*domain.Source); !isSource {
			continue // no longer there
		}
		if !first {
			r.buf.WriteByte(',')
		}
		first = false
		if !r.object(string(domain.KindSource), f.Selections, obj{node: n}) {
			return false
		}
	}
	r.buf.WriteByte(']')
	return true
}

// queryKey names a relation field as relationOf prepares it: the field
// and the selection it is resolved with (merged from every place it is
// spread).
type queryKey struct {
	field *ast.Field
	sel   *ast.Selection
	n     int
}

// preparedQuery is a relation field's answers: the plan's pages of its
// query (every relation for a plain list), by anchor. Looked up once per
// field, as a signature is a long key to hash at every anchor.
type preparedQuery struct {
	pages map[domain.NodeKey]domain.EdgePage
	ok    bool
}

// query prepares f's relation query once per request, as relationOf does.
func (r *responder) query(rf relationField, f *graphql.CollectedField) preparedQuery {
	key := queryKey{field: f.Field, n: len(f.Selections)}
	if len(f.Selections) > 0 {
		key.sel = &f.Selections[0]
	}
	if q, ok := r.queries[key]; ok {
		return q
	}
	vars := r.oc.Variables
	q, err := rf.queryFor(args(f.ArgumentMap(vars)), asksTotal(f.Selections, vars))
	if rf.shape == shapeConnection || rf.shape == shapeNodes {
		q.Page.NoItems = totalOnly(f.Selections, vars)
		q.Page.NoCursors = !asksCursors(f.Selections, vars)
	}
	q.Aggregate = asksAggregate(f.Selections, vars)
	var pq preparedQuery
	if err == nil && q.Normalize() == nil {
		sig := q.Signature()
		if rf.shape == shapeList {
			sig = q.AllSignature()
		}
		pq.pages, pq.ok = r.answers.Edges[sig]
	}
	if r.queries == nil {
		r.queries = map[queryKey]preparedQuery{}
	}
	r.queries[key] = pq
	return pq
}

// relationOn writes a field of relationFields, its query q prepared, from
// the plan's pages, as relations, nodesVia, related and relatedList read them.
func (r *responder) relationOn(rf relationField, f *graphql.CollectedField, n domain.Node, q *preparedQuery) bool {
	if !q.ok {
		return false // bad arguments (the resolver reports them), or not planned
	}
	anchor := n.Key()
	p, ok := q.pages[anchor]
	if !ok {
		return false
	}
	typ := f.Definition.Type.Name()
	switch rf.shape {
	case shapeConnection:
		ep := r.keepPage(p)
		return r.object(typ, f.Selections, obj{anchor: anchor, epage: ep, cursors: p.Cursors})
	case shapeNodes:
		np := domain.NodePage{TotalCount: p.TotalCount, HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage, Aggregates: p.Aggregates}
		for i := range p.Items {
			far, ok := r.answers.Nodes[p.Items[i].Other(anchor)]
			if !ok {
				return false
			}
			if far != nil {
				np.Items = append(np.Items, far)
				if i < len(p.Cursors) { // none when the selection reads none (Page.NoCursors)
					np.Cursors = append(np.Cursors, p.Cursors[i])
				}
			}
		}
		return r.object(typ, f.Selections, obj{npage: &np, cursors: np.Cursors})
	case shapeOne:
		if len(p.Items) == 0 {
			r.buf.WriteString("null")
			return true
		}
		far, ok := r.answers.Nodes[p.Items[0].Other(anchor)]
		if !ok {
			return false
		}
		if far == nil || string(far.Key().Kind) != typ {
			r.buf.WriteString("null") // related's T assertion fails: null, no error
			return true
		}
		return r.object(typ, f.Selections, obj{node: far})
	case shapeList:
		r.buf.WriteByte('[')
		first := true
		for i := range p.Items {
			far, ok := r.answers.Nodes[p.Items[i].Other(anchor)]
			if !ok {
				return false
			}
			if far == nil {
				continue
			}
			kind := string(far.Key().Kind)
			if kind != typ && r.shapes.category[typ] == categoryNode {
				continue // loader.AllAs drops other kinds
			}
			if !r.shapes.holds(typ, kind) {
				return false
			}
			if !first {
				r.buf.WriteByte(',')
			}
			first = false
			if !r.object(kind, f.Selections, obj{node: far}) {
				return false
			}
		}
		r.buf.WriteByte(']')
		return true
	}
	return false
}

// keepPage returns a pointer to a copy of p that lives while the request
// is written: the pages are kept in one slice, appended to and never
// overwritten, rather than each copied to the heap on its own.
func (r *responder) keepPage(p domain.EdgePage) *domain.EdgePage {
	if len(r.pages) == cap(r.pages) {
		r.pages = make([]domain.EdgePage, 0, max(8, 2*cap(r.pages)))
	}
	r.pages = append(r.pages, p)
	return &r.pages[len(r.pages)-1]
}

// connectionField writes a field of a connection (relations or nodes).
func (r *responder) connectionField(f *graphql.CollectedField, o obj, items, total int, hasNext, hasPrevious bool) bool {
	switch f.Name {
	case "totalCount":
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), int64(total), 10))
		return true
	case "pageInfo":
		return r.object("PageInfo", f.Selections, obj{cursors: o.cursors, hasNext: hasNext, hasPrevious: hasPrevious})
	case "aggregate":
		a := &model.Aggregate{}
		if o.epage != nil {
			a.A = o.epage.Aggregates
		} else {
			a.A = o.npage.Aggregates
		}
		return r.object(f.Definition.Type.Name(), f.Selections, obj{agg: a})
	case "edges":
		set := r.compile(f.Definition.Type.Name(), f.Selections)
		r.buf.WriteByte('[')
		for i := range items {
			if i > 0 {
				r.buf.WriteByte(',')
			}
			e := obj{anchor: o.anchor, cursor: i, cursors: o.cursors}
			if o.epage != nil {
				e.edge = &o.epage.Items[i]
			} else {
				e.node = o.npage.Items[i]
			}
			if !r.write(set, e) {
				return false
			}
		}
		r.buf.WriteByte(']')
		return true
	}
	return false
}

// cursor writes an edge's cursor, a required String: a page read without
// cursors gives "" (model.cursorAt), an error for gqlgen.
func (r *responder) cursor(o obj) bool {
	if o.cursor >= len(o.cursors) || o.cursors[o.cursor] == "" {
		return false
	}
	appendQuoted(r.buf, o.cursors[o.cursor])
	return true
}

// relEdgeField writes a field of a relation edge (PartnershipEdge, …).
func (r *responder) relEdgeField(f *graphql.CollectedField, o obj) bool {
	switch f.Name {
	case "cursor":
		return r.cursor(o)
	case "node":
		far, ok := r.answers.Nodes[o.edge.Other(o.anchor)]
		if !ok {
			return false
		}
		return r.nodeValue(f, far, false)
	case "sources":
		return r.sources(f, o.edge.Sources)
	case "attendingMemberCountries":
		return r.attendingMemberCountries(f, o)
	case "through":
		// Named by a relation's property, which a plan cannot follow: read
		// through the loaders by the resolver's own function, as gqlgen would.
		n, err := throughNode(r.ctx, o.edge)
		return err == nil && r.nodeValue(f, n, true)
	}
	if w, ok := r.shapes.edges[f.Name]; ok {
		return w(r, f, o.edge)
	}
	return false
}

// pageInfoField writes a field of PageInfo as model.pageInfo builds it.
func (r *responder) pageInfoField(f *graphql.CollectedField, o obj) bool {
	switch f.Name {
	case "hasNextPage":
		appendBool(r.buf, o.hasNext)
		return true
	case "hasPreviousPage":
		appendBool(r.buf, o.hasPrevious)
		return true
	case "startCursor", "endCursor":
		if len(o.cursors) == 0 {
			r.buf.WriteString("null")
			return true
		}
		c := o.cursors[0]
		if f.Name == "endCursor" {
			c = o.cursors[len(o.cursors)-1]
		}
		appendOptional(r.buf, c)
		return true
	}
	return false
}

// plainDirectives says whether the operation uses no directive but @skip
// and @include, the ones CollectFields and the writer evaluate alike.
func plainDirectives(oc *graphql.OperationContext) bool {
	if !onlySkipInclude(oc.Operation.Directives) || !plainSelection(oc.Operation.SelectionSet) {
		return false
	}
	for _, fr := range oc.Doc.Fragments {
		if !onlySkipInclude(fr.Directives) || !plainSelection(fr.SelectionSet) {
			return false
		}
	}
	return true
}

func plainSelection(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !onlySkipInclude(s.Directives) || !plainSelection(s.SelectionSet) {
				return false
			}
		case *ast.InlineFragment:
			if !onlySkipInclude(s.Directives) || !plainSelection(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if !onlySkipInclude(s.Directives) {
				return false
			}
		}
	}
	return true
}

func onlySkipInclude(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// planWriter is runPlan's use of respondFromPlan: off when shapes is nil.
type planWriter struct {
	shapes   *responseShapes
	maxBytes int
	log      *slog.Logger
	// resolver answers the composite fields, with its own functions.
	resolver *Resolver
	// written, when set, is told of every response the writer answers (tests).
	written func()
}

func (o options) planWriter(res *Resolver, maxBytes int) planWriter {
	if o.noPlanWriter {
		return planWriter{}
	}
	return planWriter{shapes: newResponseShapes(res.Schema), maxBytes: maxBytes, log: res.Log, resolver: res, written: o.planWritten}
}

func (w planWriter) write(ctx context.Context, oc *graphql.OperationContext, answers *domain.Answers) (data json.RawMessage, ok bool) {
	if w.shapes == nil {
		return nil, false
	}
	defer func() {
		// A value the tables did not foresee: gqlgen answers it as before.
		if p := recover(); p != nil {
			w.log.ErrorContext(ctx, "writing a response from the plan failed; answering through gqlgen", "panic", fmt.Sprint(p))
			data, ok = nil, false
		}
	}()
	data, ok = respondFromPlan(ctx, oc, answers, w.shapes, w.resolver, w.maxBytes)
	if ok && w.written != nil {
		w.written()
	}
	return data, ok
}

// The composite fields (attendance.go) are answered by their resolvers'
// own functions: the request's loaders hold the plan's answers, and the
// planner planned every read they make, so they make no store call.

func (r *responder) attendanceByCountry(f *graphql.CollectedField, forum *domain.Forum) bool {
	groups, err := r.res.attendanceByCountry(r.ctx, forum)
	if err != nil {
		return false
	}
	r.buf.WriteByte('[')
	for i, g := range groups {
		if i > 0 {
			r.buf.WriteByte(',')
		}
		if !r.object(f.Definition.Type.Name(), f.Selections, obj{attendance: g}) {
			return false
		}
	}
	r.buf.WriteByte(']')
	return true
}

func (r *responder) attendanceField(f *graphql.CollectedField, g *model.CountryAttendance) bool {
	switch f.Name {
	case "country":
		if g.Country == nil {
			r.buf.WriteString("null")
			return true
		}
		return r.object(string(domain.KindCountry), f.Selections, obj{node: g.Country})
	case "cities":
		return r.nodes(f, ptrsAsNodes(g.Cities))
	case "organizations":
		return r.nodes(f, ptrsAsNodes(g.Organizations))
	}
	return false
}

func (r *responder) attendingMemberCountries(f *graphql.CollectedField, o obj) bool {
	countries, err := r.res.attendingMemberCountries(r.ctx, &model.RelEdge{Edge: *o.edge, Anchor: o.anchor})
	if err != nil {
		return false
	}
	return r.nodes(f, ptrsAsNodes(countries))
}

// nodes writes a list of nodes, none of them nil.
func (r *responder) nodes(f *graphql.CollectedField, ns []domain.Node) bool {
	r.buf.WriteByte('[')
	for i, n := range ns {
		if i > 0 {
			r.buf.WriteByte(',')
		}
		if !r.nodeValue(f, n, false) {
			return false
		}
	}
	r.buf.WriteByte(']')
	return true
}

// ptrsAsNodes returns typed nodes as domain.Nodes.
func ptrsAsNodes[T domain.Node](ts []T) []domain.Node {
	out := make([]domain.Node, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}
