package peer

import (
	"strings"

	"github.com/citygraph/citygraph/synth"
)

// A Query is one shape of the benchmark, written for each side: for
// citygraph's schema, for the peer's type definitions, and as one
// hand-written Cypher statement (the floor) that returns the canonical
// answer in its column "answer". Canonical answers use global IDs ("Kind:slug")
// and keep the order the query defines; lists whose order no query defines are
// sorted by ID (see canonical.go).
type Query struct {
	Name  string
	Shape string // what it asks, for the table
	// Citygraph is the operation for citygraph's /graphql.
	Citygraph string
	// Peer is the operation for @neo4j/graphql.
	Peer string
	// Cypher is the floor: one statement through the Go driver.
	Cypher string
	// Params are the GraphQL variables of both operations and the floor's parameters.
	Params map[string]any
	// fromCitygraph and fromPeer turn a side's data into the canonical answer.
	fromCitygraph func(data any) any
	fromPeer      func(data any) any
}

// byNameThenKey is the peer's order for every relation list: citygraph
// orders relations by the other end's name, then its key.
const byNameThenKey = `sort: [{node: {name: ASC}}, {node: {key: ASC}}]`

func peerOp(s string) string { return strings.ReplaceAll(s, "SORT", byNameThenKey) }

// Anchors are the nodes the queries start from (slugs; an ISO code).
type Anchors struct {
	City, Forum, Country, FundingBody string
}

// BenchAnchors are the benchmark's anchors in the graph Load writes with
// 10,000 synthetic cities: the city with the most partners (26, and 255 at
// two levels), a forum with 17 attendees, 3 organisers and an appeal, a
// synthetic country with 244 cities, and the synthetic AIIB (513
// financings). They are synthetic keys: when synth changes, choose them
// again.
var BenchAnchors = Anchors{City: "city-05343", Forum: "forum-0024", Country: synth.Country(1), FundingBody: synth.FundingBodies[0]}

// SeedAnchors are anchors of the seed data, present in a graph of any
// size: Nanning, the 2015 China–ASEAN Mayors Forum, China and AIIB.
var SeedAnchors = Anchors{City: "nanning", Forum: "cam-2015", Country: "CN", FundingBody: "aiib"}

