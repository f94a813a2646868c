package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Nodes returns the nodes with the given keys in one round trip.
func (s *Store) Nodes(ctx context.Context, keys []domain.NodeKey) ([]domain.Node, error) {
	out := make([]domain.Node, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = k.String()
	}
	cypher, params := nodesStatement(ks)
	recs, err := s.query(ctx, "reading nodes", cypher, params)
	if err != nil {
		return nil, err
	}
	found := make(map[string]domain.Node, len(recs))
	for _, rec := range recs {
		v, _ := rec.Get("n")
		n, err := nodeFrom(v)
		if err != nil {
			return nil, domain.Internal(err, "reading nodes")
		}
		found[getStr(rec, "k")] = n
	}
	for i, k := range ks {
		out[i] = found[k]
	}
	return out, nil
}

// nodesStatement looks up nodes by key through the unique index on
// Entity.key. The statements are built apart from the methods that run
// them so that plan_test.go can EXPLAIN exactly what the methods send.
func nodesStatement(keys []string) (string, map[string]any) {
	return `
		UNWIND $keys AS k
		MATCH (n:Entity {key: k})
		RETURN k, n`, map[string]any{"keys": dedupe(keys)}
}

func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// countryOf is, per kind, the pattern that binds the country c a node v is
// in (see domain.NodeFilter); kinds without one never match a country or
// grouping filter.
var countryOf = map[domain.Kind][]string{
	domain.KindCountry:      {"(v) WHERE c = v"},
	domain.KindCity:         {"(v)-[:IN_COUNTRY]->(c:Country)"},
	domain.KindOrganization: {"(v)-[:SEATED_IN]->(:City)-[:IN_COUNTRY]->(c:Country)"},
	domain.KindFundingBody:  {"(v)-[:HEADQUARTERED_IN]->(:City)-[:IN_COUNTRY]->(c:Country)"},
	domain.KindProject:      {"(v)-[:LOCATED_IN]->(c:Country)", "(v)-[:LOCATED_IN]->(:City)-[:IN_COUNTRY]->(c:Country)"},
}

// fromCountry is countryOf walked the other way: per kind, the UNION
// branches that return the nodes v of that kind in a bound country c. A
// list filtered by country starts from the country's unique index and
// expands to its few nodes, instead of scanning every node of the kind
// and testing each one's country.
var fromCountry = map[domain.Kind][]string{
	domain.KindCountry:      {"RETURN c AS v"},
	domain.KindCity:         {"MATCH (v:City)-[:IN_COUNTRY]->(c) RETURN v"},
	domain.KindOrganization: {"MATCH (v:Organization)-[:SEATED_IN]->(:City)-[:IN_COUNTRY]->(c) RETURN v"},
	domain.KindFundingBody:  {"MATCH (v:FundingBody)-[:HEADQUARTERED_IN]->(:City)-[:IN_COUNTRY]->(c) RETURN v"},
	domain.KindProject: {"MATCH (v:Project)-[:LOCATED_IN]->(c) RETURN v",
		"MATCH (v:Project)-[:LOCATED_IN]->(:City)-[:IN_COUNTRY]->(c) RETURN v"},
}

// nodeSource is the part of a node list that binds v to its candidates,
// and the WHERE condition over v that the candidates must still meet.
// With a country (or else a grouping) filter on a kind that has a
// country, the candidates come from the country (or the grouping's
// countries) by index; otherwise they are every node of the kind.
func nodeSource(q domain.NodeQuery, ps paramSet) (src, filter string) {
	var anchor string
	branches := fromCountry[q.Kind]
	switch {
	case len(branches) == 0:
	case q.Filter.Country != "":
		anchor = "MATCH (c:Country {id: " + ps.add("country", q.Filter.Country) + "}) USING INDEX SEEK c:Country(id)"
		q.Filter.Country = "" // served by the anchor
	case q.Filter.Grouping != "":
		anchor = "MATCH (g:Grouping {id: " + ps.add("grouping", q.Filter.Grouping) + "})<-[:MEMBER_OF]-(c:Country) USING INDEX SEEK g:Grouping(id)"
		q.Filter.Grouping = ""
	}
	if anchor == "" {
		return "MATCH (v:" + label(q.Kind) + ")", nodeFilter(q, ps)
	}
	// DISTINCT: a project may lie in several countries of a grouping, or
	// in a country and in one of its cities.
	src = `CALL () {
				` + anchor + `
				CALL (c) {
					` + strings.Join(branches, "\n\t\t\t\t\tUNION\n\t\t\t\t\t") + `
				}
				RETURN DISTINCT v
			}`
	return src, nodeFilter(q, ps)
}

