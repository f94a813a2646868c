package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/citygraph/citygraph/domain"
)

// haversine is the great-circle distance in km between the points in a and
// b, with domain's Earth radius: Neo4j's point.distance uses 6378.14 km,
// which would differ from the embedded store by 0.1%, so it only serves as
// the index-backed pre-filter.
func haversine(a, b string) string {
	return fmt.Sprintf(`(2 * 6371.0 * asin(sqrt(
		sin(radians(%[2]s.latitude - %[1]s.latitude) / 2) ^ 2 +
		cos(radians(%[1]s.latitude)) * cos(radians(%[2]s.latitude)) *
		sin(radians(%[2]s.longitude - %[1]s.longitude) / 2) ^ 2)))`, a, b)
}

// neo4jPerDomainKm converts a domain radius into Neo4j's point.distance
// metres, with slack so that the pre-filter never drops a city the exact
// haversine keeps.
const neo4jPerDomainKm = 1000 * 6378.14 / 6371.0 * (1 + 1e-9)

// asOf is the condition that relation variable r existed on $asOf.
func asOf(r string) string {
	return fmt.Sprintf("($asOf = '' OR %[1]s.since IS NULL OR %[1]s.since <= $asOf)", r)
}

// Near uses the point index on City.location for the radius, then the
// exact great-circle distance for the answer.
func (s *Store) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := nearStatement(q)
	recs, err := s.query(ctx, "finding nearby cities", cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, domain.Internal(fmt.Errorf("%d rows", len(recs)), "finding nearby cities")
	}
	if found, _ := recs[0].Get("found"); found != true {
		return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", q.City)
	}
	hits, _ := recs[0].Get("hits")
	out := []domain.NearCity{}
	for _, h := range asList(hits) {
		row := asList(h)
		if len(row) == 2 {
			id, _ := row[0].(string)
			d, _ := row[1].(float64)
			out = append(out, domain.NearCity{City: id, DistanceKm: d})
		}
	}
	return out, nil
}

// nearStatement builds Near's statement for a normalized query: the
// centre city by its unique id, the candidates by the point index.
func nearStatement(q domain.NearQuery) (string, map[string]any) {
	params := map[string]any{"city": q.City, "first": int64(q.First), "radius": q.RadiusKm * neo4jPerDomainKm,
		"radiusKm": q.RadiusKm, "lat": 0.0, "lon": 0.0, "byPoint": q.Point != nil}
	if q.Point != nil {
		params["lat"], params["lon"] = q.Point.Lat, q.Point.Lon
	}
	return `
		OPTIONAL MATCH (me:City {id: $city})
		WITH me, CASE WHEN $byPoint THEN point({latitude: $lat, longitude: $lon}) ELSE me.location END AS centre
		CALL (me, centre) {
			MATCH (o:City)
			WHERE point.distance(o.location, centre) <= $radius AND (me IS NULL OR o <> me)
			WITH o, ` + haversine("centre", "o.location") + ` AS d
			WHERE d <= $radiusKm
			ORDER BY d, o.id
			LIMIT $first
			RETURN collect([o.id, d]) AS hits
		}
		RETURN $byPoint OR me IS NOT NULL AS found, hits`, params
}

// luceneSpecial are the characters Lucene's query parser treats as syntax.
const luceneSpecial = `+-&|!(){}[]^"~*?:\/`

