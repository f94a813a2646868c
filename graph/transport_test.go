package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/citygraph/citygraph/graph"
)

// wireResponse is a response body as the transport writes it; Data stays
// raw so that a missing data entry can be told from "data": null.
type wireResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// do sends one request to h and decodes its body.
func do(t *testing.T, h http.Handler, method, target string, header http.Header, body io.Reader) (*httptest.ResponseRecorder, wireResponse) {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp wireResponse
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("%s %s: response is not JSON: %v: %s", method, target, err, truncate(rec.Body.String()))
		}
	}
	return rec, resp
}

func TestTransportErrors(t *testing.T) {
	h := graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	jsonBody := http.Header{"Content-Type": {"application/json"}}
	hostile := strings.Repeat(`{"query":"{ __typename }","marker":"ECHO-ME"},`, 1000)
	tests := []struct {
		name       string
		method     string
		target     string
		header     http.Header
		body       string
		wantStatus int
		wantCode   string
		wantMsg    string
		wantHeader map[string]string
	}{
		{"a batch of 1,000 operations is refused, not echoed", "POST", "/graphql", jsonBody, "[" + strings.TrimSuffix(hostile, ",") + "]",
			400, "INVALID_ARGUMENT", "JSON array", nil},
		{"malformed JSON is refused, not echoed", "POST", "/graphql", jsonBody, `{"query": "{ __typename }", "marker": "ECHO-ME` + strings.Repeat("x", 50_000),
			400, "INVALID_ARGUMENT", "not valid JSON", nil},
		{"trailing garbage after the object", "POST", "/graphql", jsonBody, `{"query": "{ __typename }"} ECHO-ME`,
			400, "INVALID_ARGUMENT", "not valid JSON", nil},
		{"a body that is not an object", "POST", "/graphql", jsonBody, `"ECHO-ME"`, 400, "INVALID_ARGUMENT", "not a JSON object", nil},
		{"an empty body", "POST", "/graphql", jsonBody, ``, 400, "INVALID_ARGUMENT", "empty", nil},
		{"no query", "POST", "/graphql", jsonBody, `{"qeury": "{ __typename }"}`, 400, "INVALID_ARGUMENT", "no query", nil},
		{"a query that is not a string", "POST", "/graphql", jsonBody, `{"query": ["ECHO-ME"]}`, 400, "INVALID_ARGUMENT", "query must be a string, not an array", nil},
		{"variables that are not an object", "POST", "/graphql", jsonBody, `{"query": "{ __typename }", "variables": "ECHO-ME"}`,
			400, "INVALID_ARGUMENT", "variables must be a JSON object", nil},
		{"an operation name that is not a string", "POST", "/graphql", jsonBody, `{"query": "{ __typename }", "operationName": 7}`,
			400, "INVALID_ARGUMENT", "operationName must be a string", nil},
		{"no Content-Type", "POST", "/graphql", nil, `{"query": "{ __typename }"}`, 415, "INVALID_ARGUMENT", "no Content-Type", nil},
		{"a Content-Type other than JSON", "POST", "/graphql", http.Header{"Content-Type": {"text/plain"}}, `{"query": "{ __typename }"}`,
			415, "INVALID_ARGUMENT", "application/json", nil},
		{"a charset other than UTF-8", "POST", "/graphql", http.Header{"Content-Type": {"application/json; charset=latin1"}}, `{"query": "{ __typename }"}`,
			415, "INVALID_ARGUMENT", "UTF-8", nil},
		{"a compressed body", "POST", "/graphql", http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, `{"query": "{ __typename }"}`,
			415, "INVALID_ARGUMENT", "Content-Encoding", nil},
		{"PUT", "PUT", "/graphql", jsonBody, `{"query": "{ __typename }"}`, 405, "INVALID_ARGUMENT", "GET or POST",
			map[string]string{"Allow": "GET, POST, OPTIONS"}},
		{"DELETE", "DELETE", "/graphql", nil, ``, 405, "INVALID_ARGUMENT", "GET or POST", map[string]string{"Allow": "GET, POST, OPTIONS"}},
		{"HEAD", "HEAD", "/graphql?query=%7B__typename%7D", nil, ``, 405, "INVALID_ARGUMENT", "GET or POST", map[string]string{"Allow": "GET, POST, OPTIONS"}},
		{"an Accept header that allows neither JSON type", "POST", "/graphql",
			http.Header{"Content-Type": {"application/json"}, "Accept": {"text/html, application/xml;q=0.9"}}, `{"query": "{ __typename }"}`,
			406, "INVALID_ARGUMENT", "Accept", nil},
		{"GET without a query", "GET", "/graphql", nil, ``, 400, "INVALID_ARGUMENT", "no query parameter", nil},
		{"GET with malformed variables", "GET", "/graphql?query=" + url.QueryEscape("{ __typename }") + "&variables=ECHO-ME", nil, ``,
			400, "INVALID_ARGUMENT", "variables parameter is not valid JSON", nil},
		{"GET with a malformed query string", "GET", "/graphql?query=%zz", nil, ``, 400, "INVALID_ARGUMENT", "query string is malformed", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, resp := do(t, h, tc.method, tc.target, tc.header, strings.NewReader(tc.body))
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tc.wantStatus, truncate(rec.Body.String()))
			}
			for k, v := range tc.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %d, want 1: %s", len(resp.Errors), truncate(rec.Body.String()))
			}
			if got := resp.Errors[0].Extensions["code"]; got != tc.wantCode {
				t.Errorf("code = %v, want %s", got, tc.wantCode)
			}
			if !strings.Contains(resp.Errors[0].Message, tc.wantMsg) {
				t.Errorf("message = %q, want it to say %q", resp.Errors[0].Message, tc.wantMsg)
			}
			if resp.Data != nil {
				t.Errorf("data = %s, want no data entry for a refused request", resp.Data)
			}
			if strings.Contains(rec.Body.String(), "ECHO-ME") || rec.Body.Len() > 512 {
				t.Errorf("response (%d bytes) echoes the request: %s", rec.Body.Len(), truncate(rec.Body.String()))
			}
		})
	}

	t.Run("a body over the limit without Content-Length gets 413", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"`+strings.Repeat(" ", 2<<20)+`{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1 // as a chunked body arrives
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "LIMIT_EXCEEDED") {
			t.Errorf("got %d %s, want 413 LIMIT_EXCEEDED", rec.Code, truncate(rec.Body.String()))
		}
	})

	t.Run("OPTIONS lists the methods", func(t *testing.T) {
		rec, _ := do(t, h, "OPTIONS", "/graphql", nil, nil)
		if rec.Code != http.StatusNoContent || rec.Header().Get("Allow") != "GET, POST, OPTIONS" {
			t.Errorf("got %d Allow %q, want 204 with GET, POST, OPTIONS", rec.Code, rec.Header().Get("Allow"))
		}
	})
}

