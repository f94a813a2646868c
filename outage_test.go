package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/internal/faultproxy"
)

// TestServiceRidesOutNeo4jOutage starts the whole service on a Neo4j that
// is away, and checks what a client and an orchestrator see while it is
// away and after it returns, three times in one process: the process stays
// alive (/healthz), says why it is not ready (/readyz), answers GraphQL
// with an UNAVAILABLE error at once instead of waiting for the query
// timeout, and serves again as soon as Neo4j does, not before its
// migrations have run. Every step waits on a condition: a cold server may
// take long to run the migrations, and the machine may be busy.
func TestServiceRidesOutNeo4jOutage(t *testing.T) {
	env := neo4jEnv(t)
	serverURI := env["NEO4J_URI"]
	u, err := url.Parse(serverURI)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.Start(t, u.Host, faultproxy.Down)
	env["NEO4J_URI"] = proxy.URI(serverURI)
	env["NEO4J_CONNECT_TIMEOUT"] = "1s"
	// A query that reached the driver while the server is silent would
	// wait this long; the client gives up far sooner, so an answer within
	// its timeout can only come from the store's availability gate.
	env["NEO4J_QUERY_TIMEOUT"] = "1h"
	base, _ := startService(t, env)

	client := &http.Client{Timeout: 2 * time.Minute}
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
			t.Fatalf("POST /graphql: %v (a query that waits is one the store let through to a server that is away)", err)
		}
		defer resp.Body.Close()
		var out gqlResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("POST /graphql: body is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}
	// readyzUntil polls /readyz until it answers want.
	readyzUntil := func(t *testing.T, want int) map[string]any {
		t.Helper()
		const limit = 120 * time.Second
		deadline := time.Now().Add(limit)
		for {
			code, body := get(t, "/readyz")
			if code == want {
				return body
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz still answers %d %v after %v, want %d", code, body, limit, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	user := env["NEO4J_USERNAME"]
	if user == "" {
		user = "neo4j"
	}
	direct, err := neo4j.NewDriverWithContext(serverURI, neo4j.BasicAuth(user, env["NEO4J_PASSWORD"], ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close(context.Background()) })

	away := func(t *testing.T) {
		if code, body := get(t, "/healthz"); code != http.StatusOK || body["status"] != "ok" {
			t.Errorf("/healthz = %d %v, want 200 ok: the process is alive", code, body)
		}
		body := readyzUntil(t, http.StatusServiceUnavailable)
		if body["status"] != "unavailable" || body["code"] != "UNAVAILABLE" {
			t.Errorf("/readyz = %v, want unavailable with code UNAVAILABLE", body)
		}
		if reason, _ := body["reason"].(string); !strings.Contains(reason, "graph database") {
			t.Errorf("/readyz reason = %q, want one that says the graph database cannot serve", reason)
		}
		for range 5 {
			code, out := query(t)
			if code != http.StatusOK || len(out.Errors) == 0 {
				t.Fatalf("query = %d %+v, want 200 with errors", code, out)
			}
			if c := out.Errors[0].Extensions["code"]; c != "UNAVAILABLE" {
				t.Errorf("query error %q has code %v, want UNAVAILABLE", out.Errors[0].Message, c)
			}
		}
	}
	back := func(t *testing.T) {
		if body := readyzUntil(t, http.StatusOK); body["status"] != "ready" {
			t.Errorf("/readyz = %v, want ready", body)
		}
		// Ready means migrated: the last migration, the one a cold server
		// was still recording when this test used to fail, is in place.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := neo4j.ExecuteQuery(ctx, direct, "MATCH (m:Migration {id: $id}) RETURN m.id", map[string]any{"id": "0006_seed_loads"},
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(env["NEO4J_DATABASE"]))
		if err != nil {
			t.Fatalf("reading the migrations: %v", err)
		}
		if len(res.Records) != 1 {
			t.Errorf("/readyz says ready but migration 0006_seed_loads is not recorded")
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
	proxy.Set(faultproxy.Silent)
	t.Run("silent while serving", away)
	proxy.Set(faultproxy.Up)
	t.Run("back after the silence", back)
	proxy.Set(faultproxy.Down)
	t.Run("away again", away)
	proxy.Set(faultproxy.Up)
	t.Run("back again", back)
}