// Queries returns the benchmark's queries from the given anchors.
func Queries(a Anchors) []Query {
	return []Query{
		{
			Name:  "partners-2",
			Shape: "a city, its partners (100), and theirs (50 each)",
			Citygraph: `query Partners2($city: String!) { city(slug: $city) { id name partners(first: 100) { totalCount
			edges { kind since node { id name partners(first: 50) { totalCount edges { node { id name } } } } } } } }`,
			Peer: peerOp(`query Partners2($city: String!) { cities(where: {id: {eq: $city}}) { key name
			partnersConnection(first: 100, SORT) { totalCount edges { properties { partnershipKind since }
				node { key name partnersConnection(first: 50, SORT) { totalCount edges { node { key name } } } } } } } }`),
			Cypher: `MATCH (c:City {id: $city})
			RETURN {id: c.key, name: c.name, total: COUNT { (c)-[:PARTNER_OF]-(:City) },
				partners: COLLECT { MATCH (c)-[r:PARTNER_OF]-(p:City) WITH r, p ORDER BY p.name, p.key LIMIT 100
					RETURN {id: p.key, name: p.name, kind: r.partnershipKind, since: r.since,
						total: COUNT { (p)-[:PARTNER_OF]-(:City) },
						partners: COLLECT { MATCH (p)-[:PARTNER_OF]-(q:City) WITH q ORDER BY q.name, q.key LIMIT 50
							RETURN {id: q.key, name: q.name} } } } } AS answer`,
			Params: map[string]any{"city": a.City},
			fromCitygraph: func(d any) any {
				c := at(d, "city")
				return partnersAnswer(c, "id", func(e any) (any, any) { return at(e, "kind"), at(e, "since") }, "partners")
			},
			fromPeer: func(d any) any {
				c := first(at(d, "cities"))
				return partnersAnswer(c, "key", func(e any) (any, any) {
					return at(e, "properties", "partnershipKind"), at(e, "properties", "since")
				}, "partnersConnection")
			},
		},
		{
			Name:  "forum",
			Shape: "a forum with its organisers, attendees and the bodies it called on",
			Citygraph: `query Forum($forum: String!) { forum(slug: $forum) { id name
			organisers(first: 100) { edges { role node { id name } } }
			attendees(first: 100) { totalCount edges { node { ... on City { id name } ... on Organization { id name } } } }
			calledOn(first: 100) { edges { request node { id name acronym } } } } }`,
			Peer: `query Forum($forum: String!) { forums(where: {id: {eq: $forum}}) { key name
			organisersConnection(first: 100) { edges { properties { role } node { key name } } }
			attendeesConnection(first: 100) { totalCount edges { node { ... on City { key name } ... on Organization { key name } } } }
			calledOnConnection(first: 100) { edges { properties { request } node { key name acronym } } } } }`,
			Cypher: `MATCH (f:Forum {id: $forum})
			RETURN {id: f.key, name: f.name,
				organisers: COLLECT { MATCH (o:Organization)-[r:ORGANISED]->(f) RETURN {id: o.key, name: o.name, role: r.role} },
				attendees: {total: COUNT { (a)-[:ATTENDED]->(f) WHERE a:City OR a:Organization },
					items: COLLECT { MATCH (a)-[:ATTENDED]->(f) WHERE a:City OR a:Organization
						WITH a ORDER BY a.name, a.key LIMIT 100 RETURN {id: a.key, name: a.name} }},
				calledOn: COLLECT { MATCH (f)-[r:CALLED_ON]->(b:FundingBody)
					RETURN {id: b.key, name: b.name, acronym: b.acronym, request: r.request} } } AS answer`,
			Params: map[string]any{"forum": a.Forum},
			fromCitygraph: func(d any) any {
				f := at(d, "forum")
				return forumAnswer(f, "id", "organisers", "attendees", "calledOn", func(e any) any { return at(e, "role") },
					func(e any) any { return at(e, "request") })
			},
			fromPeer: func(d any) any {
				f := first(at(d, "forums"))
				return forumAnswer(f, "key", "organisersConnection", "attendeesConnection", "calledOnConnection",
					func(e any) any { return at(e, "properties", "role") }, func(e any) any { return at(e, "properties", "request") })
			},
		},
		{
			Name:  "country-cities",
			Shape: "the cities of a country, each with its partner count",
			Citygraph: `query CountryCities($country: String!) { country(code: $country) { id name cities(first: 100) { totalCount
			edges { node { id name partners { totalCount } } } } } }`,
			Peer: peerOp(`query CountryCities($country: String!) { countries(where: {id: {eq: $country}}) { key name
			citiesConnection(first: 100, SORT) { totalCount edges { node { key name partnersConnection { totalCount } } } } } }`),
			Cypher: `MATCH (k:Country {id: $country})
			RETURN {id: k.key, name: k.name, total: COUNT { (k)<-[:IN_COUNTRY]-(:City) },
				cities: COLLECT { MATCH (k)<-[:IN_COUNTRY]-(c:City) WITH c ORDER BY c.name, c.key LIMIT 100
					RETURN {id: c.key, name: c.name, partners: COUNT { (c)-[:PARTNER_OF]-(:City) }} } } AS answer`,
			Params: map[string]any{"country": a.Country},
			fromCitygraph: func(d any) any {
				return countryCitiesAnswer(at(d, "country"), "id", "cities", "partners")
			},
			fromPeer: func(d any) any {
				return countryCitiesAnswer(first(at(d, "countries")), "key", "citiesConnection", "partnersConnection")
			},
		},
		{
			Name:  "financings",
			Shape: "a funding body's first 100 financings with each project's places",
			Citygraph: `query Financings($body: String!) { fundingBody(slug: $body) { id name financings(first: 100) { totalCount
			edges { amount { amount currency } approved
				node { id name locations { ... on City { id name } ... on Country { id name } } } } } } }`,
			Peer: peerOp(`query Financings($body: String!) { fundingBodies(where: {id: {eq: $body}}) { key name
			financedConnection(first: 100, SORT) { totalCount edges { properties { amount currency since }
				node { key name locations { ... on City { key name } ... on Country { key name } } } } } } }`),
			Cypher: `MATCH (b:FundingBody {id: $body})
			RETURN {id: b.key, name: b.name, total: COUNT { (b)-[:FINANCED]->(:Project) },
				financings: COLLECT { MATCH (b)-[f:FINANCED]->(p:Project) WITH f, p ORDER BY p.name, p.key LIMIT 100
					RETURN {id: p.key, name: p.name, amount: f.amount, currency: f.currency, since: f.since,
						places: COLLECT { MATCH (p)-[:LOCATED_IN]->(x) WHERE x:City OR x:Country RETURN {id: x.key, name: x.name} } } } }
			AS answer`,
			Params: map[string]any{"body": a.FundingBody},
			fromCitygraph: func(d any) any {
				return financingsAnswer(at(d, "fundingBody"), "id", "financings", func(e any) (any, any, any) {
					return at(e, "amount", "amount"), at(e, "amount", "currency"), at(e, "approved")
				})
			},
			fromPeer: func(d any) any {
				return financingsAnswer(first(at(d, "fundingBodies")), "key", "financedConnection", func(e any) (any, any, any) {
					return hundredths(at(e, "properties", "amount")), at(e, "properties", "currency"), at(e, "properties", "since")
				})
			},
		},
		{
			Name:  "three-levels",
			Shape: "country → 20 cities → 10 partners each → their country",
			Citygraph: `query ThreeLevels($country: String!) { country(code: $country) { cities(first: 20) { edges { node { id name
			partners(first: 10) { edges { node { id name country { id name } } } } } } } } }`,
			Peer: peerOp(`query ThreeLevels($country: String!) { countries(where: {id: {eq: $country}}) { citiesConnection(first: 20, SORT) { edges { node { key name
			partnersConnection(first: 10, SORT) { edges { node { key name country { key name } } } } } } } } }`),
			Cypher: `MATCH (k:Country {id: $country})
			RETURN COLLECT { MATCH (k)<-[:IN_COUNTRY]-(c:City) WITH c ORDER BY c.name, c.key LIMIT 20
				RETURN {id: c.key, name: c.name,
					partners: COLLECT { MATCH (c)-[:PARTNER_OF]-(p:City) WITH p ORDER BY p.name, p.key LIMIT 10
						RETURN {id: p.key, name: p.name,
							country: head(COLLECT { MATCH (p)-[:IN_COUNTRY]->(x:Country) RETURN {id: x.key, name: x.name} })} } } } AS answer`,
			Params: map[string]any{"country": a.Country},
			fromCitygraph: func(d any) any {
				return threeLevelsAnswer(at(d, "country"), "id", "cities", "partners", func(n any) any { return at(n, "country") })
			},
			fromPeer: func(d any) any {
				return threeLevelsAnswer(first(at(d, "countries")), "key", "citiesConnection", "partnersConnection",
					func(n any) any { return first(at(n, "country")) })
			},
		},
		{
			Name:  "totals-by-country",
			Shape: "a funding body's totals per country and currency",
			Citygraph: `query TotalsByCountry($body: String!) { fundingTotals(groupBy: COUNTRY, fundingBody: $body) {
			group groupName total { amount currency } projects financings } }`,
			// The peer cannot group: this is a @cypher field of its type
			// definitions (peer/typeDefs.graphql), the library's own way out.
			Peer: `query TotalsByCountry($body: String!) { fundingBodies(where: {id: {eq: $body}}) {
			totalsByCountry { country countryName currency amount projects financings } } }`,
			Cypher: `MATCH (b:FundingBody {id: $body})-[f:FINANCED]->(p:Project)
			WITH f, p, COLLECT {
					MATCH (p)-[:LOCATED_IN]->(x:Country) RETURN x.id AS id
					UNION
					MATCH (p)-[:LOCATED_IN]->(:City)-[:IN_COUNTRY]->(x:Country) RETURN x.id AS id
				} AS countries
			UNWIND countries AS g
			WITH g, f.currency AS currency, sum(f.amount) AS amount, count(DISTINCT p) AS projects, count(f) AS financings
			OPTIONAL MATCH (k:Country {id: g})
			WITH {group: g, name: k.name, currency: currency, amount: amount, projects: projects, financings: financings} AS t
			ORDER BY t.group, t.currency
			RETURN collect(t) AS answer`,
			Params: map[string]any{"body": a.FundingBody},
			fromCitygraph: func(d any) any {
				return totalsAnswer(at(d, "fundingTotals"), func(t any) (any, any, any, any) {
					return at(t, "group"), at(t, "groupName"), at(t, "total", "currency"), at(t, "total", "amount")
				})
			},
			fromPeer: func(d any) any {
				return totalsAnswer(at(first(at(d, "fundingBodies")), "totalsByCountry"), func(t any) (any, any, any, any) {
					return at(t, "country"), at(t, "countryName"), at(t, "currency"), hundredths(at(t, "amount"))
				})
			},
		},
	}
}