func escapeLucene(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(luceneSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stopWords is the English stop set the cjk analyzer drops; a search term
// found inside one of them cannot be required of the index.
var stopWords = strings.Fields("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with")

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// luceneQuery turns search text into a full-text query that every node the
// contract counts as a hit matches (a superset, scored exactly afterwards):
// for each word, each run of letters or digits must occur inside an indexed
// token (*run*), and each CJK character pair inside a bigram token. It
// returns "" when no term can be required (text of punctuation or stop
// words only), and the caller then scores every node.
func luceneQuery(text string) string {
	var terms []string
	add := func(t string) {
		if t == "" || slices.ContainsFunc(stopWords, func(w string) bool { return strings.Contains(w, t) }) {
			return
		}
		terms = append(terms, "*"+escapeLucene(t)+"*")
	}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		var run []rune
		var cjk []rune
		flush := func() {
			add(string(run))
			run = run[:0]
			if len(cjk) == 1 {
				add(string(cjk))
			}
			for i := 0; i+1 < len(cjk); i++ {
				add(string(cjk[i : i+2]))
			}
			cjk = cjk[:0]
		}
		for _, r := range w {
			switch {
			case isCJK(r):
				if len(run) > 0 {
					add(string(run))
					run = run[:0]
				}
				cjk = append(cjk, r)
			case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
				if len(cjk) > 0 {
					flush()
				}
				run = append(run, r)
			default:
				flush()
			}
		}
		flush()
	}
	return strings.Join(slices.Compact(terms), " AND ")
}

// Search looks the text up in the full-text index (cjk analyzer) and scores
// the candidates exactly as the contract says: 3 exact name, Chinese name
// or alias; 2 prefix of one; 1 substring of one or of the description;
// 0.5 every word found. Ties by kind, then slug (the key's order).
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := searchStatement(q)
	recs, err := s.query(ctx, "searching", cypher, params)
	if err != nil {
		return nil, err
	}
	out := []domain.SearchHit{}
	for _, rec := range recs {
		k, err := domain.ParseNodeKey(getStr(rec, "key"))
		if err != nil {
			return nil, domain.Internal(err, "searching")
		}
		sc, _ := rec.Get("score")
		f, _ := sc.(float64)
		out = append(out, domain.SearchHit{Key: k, Score: f})
	}
	return out, nil
}

// searchStatement builds Search's statement for a normalized query: the
// candidates come from the full-text index and are scored exactly here.
func searchStatement(q domain.SearchQuery) (string, map[string]any) {
	t := strings.ToLower(q.Text)
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	params := map[string]any{"t": t, "words": strings.Fields(t), "kinds": kinds, "first": int64(q.First),
		"index": fulltextIndex, "lucene": luceneQuery(q.Text)}
	candidates := "CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node AS n"
	if params["lucene"] == "" {
		candidates = "MATCH (n:Entity)" // nothing to look up: score everything (rare: punctuation only)
	}
	return candidates + `
		WITH n WHERE size($kinds) = 0 OR any(l IN labels(n) WHERE l IN $kinds)
		WITH n, [x IN [n.name, coalesce(n.nameZh, '')] + coalesce(n.aliases, []) | toLower(x)] AS names,
			toLower(coalesce(n.description, '')) AS d
		WITH n, names, names + [d] AS texts
		WITH n, CASE
			WHEN $t IN names THEN 3.0
			WHEN any(x IN names WHERE x <> '' AND x STARTS WITH $t) THEN 2.0
			WHEN any(x IN texts WHERE x CONTAINS $t) THEN 1.0
			WHEN size($words) >= 2 AND all(w IN $words WHERE any(x IN texts WHERE x CONTAINS w)) THEN 0.5
			ELSE 0.0 END AS score
		WHERE score > 0
		RETURN n.key AS key, score
		ORDER BY score DESC, key
		LIMIT $first`, params
}

// rankedCities matches the cities a ranking covers. With a country or a
// grouping it starts from that node's unique index and expands to its
// cities; only an unfiltered ranking reads every city. The SEEK hints are
// there because on a newly loaded database the planner, estimating from
// fresh statistics, sometimes scanned every Country's index entry and
// filtered instead of seeking the one asked for (seen in CI); a plain
// index hint let it keep that scan.
func rankedCities(q domain.RankQuery) string {
	switch {
	case q.Country != "" && q.Grouping != "":
		return `MATCH (:Grouping {id: $grouping})<-[:MEMBER_OF]-(k:Country {id: $country})<-[:IN_COUNTRY]-(c:City)
		USING INDEX SEEK k:Country(id)`
	case q.Country != "":
		return `MATCH (k:Country {id: $country})<-[:IN_COUNTRY]-(c:City) USING INDEX SEEK k:Country(id)`
	case q.Grouping != "":
		return `MATCH (g:Grouping {id: $grouping})<-[:MEMBER_OF]-(:Country)<-[:IN_COUNTRY]-(c:City) USING INDEX SEEK g:Grouping(id)`
	}
	return `MATCH (c:City)`
}

// RankCities computes each city's value in a subquery, drops zeros, and
// orders by value then slug; competition ranks are numbered here.
func (s *Store) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := rankStatement(q)
	recs, err := s.query(ctx, "ranking cities", cypher, params)
	if err != nil {
		return nil, err
	}
	out := []domain.RankedCity{}
	for i, rec := range recs {
		rc := domain.RankedCity{City: getStr(rec, "city"), Value: getInt(rec, "v"), Rank: i + 1}
		if i > 0 && rc.Value == out[i-1].Value {
			rc.Rank = out[i-1].Rank
		}
		out = append(out, rc)
	}
	return out, nil
}

