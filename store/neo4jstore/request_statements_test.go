package neo4jstore

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/synth"
)

// TestStatementsPerRequest counts the statements whole GraphQL requests
// send to Neo4j through the handler: exactly one for every query the
// planner answers whole and for funding totals, whose statement also reads
// the nodes their groups name; two for the other analytics that name
// nodes (their own statement, then one plan for those nodes).
func TestStatementsPerRequest(t *testing.T) {
	s := loadPlanGraph(t)
	c := countStatements(s)
	h := graph.NewHandler(s, slog.New(slog.DiscardHandler), graph.DefaultLimits, graph.DefaultExposure)
	vars := map[string]any{"city": "city-00042", "country": synth.Country(1), "body": synth.FundingBodies[0]}
	cases := []struct {
		name, query string
		statements  int
		// names is a part of the answer that shows the named nodes were read.
		names string
	}{
		{"a city and its partners (two levels)", `query($city: String!) { city(slug: $city) { id name partners(first: 100) { totalCount
			edges { kind since node { id name partners(first: 50) { totalCount edges { node { id name } } } } } } } }`, 1, `"totalCount"`},
		{"country, 20 cities, 10 partners each, their country", `query($country: String!) { country(code: $country) { name
			cities(first: 20) { edges { node { name partners(first: 10) { edges { node { name country { code name } } } } } } } } }`, 1, `"code"`},
		{"the cities of a country with their partner count", `query($country: String!) { country(code: $country) { name
			cities(first: 100) { totalCount edges { node { name partners { totalCount } } } } } }`, 1, `"totalCount"`},
		{"a funding body's financings with each project's places", `query($body: String!) { fundingBody(slug: $body) { name
			financings(first: 100) { totalCount edges { amount { amount currency } node { name
			locations { __typename ... on City { name country { code } } ... on Country { code name } } } } } } }`, 1, `"locations"`},
		{"a funding body's totals per country (totals-by-country)", `query($body: String!) { fundingTotals(groupBy: COUNTRY, fundingBody: $body) {
			group groupName total { amount currency } projects financings } }`, 1, `"groupName":"`},
		{"totals by body and city, named in their groups", `query($country: String!) { fundingTotals(groupBy: [FUNDING_BODY, CITY], country: $country) {
			groupName groups { by groupName } total { amount } } }`, 1, `"groupName":"`},
		{"totals by sector and year, which name no node", `{ fundingTotals(groupBy: [SECTOR, YEAR]) { group total { amount } } }`, 1, `"group"`},
		{"a city ranking (still two)", `query($country: String!) { cityRanking(by: PARTNERS, country: $country, first: 5) { rank city { name } } }`, 2, `"name":"`},
		{"search (still two)", `{ search(text: "city", first: 5) { node { id ... on City { name } } } }`, 2, `"name":"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"query": tc.query, "variables": vars})
			if err != nil {
				t.Fatal(err)
			}
			c.take()
			r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			sent := c.take()
			answer, _ := io.ReadAll(w.Body)
			if w.Code != http.StatusOK || bytes.Contains(answer, []byte(`"errors"`)) || !bytes.Contains(answer, []byte(tc.names)) {
				t.Fatalf("got status %d and %.600s; want 200, no errors and %s in the answer", w.Code, answer, tc.names)
			}
			if len(sent) != tc.statements {
				t.Errorf("the request sent %d statements, want %d:\n%q", len(sent), tc.statements, sent)
			}
		})
	}
}
