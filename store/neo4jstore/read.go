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
	recs, err := s.query(ctx, "reading nodes", `
		UNWIND $keys AS k
		MATCH (n:Entity {key: k})
		RETURN k, n`, map[string]any{"keys": dedupe(ks)})
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

// nodeFilter is the WHERE condition of a node list over variable v.
func nodeFilter(q domain.NodeQuery, params map[string]any) string {
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
		params["country"] = q.Filter.Country
		conds = append(conds, inCountry("c.id = $country"))
	}
	if q.Filter.Grouping != "" {
		params["grouping"] = q.Filter.Grouping
		conds = append(conds, inCountry("EXISTS { (c)-[:MEMBER_OF]->(:Grouping {id: $grouping}) }"))
	}
	if q.Filter.OrgKind != "" {
		params["orgKind"] = string(q.Filter.OrgKind)
		conds = append(conds, "v.orgKind = $orgKind")
	}
	if q.Filter.Sector != "" {
		params["sector"] = string(q.Filter.Sector)
		conds = append(conds, "v.sector = $sector")
	}
	return strings.Join(conds, " AND ")
}

// keyset is the condition for rows after the cursor in params "ak"/"ai"
// over sort key sk and tie id, ascending or descending.
func keyset(after string, desc bool, sk, id string, params map[string]any) (string, error) {
	if after == "" {
		return "true", nil
	}
	c, err := domain.DecodeCursor(after)
	if err != nil {
		return "", err
	}
	params["ak"], params["ai"] = c.Key, c.ID
	op := ">"
	if desc {
		op = "<"
	}
	return fmt.Sprintf("(%[1]s %[3]s $ak OR (%[1]s = $ak AND %[2]s %[3]s $ai))", sk, id, op), nil
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
	params := map[string]any{"limit": int64(q.Page.First + 1)}
	filter := nodeFilter(q, params)
	sk := "v.name"
	if q.Order == domain.OrderByID {
		sk = "v.id"
	}
	after, err := keyset(q.Page.After, q.Desc, "sk", "v.id", params)
	if err != nil {
		return domain.NodePage{}, err
	}
	l := label(q.Kind)
	cypher := `
		CALL () {
			MATCH (v:` + l + `)
			WHERE ` + filter + `
			WITH v, ` + sk + ` AS sk
			WHERE ` + after + `
			ORDER BY sk` + direction(q.Desc) + `, v.id` + direction(q.Desc) + `
			LIMIT $limit
			RETURN collect(v) AS items
		}
		RETURN items, count { MATCH (v:` + l + `) WHERE ` + filter + ` } AS total`
	recs, err := s.query(ctx, "listing nodes", cypher, params)
	if err != nil {
		return domain.NodePage{}, err
	}
	if len(recs) != 1 {
		return domain.NodePage{}, domain.Internal(fmt.Errorf("%d result rows", len(recs)), "listing nodes")
	}
	items, _ := recs[0].Get("items")
	page := domain.NodePage{TotalCount: int(getInt(recs[0], "total"))}
	for _, v := range asList(items) {
		n, err := nodeFrom(v)
		if err != nil {
			return domain.NodePage{}, domain.Internal(err, "listing nodes")
		}
		if len(page.Items) == q.Page.First {
			page.HasNextPage = true
			break
		}
		page.Items = append(page.Items, n)
		page.Cursors = append(page.Cursors, domain.Cursor{Key: q.Order.SortKey(n), ID: n.Base().ID}.Encode())
	}
	return page, nil
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
	params := map[string]any{"anchors": ks, "limit": int64(q.Page.First + 1)}
	var pat string
	switch q.Direction {
	case domain.Out:
		pat = "(a)-[r:" + relType(q.Kind) + "]->(o:Entity)"
	case domain.In:
		pat = "(a)<-[r:" + relType(q.Kind) + "]-(o:Entity)"
	default:
		pat = "(a)-[r:" + relType(q.Kind) + "]-(o:Entity)"
	}
	conds := []string{"true"}
	if len(q.OtherKinds) > 0 {
		kinds := make([]string, len(q.OtherKinds))
		for i, k := range q.OtherKinds {
			kinds[i] = string(k)
		}
		params["otherKinds"] = kinds
		conds = append(conds, "any(l IN labels(o) WHERE l IN $otherKinds)")
	}
	if q.OtherCountry != "" {
		params["otherCountry"] = q.OtherCountry
		conds = append(conds, `(EXISTS { (o)-[:IN_COUNTRY]->(:Country {id: $otherCountry}) }
			OR EXISTS { (o)-[:SEATED_IN]->(:City)-[:IN_COUNTRY]->(:Country {id: $otherCountry}) })`)
	}
	if q.PartnershipKind != "" {
		params["partnershipKind"] = string(q.PartnershipKind)
		conds = append(conds, "r.partnershipKind = $partnershipKind")
	}
	if q.Role != "" {
		params["role"] = string(q.Role)
		conds = append(conds, "r.role = $role")
	}
	if q.AsOf != "" {
		params["asOf"] = string(q.AsOf)
		conds = append(conds, "(r.since IS NULL OR r.since <= $asOf)")
	}
	filter := strings.Join(conds, " AND ")
	var sk string
	switch q.Order {
	case domain.OrderBySince:
		sk = "coalesce(r.since, '')"
	case domain.OrderByPosition:
		// The same zero-padded text as domain.EdgeOrder.EdgeSortKey.
		sk = "right('0000000000' + toString(coalesce(r.position, 0)), 10)"
	default:
		sk = "o.name"
	}
	after, err := keyset(q.Page.After, q.Desc, "sk", "o.key", params)
	if err != nil {
		return nil, err
	}
	dir := direction(q.Desc)
	cypher := `
		UNWIND range(0, size($anchors) - 1) AS i
		MATCH (a:Entity {key: $anchors[i]})
		CALL (a) {
			MATCH ` + pat + `
			WHERE ` + filter + `
			WITH r, o, ` + sk + ` AS sk
			WHERE ` + after + `
			ORDER BY sk` + dir + `, o.key` + dir + `
			LIMIT $limit
			RETURN collect([type(r), startNode(r).key, endNode(r).key, properties(r), sk, o.key]) AS items
		}
		RETURN i, items, count { MATCH ` + pat + ` WHERE ` + filter + ` } AS total`
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
			row := asList(x)
			if len(row) != 6 {
				return nil, domain.Internal(fmt.Errorf("edge row of %d columns", len(row)), "reading relations")
			}
			if len(p.Items) == q.Page.First {
				p.HasNextPage = true
				break
			}
			typ, _ := row[0].(string)
			from, _ := row[1].(string)
			to, _ := row[2].(string)
			props, _ := row[3].(map[string]any)
			e, err := edgeFrom(typ, from, to, props)
			if err != nil {
				return nil, domain.Internal(err, "reading relations")
			}
			key, _ := row[4].(string)
			id, _ := row[5].(string)
			p.Items = append(p.Items, e)
			p.Cursors = append(p.Cursors, domain.Cursor{Key: key, ID: id}.Encode())
		}
		pages[i] = p
	}
	return pages, nil
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
