package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/internal/faultproxy"
)

// TestServiceRidesOutNeo4jOutage starts the whole service on a Neo4j that
// is away, and checks what a client and an orchestrator see while it is
// away and after it returns, twice, in one process: the process stays
// alive (/healthz), says why it is not ready (/readyz), answers GraphQL
// with an UNAVAILABLE error instead of hanging, and serves again as soon
// as Neo4j does.
func TestServiceRidesOutNeo4jOutage(t *testing.T) {
	env := neo4jEnv(t)
	u, err := url.Parse(env["NEO4J_URI"])
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.Start(t, u.Host, faultproxy.Down)
	env["NEO4J_URI"] = proxy.URI(env["NEO4J_URI"])
	env["NEO4J_CONNECT_TIMEOUT"] = "1s"
	env["NEO4J_QUERY_TIMEOUT"] = "2s"
	base, _ := startService(t, env)

	// A request still running well past the query timeout is a hang; the
	// client's timeout turns it into a failure instead of a stuck test.
	client := &http.Client{Timeout: 2*time.Second + 10*time.Second}
	get := func(t *testing.T, path string) (int, map[string]any) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("GET %s: body is not JSON: %v", path, err)
		}
		return resp.StatusCode, v
	}
	type gqlResponse struct {
		Data   map[string]any
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	query := func(t *testing.T) (int, gqlResponse) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"query": `{ sources(first: 1) { totalCount } }`})
		resp, err := client.Post(base+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("POST /graphql: %v", err)
		}
		defer resp.Body.Close()
		var out gqlResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("POST /graphql: body is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}
	away := func(t *testing.T) {
		if code, body := get(t, "/healthz"); code != http.StatusOK || body["status"] != "ok" {
			t.Errorf("/healthz = %d %v, want 200 ok: the process is alive", code, body)
		}
		code, body := get(t, "/readyz")
		if code != http.StatusServiceUnavailable || body["status"] != "unavailable" || body["code"] != "UNAVAILABLE" {
			t.Errorf("/readyz = %d %v, want 503 unavailable with code UNAVAILABLE", code, body)
		}
		if reason, _ := body["reason"].(string); !strings.Contains(reason, "graph database") {
			t.Errorf("/readyz reason = %q, want one that says the graph database cannot be reached", reason)
		}
		code, out := query(t)
		if code != http.StatusOK || len(out.Errors) == 0 {
			t.Fatalf("query = %d %+v, want 200 with errors", code, out)
		}
		if c := out.Errors[0].Extensions["code"]; c != "UNAVAILABLE" {
			t.Errorf("query error %q has code %v, want UNAVAILABLE", out.Errors[0].Message, c)
		}
	}
	back := func(t *testing.T) {
		if code, body := get(t, "/readyz"); code != http.StatusOK || body["status"] != "ready" {
			t.Errorf("/readyz = %d %v, want 200 ready", code, body)
		}
		code, out := query(t)
		sources, _ := out.Data["sources"].(map[string]any)
		if _, ok := sources["totalCount"].(float64); code != http.StatusOK || len(out.Errors) > 0 || !ok {
			t.Errorf("query = %d %+v, want data with a total and no errors", code, out)
		}
	}

	t.Run("away at start", away)
	proxy.Set(faultproxy.Up)
	t.Run("back without a restart", back)
	proxy.Set(faultproxy.Down)
	t.Run("away again while serving", away)
	proxy.Set(faultproxy.Up)
	t.Run("back again", back)
}