// nodeFilter is the WHERE condition of a node list over variable v.
func nodeFilter(q domain.NodeQuery, ps paramSet) string {
	conds := []string{"true"}
	inCountry := func(extra string) string {
		pats := countryOf[q.Kind]
		if len(pats) == 0 {
			return "false"
		}
		var alts []string
		for _, p := range pats {
			if q.Kind == domain.KindCountry {
				alts = append(alts, "EXISTS { MATCH (c:Country) WHERE c = v AND "+extra+" }")
				continue
			}
			alts = append(alts, "EXISTS { MATCH "+p+" WHERE "+extra+" }")
		}
		return "(" + strings.Join(alts, " OR ") + ")"
	}
	if q.Filter.Country != "" {
		conds = append(conds, inCountry("c.id = "+ps.add("country", q.Filter.Country)))
	}
	if q.Filter.Grouping != "" {
		conds = append(conds, inCountry("EXISTS { (c)-[:MEMBER_OF]->(:Grouping {id: "+ps.add("grouping", q.Filter.Grouping)+"}) }"))
	}
	if q.Filter.OrgKind != "" {
		conds = append(conds, "v.orgKind = "+ps.add("orgKind", string(q.Filter.OrgKind)))
	}
	if q.Filter.Sector != "" {
		conds = append(conds, "v.sector = "+ps.add("sector", string(q.Filter.Sector)))
	}
	return strings.Join(conds, " AND ")
}

// paramSet collects a statement's parameters. Its prefix keeps apart the
// parameters of the several queries one plan statement answers (Run);
// the single-read statements use no prefix.
type paramSet struct {
	m      map[string]any
	prefix string
}

// add sets a parameter and returns its reference ($name) for the text.
func (ps paramSet) add(name string, v any) string {
	ps.m[ps.prefix+name] = v
	return "$" + ps.prefix + name
}

// keyset is the condition for rows after the cursor (params "ak"/"ai")
// over sort key sk and tie id, ascending or descending.
func keyset(after string, desc bool, sk, id string, ps paramSet) (string, error) {
	if after == "" {
		return "true", nil
	}
	c, err := domain.DecodeCursor(after)
	if err != nil {
		return "", err
	}
	ak, ai := ps.add("ak", c.Key), ps.add("ai", c.ID)
	op := ">"
	if desc {
		op = "<"
	}
	return fmt.Sprintf("(%[1]s %[3]s %[4]s OR (%[1]s = %[4]s AND %[2]s %[3]s %[5]s))", sk, id, op, ak, ai), nil
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return ""
}

// ListNodes pages through one kind: filter, keyset and limit in Cypher,
// the total by a count{} subquery.
func (s *Store) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	if err := q.Normalize(); err != nil {
		return domain.NodePage{}, err
	}
	cypher, params, err := listNodesStatement(q)
	if err != nil {
		return domain.NodePage{}, err
	}
	recs, err := s.query(ctx, "listing nodes", cypher, params)
	if err != nil {
		return domain.NodePage{}, err
	}
	if len(recs) != 1 {
		return domain.NodePage{}, domain.Internal(fmt.Errorf("%d result rows", len(recs)), "listing nodes")
	}
	items, _ := recs[0].Get("items")
	page, err := nodePageFrom(q, asList(items), int(getInt(recs[0], "total")), nodeFrom)
	if err != nil {
		return domain.NodePage{}, domain.Internal(err, "listing nodes")
	}
	return page, nil
}

// nodePageFrom makes a page of q from the listed items (one more than the
// page when there is a next page), read by node.
func nodePageFrom(q domain.NodeQuery, items []any, total int, node func(any) (domain.Node, error)) (domain.NodePage, error) {
	page := domain.NodePage{TotalCount: total}
	for _, v := range items {
		if len(page.Items) == q.Page.First {
			page.HasNextPage = true
			break
		}
		n, err := node(v)
		if err != nil {
			return domain.NodePage{}, err
		}
		page.Items = append(page.Items, n)
		page.Cursors = append(page.Cursors, domain.Cursor{Key: q.Order.SortKey(n), ID: n.Base().ID}.Encode())
	}
	// A first page is cut at First items (see nodeListCypher): the total
	// tells whether more follow.
	if q.Page.After == "" && total > len(page.Items) {
		page.HasNextPage = true
	}
	return page, nil
}

