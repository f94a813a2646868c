package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Paths is a level-by-level search in one statement, unrolled to MaxHops
// levels: each level extends the partial chains of distinct cities by one
// hop (a partnership, or two attendances of one Forum, or two signatures of
// one Agreement), keeps the chains that reach q.To, and stops extending
// once K have been found — the contract's order (hop count, then slugs).
// Partial chains are pruned to cities within the remaining hops of q.To
// (reach sets computed first, by the same unrolled search from q.To), so
// the work stays near the paths that matter.
func (s *Store) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := pathsStatement(q)
	recs, err := s.query(ctx, "finding paths", cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, domain.Internal(fmt.Errorf("%d rows", len(recs)), "finding paths")
	}
	for _, end := range []struct{ col, id string }{{"fromFound", q.From}, {"toFound", q.To}} {
		if v, _ := recs[0].Get(end.col); v != true {
			return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", end.id)
		}
	}
	type pair struct{ u, w string }
	links := map[pair][]domain.Link{}
	ls, _ := recs[0].Get("links")
	for _, x := range asList(ls) {
		row := asList(x)
		if len(row) != 5 {
			continue
		}
		u, _ := row[0].(string)
		w, _ := row[1].(string)
		var l []domain.Link
		for _, pr := range asList(row[2]) {
			e := asList(pr)
			if len(e) != 4 {
				continue
			}
			typ, _ := e[0].(string)
			from, _ := e[1].(string)
			to, _ := e[2].(string)
			props, _ := e[3].(map[string]any)
			edge, err := edgeFrom(typ, from, to, props)
			if err != nil {
				return nil, domain.Internal(err, "finding paths")
			}
			l = append(l, domain.Link{Kind: domain.LinkPartnership, Edge: &edge})
		}
		for i, kind := range []domain.LinkKind{domain.LinkForum, domain.LinkAgreement} {
			vk := []domain.Kind{domain.KindForum, domain.KindAgreement}[i]
			var ids []string
			for _, v := range asList(row[3+i]) {
				if id, ok := v.(string); ok {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			for _, id := range ids {
				l = append(l, domain.Link{Kind: kind, Via: domain.NodeKey{Kind: vk, ID: id}})
			}
		}
		links[pair{u, w}] = l
	}
	out := []domain.Path{}
	ps, _ := recs[0].Get("paths")
	for _, x := range asList(ps) {
		var p domain.Path
		for _, c := range asList(x) {
			id, _ := c.(string)
			p.Cities = append(p.Cities, id)
		}
		for i := 0; i+1 < len(p.Cities); i++ {
			p.Hops = append(p.Hops, domain.Hop{From: p.Cities[i], To: p.Cities[i+1], Links: links[pair{p.Cities[i], p.Cities[i+1]}]})
		}
		out = append(out, p)
	}
	// Levels arrive in order but unsorted within a level: order by hop
	// count, then slugs, and keep K.
	slices.SortStableFunc(out, func(x, y domain.Path) int {
		if len(x.Cities) != len(y.Cities) {
			return len(x.Cities) - len(y.Cities)
		}
		return slices.Compare(x.Cities, y.Cities)
	})
	return out[:min(len(out), q.K)], nil
}

// pathsStatement builds Paths' statement for a normalized query (see
// Paths): every city on a chain is found by its unique id.
func pathsStatement(q domain.PathQuery) (string, map[string]any) {
	params := map[string]any{"from": q.From, "to": q.To, "asOf": string(q.AsOf), "k": int64(q.K),
		"viaP": slices.Contains(q.Via, domain.LinkPartnership),
		"viaF": slices.Contains(q.Via, domain.LinkForum), "viaA": slices.Contains(q.Via, domain.LinkAgreement)}
	// The cities one hop from c.
	nbr := `CALL (c) {
				MATCH (c)-[r:PARTNER_OF]-(o:City) WHERE $viaP AND ` + asOf("r") + ` RETURN o
				UNION
				MATCH (c)-[r1:ATTENDED]->(:Forum)<-[r2:ATTENDED]-(o:City) WHERE $viaF AND ` + asOf("r1") + ` AND ` + asOf("r2") + ` RETURN o
				UNION
				MATCH (c)-[r1:SIGNED]->(:Agreement)<-[r2:SIGNED]-(o:City) WHERE $viaA AND ` + asOf("r1") + ` AND ` + asOf("r2") + ` RETURN o
			}`
	var b strings.Builder
	b.WriteString(`
		OPTIONAL MATCH (a:City {id: $from})
		OPTIONAL MATCH (b:City {id: $to})
		WITH a, b, CASE WHEN a IS NULL OR b IS NULL THEN [] ELSE [[a.id]] END AS frontier, [] AS found,
			[CASE WHEN b IS NULL THEN [] ELSE [b.id] END] AS reach
	`)
	// reach[j] holds the cities within j hops of q.To (the level count is
	// an integer checked by Normalize, so the unrolling is fixed text).
	for j := 1; j < q.MaxHops; j++ {
		b.WriteString(`
		CALL (reach) {
			UNWIND last(reach) AS cid
			MATCH (c:City {id: cid})
			` + nbr + `
			RETURN collect(DISTINCT o.id) AS more
		}
		WITH a, b, frontier, found, reach + [last(reach) + [x IN more WHERE NOT x IN last(reach)]] AS reach
		`)
	}
	for h := 1; h <= q.MaxHops; h++ {
		fmt.Fprintf(&b, `
		CALL (frontier, found, reach) {
			UNWIND CASE WHEN size(found) < $k THEN frontier ELSE [] END AS p
			MATCH (c:City {id: last(p)})
			%s
			WITH p, o.id AS oid
			WHERE NOT oid IN p AND oid IN reach[%d]
			RETURN collect(p + oid) AS nx
		}
		WITH a, b, [x IN nx WHERE last(x) <> $to] AS frontier, found + [x IN nx WHERE last(x) = $to] AS found, reach
		`, nbr, q.MaxHops-h)
	}
	b.WriteString(`
		CALL (found) {
			UNWIND found AS cs
			UNWIND range(0, size(cs) - 2) AS i
			WITH DISTINCT cs[i] AS u, cs[i+1] AS w
			MATCH (c1:City {id: u})
			MATCH (c2:City {id: w})
			RETURN collect([u, w,
				COLLECT { MATCH (c1)-[r:PARTNER_OF]-(c2) WHERE $viaP AND ` + asOf("r") + `
					RETURN [type(r), startNode(r).key, endNode(r).key, properties(r)] },
				COLLECT { MATCH (c1)-[r1:ATTENDED]->(f:Forum)<-[r2:ATTENDED]-(c2) WHERE $viaF AND ` + asOf("r1") + ` AND ` + asOf("r2") + `
					RETURN DISTINCT f.id },
				COLLECT { MATCH (c1)-[r1:SIGNED]->(g:Agreement)<-[r2:SIGNED]-(c2) WHERE $viaA AND ` + asOf("r1") + ` AND ` + asOf("r2") + `
					RETURN DISTINCT g.id }
			]) AS links
		}
		RETURN a IS NOT NULL AS fromFound, b IS NOT NULL AS toFound, found AS paths, links`)
	return b.String(), params
}
