package graph_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/graph"
)

// TestParamsFromBody pins what a POST body's parameters decode to and the
// exact message each malformed body gets, whatever decoder reads them.
func TestParamsFromBody(t *testing.T) {
	h := graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	jsonBody := http.Header{"Content-Type": {"application/json"}}
	refused := []struct {
		name, body, wantMsg string
	}{
		{"trailing garbage", `{"query": "{ __typename }"} ECHO-ME`, "the request body is not valid JSON: syntax error at byte 29"},
		{"a trailing brace", `{"query": "{ __typename }"}}`, "the request body is not valid JSON: syntax error at byte 28"},
		{"a second object", `{"query": "{ __typename }"} {"query": "{ __typename }"}`, "the request body is not valid JSON: syntax error at byte 29"},
		{"a body cut short", `{"query": "{ __typename }", "variables": {"a": [1, 2`, "the request body is not valid JSON: syntax error at byte 52"},
		{"a bad character inside", `{"query": "{ __typename }", "variables": {"a": tru}}`, "the request body is not valid JSON: syntax error at byte 51"},
		{"a key in another case is not the query", `{"Query": "{ __typename }"}`, `the request has no query; send a JSON object such as {"query": "{ __typename }"}`},
		{"a null query", `{"query": null}`, `the request has no query; send a JSON object such as {"query": "{ __typename }"}`},
		{"a query that is a number", `{"query": 7}`, "query must be a string, not a number"},
		{"a query that is an object", `{"query": {}}`, "query must be a string, not an object"},
		{"variables that are an array", `{"query": "{ __typename }", "variables": [1]}`, "variables must be a JSON object or null, not an array"},
		{"variables that are a boolean", `{"query": "{ __typename }", "variables": true}`, "variables must be a JSON object or null, not a boolean"},
		{"extensions that are a string", `{"query": "{ __typename }", "extensions": "x"}`, "extensions must be a JSON object or null, not a string"},
		{"an operation name that is an array", `{"query": "{ __typename }", "operationName": []}`, "operationName must be a string, not an array"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			rec, resp := do(t, h, "POST", "/graphql", jsonBody, strings.NewReader(tc.body))
			if rec.Code != http.StatusBadRequest || len(resp.Errors) != 1 {
				t.Fatalf("got %d %s, want 400 and one error", rec.Code, truncate(rec.Body.String()))
			}
			if got := resp.Errors[0].Message; got != tc.wantMsg {
				t.Errorf("message = %q, want %q", got, tc.wantMsg)
			}
		})
	}

	served := []struct {
		name, body, want string
	}{
		{"null variables and extensions", `{"query": "{ __typename }", "variables": null, "extensions": null, "operationName": null}`, `{"data":{"__typename":"Query"}}`},
		{"the last of duplicate keys", `{"query": "{ nope }", "query": "{ __typename }"}`, `{"data":{"__typename":"Query"}}`},
		{"keys it does not know", `{"query": "{ __typename }", "marker": [1, {"a": null}]}`, `{"data":{"__typename":"Query"}}`},
		{"an exact large number as a variable", `{"query": "query($n: Int) { cities(first: $n) { totalCount } }", "variables": {"n": 12345678901234567890}}`, `cannot use value 9223372036854775807 as Int`},
		{"a named operation", `{"query": "query A { __typename } query B { b: __typename }", "operationName": "B"}`, `{"data":{"b":"Query"}}`},
	}
	for _, tc := range served {
		t.Run(tc.name, func(t *testing.T) {
			rec, _ := do(t, h, "POST", "/graphql", jsonBody, strings.NewReader(tc.body))
			if !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("got %d %s, want it to hold %s", rec.Code, truncate(rec.Body.String()), tc.want)
			}
		})
	}
}