// nodeList is a node list's Cypher: page binds v to the page's nodes in
// order (filter, keyset, order, limit), all binds v to every node of the
// list (for its count). Both run over the same candidates.
type nodeList struct{ page, all string }

// nodeListCypher builds a normalized query's nodeList. A page after a
// cursor reads one item more than asked, to tell whether another page
// follows; a first page reads only First, since the total tells.
func nodeListCypher(q domain.NodeQuery, ps paramSet) (nodeList, error) {
	limit := q.Page.First
	if q.Page.After != "" {
		limit++
	}
	lim := ps.add("limit", int64(limit))
	src, filter := nodeSource(q, ps)
	sk := "v.name"
	if q.Order == domain.OrderByID {
		sk = "v.id"
	}
	after, err := keyset(q.Page.After, q.Desc, "sk", "v.id", ps)
	if err != nil {
		return nodeList{}, err
	}
	return nodeList{page: src + `
			WITH v WHERE ` + filter + `
			WITH v, ` + sk + ` AS sk
			WHERE ` + after + `
			ORDER BY sk` + direction(q.Desc) + `, v.id` + direction(q.Desc) + `
			LIMIT ` + lim, all: src + `
			WITH v WHERE ` + filter}, nil
}

// listNodesStatement builds ListNodes' statement for a normalized query:
// the page and the total are two subqueries over the same candidates.
func listNodesStatement(q domain.NodeQuery) (string, map[string]any, error) {
	ps := paramSet{m: map[string]any{}}
	l, err := nodeListCypher(q, ps)
	if err != nil {
		return "", nil, err
	}
	return `
		CALL () {
			` + l.page + `
			RETURN collect(v) AS items
		}
		CALL () {
			` + l.all + `
			RETURN count(v) AS total
		}
		RETURN items, total`, ps.m, nil
}

// Edges returns one page per anchor in one round trip: each anchor's page
// is ordered and cut inside a CALL subquery, the total is a count{}.
func (s *Store) Edges(ctx context.Context, q domain.EdgeQuery, anchors []domain.NodeKey) ([]domain.EdgePage, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	pages := make([]domain.EdgePage, len(anchors))
	if len(anchors) == 0 {
		return pages, nil
	}
	ks := make([]string, len(anchors))
	for i, a := range anchors {
		ks[i] = a.String()
	}
	cypher, params, err := edgesStatement(q, ks)
	if err != nil {
		return nil, err
	}
	recs, err := s.query(ctx, "reading relations", cypher, params)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		i := int(getInt(rec, "i"))
		if i < 0 || i >= len(pages) {
			continue
		}
		p := domain.EdgePage{TotalCount: int(getInt(rec, "total"))}
		items, _ := rec.Get("items")
		for _, x := range asList(items) {
			if len(p.Items) == q.Page.First {
				p.HasNextPage = true
				break
			}
			e, cursor, err := edgeRowFrom(asList(x))
			if err != nil {
				return nil, domain.Internal(err, "reading relations")
			}
			p.Items = append(p.Items, e)
			p.Cursors = append(p.Cursors, cursor)
		}
		pages[i] = p
	}
	return pages, nil
}

// edgeRowFrom reads the first six columns of an edge row (see edgeRow):
// the relation and its cursor.
func edgeRowFrom(row []any) (domain.Edge, string, error) {
	if len(row) < 6 {
		return domain.Edge{}, "", fmt.Errorf("edge row of %d columns", len(row))
	}
	typ, _ := row[0].(string)
	from, _ := row[1].(string)
	to, _ := row[2].(string)
	props, _ := row[3].(map[string]any)
	e, err := edgeFrom(typ, from, to, props)
	if err != nil {
		return domain.Edge{}, "", err
	}
	key, _ := row[4].(string)
	id, _ := row[5].(string)
	return e, domain.Cursor{Key: key, ID: id}.Encode(), nil
}

// edgeMatch is an edge query's Cypher over the anchor, relation and other
// end variables given to edgeCypher.
type edgeMatch struct {
	// country, when not empty, is the variable that bindCountry binds to
	// the other ends' country; it must be bound before the anchors and be
	// in scope wherever pattern and filter are used.
	country, bindCountry string
	pattern, filter      string
	// sortKey is the expression of the edge's sort key (see
	// domain.EdgeOrder.EdgeSortKey); the other end's key breaks ties.
	sortKey string
	// count is the COUNT subquery of the anchor's matching relations.
	count string
}

