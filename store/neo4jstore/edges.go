package neo4jstore

import (
	"context"
	"fmt"
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

// edgesStatement builds Edges' statement for a normalized query and the
// anchors' keys: each anchor is found through the unique index on
// Entity.key, and its page is cut inside a subquery.
func edgesStatement(q domain.EdgeQuery, ks []string) (string, map[string]any, error) {
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
	prefix, scope := "", "a"
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
		// The country is bound once, by its unique index, before the
		// anchors: left inside the EXISTS, its lookup is the planner's
		// to choose, and with stale statistics it scanned every
		// country's id and hash-joined them with the other ends. The
		// SEEK hint makes the seek the planner's only choice.
		prefix = `
		OPTIONAL MATCH (oc:Country {id: $otherCountry}) USING INDEX SEEK oc:Country(id)
		WITH oc`
		scope = "a, oc"
		conds = append(conds, `(EXISTS { (o)-[:IN_COUNTRY]->(oc) }
			OR EXISTS { (o)-[:SEATED_IN]->(:City)-[:IN_COUNTRY]->(oc) })`)
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
		return "", nil, err
	}
	dir := direction(q.Desc)
	return prefix + `
		UNWIND range(0, size($anchors) - 1) AS i
		MATCH (a:Entity {key: $anchors[i]})
		CALL (` + scope + `) {
			MATCH ` + pat + `
			WHERE ` + filter + `
			WITH r, o, ` + sk + ` AS sk
			WHERE ` + after + `
			ORDER BY sk` + dir + `, o.key` + dir + `
			LIMIT $limit
			RETURN collect([type(r), startNode(r).key, endNode(r).key, properties(r), sk, o.key]) AS items
		}
		RETURN i, items, count { MATCH ` + pat + ` WHERE ` + filter + ` } AS total`, params, nil
}