func TestTransportStatusesByMediaType(t *testing.T) {
	h := graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	const (
		ok        = `{"query":"{ __typename }"}`
		parseFail = `{"query":"{"}`
		invalid   = `{"query":"{ mayor }"}`
		coercion  = `{"query":"query($n: Int!) { cities(first: $n) { totalCount } }","variables":{"n":"ten"}}`
		fieldErr  = `{"query":"{ city(slug: \"atlantis\") { name } }"}`
	)
	tests := []struct {
		name      string
		accept    string
		body      string
		wantType  string
		wantCode  int
		wantData  bool
		wantError string
	}{
		{"success, no Accept", "", ok, "application/json", 200, true, ""},
		{"success, wildcard", "*/*", ok, "application/json", 200, true, ""},
		{"success, graphql-response+json", "application/graphql-response+json", ok, "application/graphql-response+json", 200, true, ""},
		{"the higher quality wins", "application/graphql-response+json;q=0.5, application/json", ok, "application/json", 200, true, ""},
		{"the first listed wins among equals", "application/graphql-response+json, application/json", ok, "application/graphql-response+json", 200, true, ""},
		{"parse failure, application/json", "application/json", parseFail, "application/json", 200, false, "GRAPHQL_PARSE_FAILED"},
		{"parse failure, graphql-response+json", "application/graphql-response+json", parseFail, "application/graphql-response+json", 400, false, "GRAPHQL_PARSE_FAILED"},
		{"validation failure, application/json", "application/json", invalid, "application/json", 200, false, "GRAPHQL_VALIDATION_FAILED"},
		{"validation failure, graphql-response+json", "application/graphql-response+json", invalid, "application/graphql-response+json", 400, false, "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion failure, graphql-response+json", "application/graphql-response+json", coercion, "application/graphql-response+json", 400, false, "GRAPHQL_VALIDATION_FAILED"},
		{"a field error is a partial result, graphql-response+json", "application/graphql-response+json", fieldErr, "application/graphql-response+json", 200, true, "NOT_FOUND"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header := http.Header{"Content-Type": {"application/json"}}
			if tc.accept != "" {
				header.Set("Accept", tc.accept)
			}
			rec, resp := do(t, h, "POST", "/graphql", header, strings.NewReader(tc.body))
			if rec.Code != tc.wantCode {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tc.wantCode, truncate(rec.Body.String()))
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.wantType+";") {
				t.Errorf("Content-Type = %q, want %s", got, tc.wantType)
			}
			if got := resp.Data != nil; got != tc.wantData {
				t.Errorf("data entry present = %v, want %v: %s", got, tc.wantData, truncate(rec.Body.String()))
			}
			switch {
			case tc.wantError == "" && len(resp.Errors) > 0:
				t.Errorf("errors = %+v, want none", resp.Errors)
			case tc.wantError != "" && (len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != tc.wantError):
				t.Errorf("errors = %+v, want code %s", resp.Errors, tc.wantError)
			}
		})
	}
}

