package neo4jstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// FundingTotals groups financings in Cypher: each financing counts once in
// every group it belongs to (a project in two cities counts in both).
func (s *Store) FundingTotals(ctx context.Context, q domain.FundingQuery) ([]domain.FundingTotal, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := fundingStatement(q)
	recs, err := s.query(ctx, "summing funding", cypher, params)
	if err != nil {
		return nil, err
	}
	out := []domain.FundingTotal{}
	for _, rec := range recs {
		t := domain.FundingTotal{Group: getStr(rec, "g"), Currency: domain.Currency(getStr(rec, "currency")),
			Amount: domain.Decimal(getInt(rec, "amount")), Projects: int(getInt(rec, "projects")),
			Financings: int(getInt(rec, "financings"))}
		if len(q.Dimensions) > 0 {
			gs, _ := rec.Get("gs")
			for _, g := range asList(gs) {
				s, _ := g.(string)
				t.Groups = append(t.Groups, s)
			}
			t.Group = t.Groups[0]
		}
		if q.GroupNodes {
			if t.Nodes, err = fundingGroupNodesFrom(q, rec); err != nil {
				return nil, domain.Internal(err, "summing funding")
			}
		}
		out = append(out, t)
	}
	slices.SortFunc(out, domain.CompareFundingTotals)
	return out, nil
}

// fundingStatement builds FundingTotals' statement for a normalized query.
// It reads every financing: totals aggregate over all of them, and the
// optional filters are parameters tested per row, so one plan serves
// every combination of filters.
// fundingPlaces binds each financing's cities and countries, which only
// grouping or filtering by place needs: the subqueries per financing are
// most of the statement's cost, so each is left out where it is not
// needed, and the countries read each place once (a country, or a
// city's country; IN_COUNTRY always ends at a country).
func fundingPlaces(q domain.FundingQuery) string {
	cities, countries := "[]", "[]"
	if slices.Contains(q.Grouped(), domain.GroupByCity) || q.City != "" {
		cities = `COLLECT { MATCH (p)-[:LOCATED_IN]->(c:City) RETURN DISTINCT c.id }`
	}
	if slices.Contains(q.Grouped(), domain.GroupByCountry) || q.Country != "" {
		countries = `COLLECT {
				MATCH (p)-[:LOCATED_IN]->(x)
				UNWIND CASE WHEN x:Country THEN [x.id] ELSE COLLECT { MATCH (x)-[:IN_COUNTRY]->(k) RETURN k.id } END AS id
				RETURN DISTINCT id
			}`
	}
	return `WITH fb, f, p, ` + cities + ` AS cities, ` + countries + ` AS countries
		WHERE ($country = '' OR $country IN countries) AND ($city = '' OR $city IN cities)`
}

func fundingStatement(q domain.FundingQuery) (string, map[string]any) {
	return `
		MATCH (fb:FundingBody)-[f:FINANCED]->(p:Project)
		WHERE ($fundingBody = '' OR fb.id = $fundingBody)
			AND ($sector = '' OR p.sector = $sector)
			AND ($currency = '' OR f.currency = $currency)
			AND (($from = '' AND $to = '') OR (f.since IS NOT NULL
				AND ($from = '' OR f.since >= $from)
				AND ($to = '' OR f.since <= $to OR f.since STARTS WITH $to)))
		` + fundingPlaces(q) + fundingGroups(q) + `, f.currency AS currency, sum(f.amount) AS amount, count(DISTINCT p) AS projects, count(f) AS financings` +
			fundingGroupNodes(q) + `
		ORDER BY g, currency`, map[string]any{"fundingBody": q.FundingBody, "sector": string(q.Sector),
			"currency": string(q.Currency), "from": string(q.From), "to": string(q.To), "country": q.Country,
			"city": q.City, "groupBy": string(q.GroupBy)}
}

// fundingGroupOf is, per dimension, the list of groups a financing f of
// project p by fb is in (a project in two cities is in both).
var fundingGroupOf = map[domain.FundingGroup]string{
	domain.GroupByFundingBody: "[fb.id]",
	domain.GroupByCountry:     "countries",
	domain.GroupByCity:        "cities",
	domain.GroupBySector:      "[p.sector]",
	domain.GroupByYear:        "[CASE WHEN f.since IS NULL THEN '' ELSE left(f.since, 4) END]",
}

// fundingGroups binds each financing's groups and returns the start of the
// RETURN that totals them (a WITH when fundingGroupNodes follows): g, the
// first dimension's group, and with Dimensions gs, the list of every
// dimension's, one row per combination.
func fundingGroups(q domain.FundingQuery) string {
	clause := "RETURN"
	if q.GroupNodes {
		clause = "WITH"
	}
	if len(q.Dimensions) == 0 {
		return `
		WITH f, p, CASE $groupBy
			WHEN 'funding_body' THEN [fb.id]
			WHEN 'country' THEN countries
			WHEN 'city' THEN cities
			WHEN 'sector' THEN [p.sector]
			ELSE [CASE WHEN f.since IS NULL THEN '' ELSE left(f.since, 4) END] END AS groups
		UNWIND groups AS g
		` + clause + ` g`
	}
	lists, unwinds, gs := make([]string, len(q.Dimensions)), make([]string, len(q.Dimensions)), make([]string, len(q.Dimensions))
	for i, d := range q.Dimensions {
		n := strconv.Itoa(i)
		lists[i] = fundingGroupOf[d] + " AS d" + n
		unwinds[i] = "UNWIND d" + n + " AS g" + n
		gs[i] = "coalesce(g" + n + ", '')"
	}
	return `
		WITH f, p, ` + strings.Join(lists, ", ") + `
		` + strings.Join(unwinds, " ") + `
		` + clause + ` [` + strings.Join(gs, ", ") + `] AS gs, coalesce(g0, '') AS g`
}

// fundingGroupNodes reads, once per total, the node each node dimension's
// group names (by its kind's id index, in the fields GroupFields lists) as
// column n<i>, and returns the totals with them: the statement answers
// the groups' names itself, with no second read. Empty without GroupNodes.
func fundingGroupNodes(q domain.FundingQuery) string {
	if !q.GroupNodes {
		return ""
	}
	var b strings.Builder
	cols := "g, currency, amount, projects, financings"
	if len(q.Dimensions) > 0 {
		cols = "gs, " + cols
	}
	for i, d := range q.Grouped() {
		k, isNode := d.Kind()
		if !isNode {
			continue
		}
		n := strconv.Itoa(i)
		group := "g"
		if len(q.Dimensions) > 0 {
			group = "gs[" + n + "]"
		}
		b.WriteString("\n\t\tOPTIONAL MATCH (n" + n + ":" + string(k) + " {id: " + group + "})")
		cols += ", " + nodeExpr("n"+n, q.GroupFields, []domain.Kind{k}) + " AS n" + n
	}
	return b.String() + "\n\t\tRETURN " + cols
}

// fundingGroupNodesFrom reads a total's group nodes from its record (see
// fundingGroupNodes).
func fundingGroupNodesFrom(q domain.FundingQuery, rec *neo4j.Record) ([]domain.Node, error) {
	dims := q.Grouped()
	nodes := make([]domain.Node, len(dims))
	for i, d := range dims {
		if _, isNode := d.Kind(); !isNode {
			continue
		}
		v, err := get(rec, "n"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		if v == nil { // no node has the group's key
			continue
		}
		if nodes[i], err = nodeFrom(v); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}
