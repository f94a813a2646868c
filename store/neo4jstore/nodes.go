package neo4jstore

import (
	"context"
	"fmt"
	"strconv"
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
	if anchor == "" && q.Where != nil {
		anchor = whereAnchor(q, ps)
		if anchor != "" {
			return anchor, nodeFilter(q, ps)
		}
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
	if q.Where != nil {
		conds = append(conds, newWhereCypher(ps).nodeCond(q.Where, domain.NodeScope(q.Kind), "v"))
	}
	return strings.Join(conds, " AND ")
}

// ListNodes pages through one kind: filter, keyset and limit in Cypher,
// the total by a count subquery.
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
	atAfter, _ := recs[0].Get("atAfter")
	atBefore, _ := recs[0].Get("atBefore")
	page, err := nodePageFrom(q, asList(items), int(getInt(recs[0], "total")), atAfter == true, atBefore == true, nodeFrom)
	if err == nil {
		numbers, _ := recs[0].Get("agg")
		money := make([]any, moneyFields(q.Aggregate))
		for j := range money {
			money[j], _ = recs[0].Get("agg_m" + strconv.Itoa(j))
		}
		page.Aggregates, err = aggregatesFrom(q.Aggregate, numbers, money)
	}
	if err != nil {
		return domain.NodePage{}, domain.Internal(err, "listing nodes")
	}
	return page, nil
}

// nodePageFrom makes a page of q from the listed items (in the order
// nodeListCypher reads them), the total, and whether nodes of the list lie
// at or before After and at or after Before; each item is read by node.
func nodePageFrom(q domain.NodeQuery, items []any, total int, atAfter, atBefore bool, node func(any) (domain.Node, error)) (domain.NodePage, error) {
	page := domain.NodePage{TotalCount: total}
	c := pageShape(q.Page)
	items, more := c.cut(items, total)
	page.HasNextPage, page.HasPreviousPage = c.flags(more, atAfter, atBefore)
	for _, v := range items {
		n, err := node(v)
		if err != nil {
			return domain.NodePage{}, err
		}
		page.Items = append(page.Items, n)
		if q.Page.NoCursors {
			continue
		}
		key := q.Order.SortKey(n)
		if len(q.OrderBy) > 0 {
			key = domain.EncodeSortValues(domain.NodeSortValues(n, q.OrderBy))
		}
		page.Cursors = append(page.Cursors, domain.Cursor{Key: key, ID: n.Base().ID}.Encode())
	}
	return page, nil
}

// nodeList is a node list's Cypher, each part binding v over the same
// candidates: page to the page's nodes in the order they are read (filter,
// keyset, order, limit; see pageCut), all to every node of the list (for
// its count), atAfter and atBefore to at most one node at or before the
// After cursor, at or after the Before cursor ("" without that cursor).
type nodeList struct{ page, all, atAfter, atBefore string }

// nodeListCypher builds a normalized query's nodeList.
func nodeListCypher(q domain.NodeQuery, ps paramSet) (nodeList, error) {
	src, filter := nodeSource(q, ps)
	sort := nodeSort(q)
	c, err := sort.cut(q.Page, "v.id", ps)
	if err != nil {
		return nodeList{}, err
	}
	all := src + `
			WITH v WHERE ` + filter
	l := nodeList{page: all + `
			WITH v, ` + sort.with() + `
			WHERE ` + c.inRange + `
			ORDER BY ` + c.order + `
			LIMIT ` + c.limit, all: all}
	outside := func(cond string) string {
		if cond == "" {
			return ""
		}
		return all + `
			WITH v WHERE ` + cond + `
			WITH v LIMIT 1`
	}
	l.atAfter, l.atBefore = outside(c.atAfter), outside(c.atBefore)
	return l, nil
}

// counts returns the CALL subquery bodies that count the list's total
// and test its two cursors, and the RETURN columns that name their
// answers total, atAfter and atBefore (a constant where nothing is read:
// no total wanted, no such cursor).
func (l nodeList) counts(p domain.Page, total, atAfter, atBefore string) (bodies, cols []string) {
	if p.NoTotal {
		cols = append(cols, "0 AS "+total)
	} else {
		bodies = append(bodies, l.all+`
			RETURN count(v) AS `+total)
		cols = append(cols, total)
	}
	for _, x := range []struct{ body, name string }{{l.atAfter, atAfter}, {l.atBefore, atBefore}} {
		if x.body == "" {
			cols = append(cols, "false AS "+x.name)
			continue
		}
		bodies = append(bodies, x.body+`
			RETURN count(v) > 0 AS `+x.name)
		cols = append(cols, x.name)
	}
	return bodies, cols
}

// listNodesStatement builds ListNodes' statement for a normalized query:
// the page, the total and the cursor tests are subqueries over the same
// candidates.
func listNodesStatement(q domain.NodeQuery) (string, map[string]any, error) {
	ps := paramSet{m: map[string]any{}}
	l, err := nodeListCypher(q, ps)
	if err != nil {
		return "", nil, err
	}
	bodies, cols := l.counts(q.Page, "total", "atAfter", "atBefore")
	aggBodies, aggCols := l.aggregates(q.Aggregate, "agg")
	bodies, cols = append(bodies, aggBodies...), append(cols, aggCols...)
	var out strings.Builder
	out.WriteString(`
		CALL () {
			` + l.page + `
			RETURN collect(v) AS items
		}`)
	for _, b := range bodies {
		out.WriteString(`
		CALL () {
			` + b + `
		}`)
	}
	out.WriteString(`
		RETURN items, ` + strings.Join(cols, ", "))
	return out.String(), ps.m, nil
}