// rankStatement builds RankCities' statement for a normalized query. It
// reads every city it ranks (all of them, or a country's or grouping's,
// reached from that node): a ranking needs each candidate's value, and
// the values are degrees or expansions from each city.
func rankStatement(q domain.RankQuery) (string, map[string]any) {
	// Without asOf a count is the city's degree for one relationship type:
	// Neo4j reads that from the node's degree store without expanding a
	// relationship (measured at 100,000 cities: see docs/benchmarks.md).
	// The far ends need no check: domain.EdgeRules only lets a city
	// partner a city, attend a forum and sign an agreement.
	var value string
	switch {
	case q.Metric == domain.RankByPartners && q.AsOf == "":
		value = "count { (c)-[:PARTNER_OF]-() }"
	case q.Metric == domain.RankByForums && q.AsOf == "":
		value = "count { (c)-[:ATTENDED]->() }"
	case q.Metric == domain.RankByAgreements && q.AsOf == "":
		value = "count { (c)-[:SIGNED]->() }"
	case q.Metric == domain.RankByPartners:
		value = "count { (c)-[r:PARTNER_OF]-() WHERE " + asOf("r") + " }"
	case q.Metric == domain.RankByForums:
		value = "count { (c)-[r:ATTENDED]->() WHERE " + asOf("r") + " }"
	case q.Metric == domain.RankByAgreements:
		value = "count { (c)-[r:SIGNED]->() WHERE " + asOf("r") + " }"
	default:
		value = `COLLECT { MATCH (c)<-[:LOCATED_IN]-(:Project)<-[r:FINANCED]-(:FundingBody)
			WHERE r.currency = $currency AND ` + asOf("r") + ` RETURN sum(r.amount) }[0]`
	}
	return `
		` + rankedCities(q) + `
		WITH c, ` + value + ` AS v
		WHERE v > 0
		RETURN c.id AS city, v
		ORDER BY v DESC, city
		LIMIT $first`, map[string]any{"country": q.Country, "grouping": q.Grouping, "asOf": string(q.AsOf),
			"currency": string(q.Currency), "first": int64(q.First)}
}

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
		out = append(out, domain.FundingTotal{Group: getStr(rec, "g"), Currency: domain.Currency(getStr(rec, "currency")),
			Amount: domain.Decimal(getInt(rec, "amount")), Projects: int(getInt(rec, "projects")),
			Financings: int(getInt(rec, "financings"))})
	}
	return out, nil
}

// fundingStatement builds FundingTotals' statement for a normalized query.
// It reads every financing: totals aggregate over all of them, and the
// optional filters are parameters tested per row, so one plan serves
// every combination of filters.
// fundingPlaces binds each financing's cities and countries, which only
// grouping or filtering by place needs: the two subqueries per financing
// are most of the statement's cost, so the other groupings leave them out.
func fundingPlaces(q domain.FundingQuery) string {
	if q.GroupBy != domain.GroupByCountry && q.GroupBy != domain.GroupByCity && q.Country == "" && q.City == "" {
		return `WITH fb, f, p, [] AS cities, [] AS countries`
	}
	return `WITH fb, f, p,
			COLLECT { MATCH (p)-[:LOCATED_IN]->(c:City) RETURN DISTINCT c.id } AS cities,
			COLLECT {
				MATCH (p)-[:LOCATED_IN]->(x:Country) RETURN x.id AS id
				UNION
				MATCH (p)-[:LOCATED_IN]->(:City)-[:IN_COUNTRY]->(x:Country) RETURN x.id AS id
			} AS countries
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
		` + fundingPlaces(q) + `
		WITH f, p, CASE $groupBy
			WHEN 'funding_body' THEN [fb.id]
			WHEN 'country' THEN countries
			WHEN 'city' THEN cities
			WHEN 'sector' THEN [p.sector]
			ELSE [CASE WHEN f.since IS NULL THEN '' ELSE left(f.since, 4) END] END AS groups
		UNWIND groups AS g
		RETURN g, f.currency AS currency, sum(f.amount) AS amount, count(DISTINCT p) AS projects, count(f) AS financings
		ORDER BY g, currency`, map[string]any{"fundingBody": q.FundingBody, "sector": string(q.Sector),
			"currency": string(q.Currency), "from": string(q.From), "to": string(q.To), "country": q.Country,
			"city": q.City, "groupBy": string(q.GroupBy)}
}

