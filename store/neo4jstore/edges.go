package neo4jstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

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
	c := pageShape(q.Page)
	for _, rec := range recs {
		i := int(getInt(rec, "i"))
		if i < 0 || i >= len(pages) {
			continue
		}
		p := domain.EdgePage{TotalCount: int(getInt(rec, "total"))}
		if q.Aggregate.Wanted() {
			numbers, _ := rec.Get("agg0")
			money := make([]any, moneyFields(q.Aggregate))
			for j := range money {
				money[j], _ = rec.Get("agg" + strconv.Itoa(j+1))
			}
			if p.Aggregates, err = aggregatesFrom(q.Aggregate, numbers, money); err != nil {
				return nil, domain.Internal(err, "reading relations")
			}
		}
		items, _ := rec.Get("items")
		atAfter, _ := rec.Get("atAfter")
		atBefore, _ := rec.Get("atBefore")
		rows, more := c.cut(asList(items), p.TotalCount)
		p.HasNextPage, p.HasPreviousPage = c.flags(more, atAfter == true, atBefore == true)
		for _, x := range rows {
			e, cursor, err := edgeRowFrom(asList(x))
			if err != nil {
				return nil, domain.Internal(err, "reading relations")
			}
			p.Items = append(p.Items, e)
			if !q.Page.NoCursors {
				p.Cursors = append(p.Cursors, cursor)
			}
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
	id, _ := row[5].(string)
	return e, domain.Cursor{Key: cursorKey(row[4]), ID: id}.Encode(), nil
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
	// Every relation links two :Entity nodes, so the far end's label needs
	// no test (a test is a db hit per row).
	m := edgeMatch{pattern: pattern(r, o)}
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
		d := ps.add("asOf", string(q.AsOf))
		conds = append(conds, "("+r+".since IS NULL OR "+r+".since <= "+d+") AND ("+r+".until IS NULL OR "+d+" < "+r+".until)")
	}
	if q.Where != nil {
		conds = append(conds, newWhereCypher(ps).edgeCond(q.Where, domain.EdgeScope(q.Kind, q.Direction), r, o))
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

// outside is the EXISTS subquery for a relation of m, from the anchor,
// that meets cond (a pageCut's atAfter or atBefore), or false without
// cond.
func (m edgeMatch) outside(filter, cond string) string {
	if cond == "" {
		return "false"
	}
	return "EXISTS { MATCH " + m.pattern + " WHERE " + filter + " AND " + cond + " }"
}

// edgesStatement builds Edges' statement for a normalized query and the
// anchors' keys: each anchor is found through the unique index on
// Entity.key, and its page is cut inside a subquery.
func edgesStatement(q domain.EdgeQuery, ks []string) (string, map[string]any, error) {
	ps := paramSet{m: map[string]any{}}
	anchors := ps.add("anchors", ks)
	m := edgeCypher(q, ps, "a", "r", "o", "oc")
	prefix, scope := "", "a"
	if m.country != "" {
		prefix = `
		` + m.bindCountry + `
		WITH ` + m.country
		scope = "a, " + m.country
	}
	sort := edgeSort(q, m, "sk", "r", "o")
	c, err := sort.cut(q.Page, "o.key", ps)
	if err != nil {
		return "", nil, err
	}
	return prefix + `
		UNWIND range(0, size(` + anchors + `) - 1) AS i
		MATCH (a:Entity {key: ` + anchors + `[i]})
		CALL (` + scope + `) {
			MATCH ` + m.pattern + `
			WHERE ` + m.filter + `
			WITH r, o, ` + sort.with() + `
			WHERE ` + c.inRange + `
			ORDER BY ` + c.order + `
			LIMIT ` + c.limit + `
			RETURN collect([` + edgeRow("r", sort.row(), "o") + `]) AS items
		}
		RETURN i, items, ` + total(q.Page, m.count) + ` AS total, ` +
		m.outside(m.filter, c.atAfter) + ` AS atAfter, ` + m.outside(m.filter, c.atBefore) + ` AS atBefore` +
		edgeAggregates(q, m), ps.m, nil
}