// TestGETNeverRunsMutations mounts the transport on gqlgen's test schema,
// which has mutations (citygraph's has none yet).
func TestGETNeverRunsMutations(t *testing.T) {
	srv := testserver.New()
	srv.AddTransport(graph.HTTPTransport{})
	get := "/graphql?query=" + url.QueryEscape("mutation { name }")
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		t.Run("GET, "+accept, func(t *testing.T) {
			rec, resp := do(t, srv, "GET", get, http.Header{"Accept": {accept}}, nil)
			if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
				t.Errorf("got %d Allow %q, want 405 Allow POST; body %s", rec.Code, rec.Header().Get("Allow"), rec.Body.String())
			}
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "INVALID_ARGUMENT" || !strings.Contains(resp.Errors[0].Message, "POST") {
				t.Errorf("errors = %+v, want one INVALID_ARGUMENT saying to use POST", resp.Errors)
			}
		})
	}
	t.Run("POST runs it", func(t *testing.T) {
		// The test schema answers every mutation with an error of its own;
		// reaching it shows that POST lets the mutation through.
		rec, resp := do(t, srv, "POST", "/graphql", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(`{"query":"mutation { name }"}`))
		if rec.Code != http.StatusOK || len(resp.Errors) != 1 || resp.Errors[0].Message != "mutations are not supported" {
			t.Errorf("got %d %s, want the test schema's mutation answer", rec.Code, rec.Body.String())
		}
	})
	t.Run("GET runs a query", func(t *testing.T) {
		rec, _ := do(t, srv, "GET", "/graphql?query="+url.QueryEscape("{ name }"), nil, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"name":"test"`) {
			t.Errorf("got %d %s, want the query's data", rec.Code, rec.Body.String())
		}
	})
}
