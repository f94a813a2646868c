package peer

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Accounting names the servers that reach Neo4j through a BoltRecorder,
// so that their statements can be counted and PROFILEd. They are extra
// instances, never the timed ones: the proxy adds a hop.
type Accounting struct {
	Recorder       *BoltRecorder
	CitygraphNeo4j string // base URL of a citygraph whose NEO4J_URI is the recorder
	Peer           string // base URL of a peer whose NEO4J_URI is the recorder
}

// Cost is what one request of a side costs Neo4j.
type Cost struct {
	Statements float64 // statements per request
	DBHits     float64 // db hits per request, summed over its statements' PROFILEs
}

// accountReps is how many times each request is sent to count statements:
// the counts are per request, and batching may vary between requests.
const accountReps = 5

// Account counts, for each side of q, the statements a request sends and
// the db hits PROFILE reports for them. The floor is its one statement;
// the embedded store sends none.
func (b *Bench) Account(ctx context.Context, acc Accounting, q Query) (map[string]Cost, error) {
	out := map[string]Cost{SideCitygraphEmbedded: {Statements: 0, DBHits: -1}}
	hits, err := b.profile(ctx, Statement{Query: q.Cypher, Params: q.Params})
	if err != nil {
		return nil, fmt.Errorf("%s: PROFILE of the floor: %w", q.Name, err)
	}
	out[SideFloor] = Cost{Statements: 1, DBHits: float64(hits)}
	for _, s := range []struct{ name, url, op string }{
		{SideCitygraphNeo4j, acc.CitygraphNeo4j + "/graphql", q.Citygraph},
		{SidePeer, acc.Peer + "/", q.Peer},
	} {
		if strings.HasPrefix(s.url, "/") {
			continue
		}
		body := requestBody(s.op, q.Params)
		// One request first: a server's first call may check its schema.
		if _, err := b.post(ctx, s.url, body); err != nil {
			return nil, err
		}
		acc.Recorder.Take()
		for range accountReps {
			if _, err := b.post(ctx, s.url, body); err != nil {
				return nil, err
			}
		}
		stmts, err := acc.Recorder.Take()
		if err != nil {
			return nil, fmt.Errorf("%s on %s: reading its Bolt traffic: %w", q.Name, s.name, err)
		}
		var total int64
		for _, st := range stmts {
			h, err := b.profile(ctx, st)
			if err != nil {
				return nil, fmt.Errorf("%s on %s: PROFILE of %.200q: %w", q.Name, s.name, st.Query, err)
			}
			total += h
		}
		out[s.name] = Cost{Statements: float64(len(stmts)) / accountReps, DBHits: float64(total) / accountReps}
	}
	return out, nil
}

// profile runs a statement under PROFILE and sums the db hits of its plan.
func (b *Bench) profile(ctx context.Context, st Statement) (int64, error) {
	res, err := b.run(ctx, profiled(st.Query), st.Params)
	if err != nil {
		return 0, err
	}
	p := res.Summary.Profile()
	if p == nil {
		return 0, fmt.Errorf("no profile in the summary")
	}
	return dbHits(p), nil
}

// profiled puts PROFILE after any CYPHER options that start a statement.
func profiled(q string) string {
	t := strings.TrimSpace(q)
	if strings.HasPrefix(strings.ToUpper(t), "CYPHER ") {
		nl := strings.IndexAny(t, "\n")
		if nl > 0 {
			return t[:nl] + "\nPROFILE " + t[nl+1:]
		}
	}
	return "PROFILE " + t
}

func dbHits(p neo4j.ProfiledPlan) int64 {
	n := p.DbHits()
	for _, c := range p.Children() {
		n += dbHits(c)
	}
	return n
}
