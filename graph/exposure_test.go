package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// gqlResponse is a GraphQL response as a client reads it.
type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// codes returns the errors' extensions.code values.
func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

func (r gqlResponse) messages() string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Message)
	}
	return strings.Join(out, " | ")
}

// exchange sends req to h with a telemetry record in its context and
// returns the decoded response and the refusal the record holds.
func exchange(t *testing.T, h http.Handler, req *http.Request) (gqlResponse, telemetry.Reason) {
	t.Helper()
	rec := &telemetry.Request{}
	req = req.WithContext(telemetry.WithRequest(req.Context(), rec))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var resp gqlResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("%s %s: response is not JSON: %v: %s", req.Method, req.URL, err, truncate(w.Body.String()))
	}
	_, _, refusal, _ := rec.Snapshot()
	return resp, refusal
}

// postJSON sends body (any JSON value) as a GraphQL POST.
func postJSON(t *testing.T, h http.Handler, body any) (gqlResponse, telemetry.Reason) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	return exchange(t, h, req)
}

// getQuery sends params as a GraphQL GET.
func getQuery(t *testing.T, h http.Handler, params url.Values) (gqlResponse, telemetry.Reason) {
	t.Helper()
	return exchange(t, h, httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func apq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestIntrospectionSwitch(t *testing.T) {
	st := projectStore(t)
	on := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	closed := graph.DefaultExposure
	closed.Introspection = false
	off := graph.NewHandler(st, quietLog(), graph.DefaultLimits, closed)

	introspective := []struct{ name, query string }{
		{"__schema", `{ __schema { queryType { name } } }`},
		{"__type", `{ __type(name: "City") { name } }`},
		{"__schema beside a field", `{ city(slug: "nanning") { name } __schema { types { name } } }`},
		{"__type in a fragment spread", `query { ...Q } fragment Q on Query { __type(name: "City") { fields { name } } }`},
		{"__schema in an inline fragment", `{ ... on Query { __schema { queryType { name } } } }`},
	}
	for _, tc := range introspective {
		t.Run("on answers "+tc.name, func(t *testing.T) {
			resp, _ := postJSON(t, on, map[string]any{"query": tc.query})
			if len(resp.Errors) > 0 {
				t.Fatalf("errors = %s, want none", resp.messages())
			}
			if len(resp.Data) == 0 {
				t.Errorf("no data")
			}
		})
		t.Run("off refuses "+tc.name, func(t *testing.T) {
			resp, _ := postJSON(t, off, map[string]any{"query": tc.query})
			if got := resp.codes(); len(got) != 1 || got[0] != graph.CodeIntrospectionDisabled {
				t.Fatalf("codes = %v (%s), want [%s]", got, resp.messages(), graph.CodeIntrospectionDisabled)
			}
			if !strings.Contains(resp.messages(), "introspection is switched off") {
				t.Errorf("message = %q, want it to say introspection is switched off", resp.messages())
			}
			if resp.Data != nil {
				t.Errorf("data = %v, want none: the operation must not run", resp.Data)
			}
		})
	}
	t.Run("off still answers __typename and plain queries", func(t *testing.T) {
		resp, _ := postJSON(t, off, map[string]any{"query": `{ __typename city(slug: "nanning") { __typename name } }`})
		if len(resp.Errors) > 0 {
			t.Fatalf("errors = %s, want none", resp.messages())
		}
		if got := at(t, resp.Data, "city", "name"); got != "Nanning" {
			t.Errorf("city.name = %v, want Nanning", got)
		}
	})
	t.Run("off answers with a validation failure's status", func(t *testing.T) {
		status := func(q string) int {
			req := httptestPost(`{"query": "` + q + `"}`)
			req.Header.Set("Accept", "application/graphql-response+json")
			w := httptest.NewRecorder()
			off.ServeHTTP(w, req)
			return w.Code
		}
		refused, invalid := status(`{ __schema { queryType { name } } }`), status(`{ mayor }`)
		if refused != invalid || refused < 400 {
			t.Errorf("status = %d, want %d as for a validation failure", refused, invalid)
		}
	})
	t.Run("off refuses by GET too", func(t *testing.T) {
		resp, _ := getQuery(t, off, url.Values{"query": {`{ __schema { queryType { name } } }`}})
		if got := resp.codes(); len(got) != 1 || got[0] != graph.CodeIntrospectionDisabled {
			t.Errorf("codes = %v (%s), want [%s]", got, resp.messages(), graph.CodeIntrospectionDisabled)
		}
	})
}

func TestSuggestionsSwitch(t *testing.T) {
	st := projectStore(t)
	on := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	quiet := graph.DefaultExposure
	quiet.Suggestions = false
	off := graph.NewHandler(st, quietLog(), graph.DefaultLimits, quiet)

	tests := []struct {
		name, query string
		names       string // the bad name, which the message must still give
	}{
		{"unknown field", `{ city(slug: "nanning") { nam } }`, `"nam"`},
		{"object without a selection", `{ city(slug: "nanning") }`, `"city"`},
		{"unknown argument", `{ city(slug: "nanning", slugg: "x") { name } }`, `"slugg"`},
		{"unknown directive argument", `{ city(slug: "nanning") { name @include(iff: true) } }`, `"iff"`},
		{"unknown fragment type", `{ ...F } fragment F on Qery { city(slug: "nanning") { name } }`, `"Qery"`},
		{"unknown enum value", `{ cities(orderBy: {field: NAM, direction: ASC}) { totalCount } }`, `NAM`},
		{"unknown input field", `{ cities(orderBy: {feld: NAME, direction: ASC}) { totalCount } }`, `"feld"`},
	}
	for _, tc := range tests {
		t.Run(tc.name+" on suggests", func(t *testing.T) {
			resp, _ := postJSON(t, on, map[string]any{"query": tc.query})
			if !strings.Contains(resp.messages(), "Did you mean") {
				t.Errorf("messages = %q, want a suggestion", resp.messages())
			}
		})
		t.Run(tc.name+" off does not suggest", func(t *testing.T) {
			resp, _ := postJSON(t, off, map[string]any{"query": tc.query})
			if len(resp.Errors) == 0 {
				t.Fatalf("no error, want a validation error")
			}
			if strings.Contains(resp.messages(), "Did you mean") {
				t.Errorf("messages = %q, want no suggestion", resp.messages())
			}
			if !strings.Contains(resp.messages(), tc.names) {
				t.Errorf("messages = %q, want them to name %s", resp.messages(), tc.names)
			}
			for _, c := range resp.codes() {
				if c != "GRAPHQL_VALIDATION_FAILED" {
					t.Errorf("code = %q, want GRAPHQL_VALIDATION_FAILED", c)
				}
			}
		})
	}
}

func TestAPQSwitch(t *testing.T) {
	st := projectStore(t)
	const q = `{ city(slug: "nanning") { name } }`
	hash := sha256Hex(q)

	t.Run("on registers a query and runs it by hash", func(t *testing.T) {
		h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
		if resp, _ := postJSON(t, h, map[string]any{"query": q, "extensions": apq(hash)}); len(resp.Errors) > 0 {
			t.Fatalf("registering: %s", resp.messages())
		}
		resp, _ := postJSON(t, h, map[string]any{"extensions": apq(hash)})
		if got := at(t, resp.Data, "city", "name"); got != "Nanning" {
			t.Errorf("by hash: city.name = %v (errors %s), want Nanning", got, resp.messages())
		}
	})
	t.Run("off runs the text, stores nothing and refuses the hash alone", func(t *testing.T) {
		noAPQ := graph.DefaultExposure
		noAPQ.APQ = false
		h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, noAPQ)
		resp, _ := postJSON(t, h, map[string]any{"query": q, "extensions": apq(hash)})
		if got := at(t, resp.Data, "city", "name"); got != "Nanning" {
			t.Errorf("with text: city.name = %v (errors %s), want Nanning", got, resp.messages())
		}
		resp, _ = postJSON(t, h, map[string]any{"extensions": apq(hash)})
		if got := resp.codes(); len(got) != 1 || got[0] != graph.CodePersistedQueryNotSupported {
			t.Errorf("by hash: codes = %v (%s), want [%s]", got, resp.messages(), graph.CodePersistedQueryNotSupported)
		}
	})
}