// edgeCypher builds a normalized query's edgeMatch over anchor a,
// relation r, other end o, and oc for the other country if any.
func edgeCypher(q domain.EdgeQuery, ps paramSet, a, r, o, oc string) edgeMatch {
	pattern := func(r, o string) string {
		switch q.Direction {
		case domain.Out:
			return "(" + a + ")-[" + r + ":" + relType(q.Kind) + "]->(" + o + ")"
		case domain.In:
			return "(" + a + ")<-[" + r + ":" + relType(q.Kind) + "]-(" + o + ")"
		}
		return "(" + a + ")-[" + r + ":" + relType(q.Kind) + "]-(" + o + ")"
	}
	m := edgeMatch{pattern: pattern(r, o+":Entity")}
	conds := []string{"true"}
	if len(q.OtherKinds) > 0 {
		kinds := make([]string, len(q.OtherKinds))
		for i, k := range q.OtherKinds {
			kinds[i] = string(k)
		}
		conds = append(conds, "any(l IN labels("+o+") WHERE l IN "+ps.add("otherKinds", kinds)+")")
	}
	if q.OtherCountry != "" {
		// The country is bound once, by its unique index, before the
		// anchors: left inside the EXISTS, its lookup is the planner's
		// to choose, and with stale statistics it scanned every
		// country's id and hash-joined them with the other ends. The
		// SEEK hint makes the seek the planner's only choice.
		m.country = oc
		m.bindCountry = "OPTIONAL MATCH (" + oc + ":Country {id: " + ps.add("otherCountry", q.OtherCountry) + "}) USING INDEX SEEK " + oc + ":Country(id)"
		conds = append(conds, otherInCountry(o, oc))
	}
	if q.PartnershipKind != "" {
		conds = append(conds, r+".partnershipKind = "+ps.add("partnershipKind", string(q.PartnershipKind)))
	}
	if q.Role != "" {
		conds = append(conds, r+".role = "+ps.add("role", string(q.Role)))
	}
	if q.AsOf != "" {
		conds = append(conds, "("+r+".since IS NULL OR "+r+".since <= "+ps.add("asOf", string(q.AsOf))+")")
	}
	m.filter = strings.Join(conds, " AND ")
	m.count = "COUNT { MATCH " + m.pattern + " WHERE " + m.filter + " }"
	if len(conds) == 1 {
		// Unfiltered, the count is the anchor's degree, which the server
		// reads without expanding a relation: every relation links two
		// :Entity nodes, so the far end's label needs no test.
		m.count = "COUNT { " + pattern("", "") + " }"
	}
	switch q.Order {
	case domain.OrderBySince:
		m.sortKey = "coalesce(" + r + ".since, '')"
	case domain.OrderByPosition:
		// The same zero-padded text as domain.EdgeOrder.EdgeSortKey.
		m.sortKey = "right('0000000000' + toString(coalesce(" + r + ".position, 0)), 10)"
	default:
		m.sortKey = o + ".name"
	}
	return m
}

// otherInCountry is the condition that node o is in country oc, as a node
// filter's country (see countryOf and domain.NodeFilter): the country
// itself, a city in it, an organisation or funding body seated in one of
// its cities, a project located in it or in one of its cities. Each
// relation type links one kind only, so no label needs testing.
func otherInCountry(o, oc string) string {
	return `(` + o + ` = ` + oc + `
			OR EXISTS { (` + o + `)-[:IN_COUNTRY]->(` + oc + `) }
			OR EXISTS { (` + o + `)-[:SEATED_IN|HEADQUARTERED_IN]->(:City)-[:IN_COUNTRY]->(` + oc + `) }
			OR EXISTS { (` + o + `)-[:LOCATED_IN]->(` + oc + `) }
			OR EXISTS { (` + o + `)-[:LOCATED_IN]->(:City)-[:IN_COUNTRY]->(` + oc + `) })`
}

// edgeRow is the list an edge row holds, over relation r, sort key sk and
// other end o: type, start key, end key, properties, sort key, other key
// (edgeRowFrom reads it back).
func edgeRow(r, sk, o string) string {
	return "type(" + r + "), startNode(" + r + ").key, endNode(" + r + ").key, properties(" + r + "), " + sk + ", " + o + ".key"
}

