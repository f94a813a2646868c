package peer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/citygraph/citygraph/store/neo4jstore"
)

// Sides are the base URLs of the GraphQL servers under test; the floor is
// the Go driver on the Neo4j of the configuration. An empty URL leaves
// that side out.
type Sides struct {
	CitygraphNeo4j    string
	CitygraphEmbedded string
	Peer              string
}

// Side names, as the table prints them.
const (
	SideCitygraphNeo4j    = "citygraph (Neo4j)"
	SideCitygraphEmbedded = "citygraph (embedded)"
	SidePeer              = "@neo4j/graphql"
	SideFloor             = "Cypher (Go driver)"
)

// Bench holds what every side needs: one HTTP client and one driver.
type Bench struct {
	sides  Sides
	cfg    neo4jstore.Config
	client *http.Client
	driver neo4j.DriverWithContext
}

// NewBench connects the floor's driver and checks that it answers.
func NewBench(ctx context.Context, cfg neo4jstore.Config, sides Sides) (*Bench, error) {
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.Username, cfg.Password, ""),
		func(c *config.Config) { c.MaxConnectionPoolSize = 64 })
	if err != nil {
		return nil, fmt.Errorf("the floor's driver for %s: %w", cfg.URI, err)
	}
	if err := d.VerifyConnectivity(ctx); err != nil {
		d.Close(ctx)
		return nil, fmt.Errorf("Neo4j at %s does not answer: %w", cfg.URI, err)
	}
	return &Bench{sides: sides, cfg: cfg, driver: d,
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}, nil
}

// Close closes the driver.
func (b *Bench) Close() { b.driver.Close(context.Background()) }

// side is one way of asking a query.
type side struct {
	name string
	// url and body are the HTTP request of a GraphQL side; empty for the floor.
	url  string
	body []byte
	// answer asks once and returns the canonical answer.
	answer func(ctx context.Context, q Query) (any, error)
}

// sidesFor lists the sides that take part, in a fixed order.
func (b *Bench) sidesFor(q Query) []side {
	var out []side
	add := func(name, base, path, op string, from func(any) any) {
		if base == "" {
			return
		}
		body := requestBody(op, q.Params)
		url := base + path
		out = append(out, side{name: name, url: url, body: body, answer: func(ctx context.Context, q Query) (any, error) {
			data, err := b.post(ctx, url, body)
			if err != nil {
				return nil, err
			}
			return Canonical(from(data))
		}})
	}
	add(SideCitygraphNeo4j, b.sides.CitygraphNeo4j, "/graphql", q.Citygraph, q.fromCitygraph)
	add(SideCitygraphEmbedded, b.sides.CitygraphEmbedded, "/graphql", q.Citygraph, q.fromCitygraph)
	add(SidePeer, b.sides.Peer, "/", q.Peer, q.fromPeer)
	out = append(out, side{name: SideFloor, answer: b.floor})
	return out
}

// requestBody is a GraphQL request's JSON body.
func requestBody(op string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": op, "variables": vars})
	return b
}

// post sends a GraphQL request and returns its data, failing on any
// error in the response.
func (b *Bench) post(ctx context.Context, url string, body []byte) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r struct {
		Data   any             `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%s answered %s: %.300s", url, resp.Status, raw)
	}
	if len(r.Errors) > 0 && string(r.Errors) != "null" {
		return nil, fmt.Errorf("%s answered errors: %.600s", url, r.Errors)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return r.Data, nil
}

// floor runs the query's hand-written statement.
func (b *Bench) floor(ctx context.Context, q Query) (any, error) {
	res, err := b.run(ctx, q.Cypher, q.Params)
	if err != nil {
		return nil, err
	}
	if len(res.Records) != 1 {
		return nil, fmt.Errorf("the %s statement returned %d rows, want 1", q.Name, len(res.Records))
	}
	v, _ := res.Records[0].Get("answer")
	return Canonical(v)
}

func (b *Bench) run(ctx context.Context, cypher string, params map[string]any) (*neo4j.EagerResult, error) {
	opts := []neo4j.ExecuteQueryConfigurationOption{neo4j.ExecuteQueryWithReadersRouting()}
	if b.cfg.Database != "" {
		opts = append(opts, neo4j.ExecuteQueryWithDatabase(b.cfg.Database))
	}
	return neo4j.ExecuteQuery(ctx, b.driver, cypher, params, neo4j.EagerResultTransformer, opts...)
}