// SuggestPartners gathers what each other city shares with q.City (forums
// attended, agreements signed, funding bodies financing projects in both),
// drops its partners, and scores and orders in Cypher.
func (s *Store) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := suggestStatement(q)
	recs, err := s.query(ctx, "suggesting partners", cypher, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, domain.Internal(fmt.Errorf("%d rows", len(recs)), "suggesting partners")
	}
	if found, _ := recs[0].Get("found"); found != true {
		return nil, domain.Errorf(domain.ENOTFOUND, "city %q does not exist", q.City)
	}
	items, _ := recs[0].Get("items")
	out := []domain.Suggestion{}
	for _, x := range asList(items) {
		row := asList(x)
		if len(row) != 4 {
			continue
		}
		sg := domain.Suggestion{}
		sg.City, _ = row[0].(string)
		sc, _ := row[1].(int64)
		sg.Score = int(sc)
		if d, ok := row[2].(float64); ok {
			sg.DistanceKm = &d
		}
		for _, sh := range asList(row[3]) {
			pair := asList(sh)
			if len(pair) != 2 {
				continue
			}
			kind, _ := pair[0].(string)
			via, _ := pair[1].(string)
			switch kind {
			case "forum":
				sg.SharedForums = append(sg.SharedForums, via)
			case "agreement":
				sg.SharedAgreements = append(sg.SharedAgreements, via)
			case "funder":
				sg.SharedFunders = append(sg.SharedFunders, via)
			}
		}
		slices.Sort(sg.SharedForums)
		slices.Sort(sg.SharedAgreements)
		slices.Sort(sg.SharedFunders)
		out = append(out, sg)
	}
	return out, nil
}

// suggestStatement builds SuggestPartners' statement for a normalized
// query: the city by its unique id, everything else by expansion from it.
func suggestStatement(q domain.SuggestQuery) (string, map[string]any) {
	return `
		OPTIONAL MATCH (me:City {id: $city})
		CALL (me) {
			CALL (me) {
				MATCH (me)-[r1:ATTENDED]->(v:Forum)<-[r2:ATTENDED]-(o:City)
				WHERE ` + asOf("r1") + ` AND ` + asOf("r2") + `
				RETURN o, 'forum' AS kind, v.id AS via
				UNION
				MATCH (me)-[r1:SIGNED]->(v:Agreement)<-[r2:SIGNED]-(o:City)
				WHERE ` + asOf("r1") + ` AND ` + asOf("r2") + `
				RETURN o, 'agreement' AS kind, v.id AS via
				UNION
				MATCH (me)<-[:LOCATED_IN]-(:Project)<-[r1:FINANCED]-(v:FundingBody)
				WHERE ` + asOf("r1") + `
				WITH DISTINCT me, v
				MATCH (v)-[r2:FINANCED]->(:Project)-[:LOCATED_IN]->(o:City)
				WHERE ` + asOf("r2") + `
				RETURN o, 'funder' AS kind, v.id AS via
			}
			WITH me, o, kind, via
			WHERE o <> me AND NOT EXISTS { (me)-[r:PARTNER_OF]-(o) WHERE ` + asOf("r") + ` }
			WITH me, o, collect([kind, via]) AS shared
			WITH o, shared,
				size([x IN shared WHERE x[0] = 'agreement']) * $wa + size([x IN shared WHERE x[0] = 'forum']) * $wf +
				size([x IN shared WHERE x[0] = 'funder']) * $wfb AS score,
				CASE WHEN me.location IS NULL OR o.location IS NULL THEN null
					ELSE ` + haversine("me.location", "o.location") + ` END AS d
			ORDER BY score DESC, d, o.id
			LIMIT $first
			RETURN collect([o.id, score, d, shared]) AS items
		}
		RETURN me IS NOT NULL AS found, items`, map[string]any{"city": q.City, "asOf": string(q.AsOf),
			"first": int64(q.First), "wa": int64(domain.WeightSharedAgreement), "wf": int64(domain.WeightSharedForum),
			"wfb": int64(domain.WeightSharedFunder)}
}

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