// edgesStatement builds Edges' statement for a normalized query and the
// anchors' keys: each anchor is found through the unique index on
// Entity.key, and its page is cut inside a subquery.
func edgesStatement(q domain.EdgeQuery, ks []string) (string, map[string]any, error) {
	ps := paramSet{m: map[string]any{}}
	anchors := ps.add("anchors", ks)
	limit := ps.add("limit", int64(q.Page.First+1))
	m := edgeCypher(q, ps, "a", "r", "o", "oc")
	prefix, scope := "", "a"
	if m.country != "" {
		prefix = `
		` + m.bindCountry + `
		WITH ` + m.country
		scope = "a, " + m.country
	}
	after, err := keyset(q.Page.After, q.Desc, "sk", "o.key", ps)
	if err != nil {
		return "", nil, err
	}
	dir := direction(q.Desc)
	return prefix + `
		UNWIND range(0, size(` + anchors + `) - 1) AS i
		MATCH (a:Entity {key: ` + anchors + `[i]})
		CALL (` + scope + `) {
			MATCH ` + m.pattern + `
			WHERE ` + m.filter + `
			WITH r, o, ` + m.sortKey + ` AS sk
			WHERE ` + after + `
			ORDER BY sk` + dir + `, o.key` + dir + `
			LIMIT ` + limit + `
			RETURN collect([` + edgeRow("r", "sk", "o") + `]) AS items
		}
		RETURN i, items, ` + m.count + ` AS total`, ps.m, nil
}

// Neighbourhood walks level by level from the centre (ANY SHORTEST gives
// each node its level), keeps the first Limit nodes in (level, key) order
// (key order is kind then slug: ':' sorts before every letter), and returns
// every followed edge among the kept nodes, all in one statement.
func (s *Store) Neighbourhood(ctx context.Context, q domain.NeighbourhoodQuery) (domain.Subgraph, error) {
	if err := q.Normalize(); err != nil {
		return domain.Subgraph{}, err
	}
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	params := map[string]any{"center": q.Center.String(), "kinds": kinds, "all": len(kinds) == 0,
		"others": int64(q.Limit)} // Limit-1 others are kept; one more tells truncation
	// The depth is an integer checked by Normalize (1..3), not user text.
	cypher := fmt.Sprintf(`
		MATCH (c:Entity {key: $center})
		CALL (c) {
			MATCH p = ANY SHORTEST (c)-[r WHERE $all OR type(r) IN $kinds]-{1,%d}(o:Entity)
			WHERE o <> c
			WITH o, length(p) AS d
			ORDER BY d, o.key
			LIMIT $others
			RETURN collect(o) AS os
		}
		WITH c, os, [c] + os AS ns
		CALL (ns) {
			UNWIND ns AS x
			MATCH (x)-[r]->(y)
			WHERE y IN ns AND ($all OR type(r) IN $kinds)
			RETURN collect([type(r), x.key, y.key, properties(r)]) AS es
		}
		RETURN ns, es`, q.Depth)
	recs, err := s.query(ctx, "reading a neighbourhood", cypher, params)
	if err != nil {
		return domain.Subgraph{}, err
	}
	if len(recs) == 0 {
		return domain.Subgraph{}, domain.Errorf(domain.ENOTFOUND, "node %s does not exist", q.Center)
	}
	var g domain.Subgraph
	kept := map[string]bool{}
	ns, _ := recs[0].Get("ns")
	for _, v := range asList(ns) {
		if len(g.Nodes) == q.Limit {
			g.Truncated = true
			break
		}
		n, err := nodeFrom(v)
		if err != nil {
			return domain.Subgraph{}, domain.Internal(err, "reading a neighbourhood")
		}
		g.Nodes = append(g.Nodes, n)
		kept[n.Key().String()] = true
	}
	es, _ := recs[0].Get("es")
	for _, x := range asList(es) {
		row := asList(x)
		if len(row) != 4 {
			continue
		}
		typ, _ := row[0].(string)
		from, _ := row[1].(string)
		to, _ := row[2].(string)
		if !kept[from] || !kept[to] {
			continue
		}
		props, _ := row[3].(map[string]any)
		e, err := edgeFrom(typ, from, to, props)
		if err != nil {
			return domain.Subgraph{}, domain.Internal(err, "reading a neighbourhood")
		}
		g.Edges = append(g.Edges, e)
	}
	sortEdges(g.Edges)
	return g, nil
}

// sortEdges orders edges by their key so that results do not depend on
// the server's traversal order.
func sortEdges(es []domain.Edge) {
	slices.SortFunc(es, func(a, b domain.Edge) int { return strings.Compare(a.Key().String(), b.Key().String()) })
}
