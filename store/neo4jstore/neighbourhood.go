package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

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
	params := map[string]any{"center": q.Center.String(), "kinds": kinds, "all": len(kinds) == 0, "asOf": string(q.AsOf),
		"others": int64(q.Limit)} // Limit-1 others are kept; one more tells truncation
	// The depth is an integer checked by Normalize (1..3), not user text.
	cypher := fmt.Sprintf(`
		MATCH (c:Entity {key: $center})
		CALL (c) {
			MATCH p = ANY SHORTEST (c)-[r WHERE ($all OR type(r) IN $kinds) AND %[2]s]-{1,%[1]d}(o:Entity)
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
			WHERE y IN ns AND ($all OR type(r) IN $kinds) AND %[2]s
			RETURN collect([type(r), x.key, y.key, properties(r)]) AS es
		}
		RETURN ns, es`, q.Depth, asOf("r"))
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
