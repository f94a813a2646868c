package peer

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// SetupOptions say which servers to start.
type SetupOptions struct {
	Citygraph string // path of a built citygraph binary
	PeerDir   string // bench/peer/peer, with node_modules installed
	Neo4j     neo4jstore.Config
	// EmbeddedCities, if not negative, starts citygraph on the embedded
	// store too, with the same graph: this many synthetic cities, then the
	// seed data, loaded into a temporary data directory.
	EmbeddedCities int
	// Accounting starts a second citygraph and peer that reach Neo4j
	// through a BoltRecorder, to count and PROFILE their statements.
	Accounting bool
}

// Running are the started servers.
type Running struct {
	Sides      Sides
	Accounting Accounting
	procs      []*Process
	tmp        string
}

// Setup starts the servers; on error it stops what it started.
func Setup(ctx context.Context, o SetupOptions) (_ *Running, err error) {
	r := &Running{}
	defer func() {
		if err != nil {
			r.Stop()
		}
	}()
	env := neo4jEnv(o.Neo4j, o.Neo4j.URI)
	if r.Sides.CitygraphNeo4j, err = r.start(StartCitygraph(ctx, o.Citygraph, env)); err != nil {
		return nil, err
	}
	if r.Sides.Peer, err = r.start(StartPeer(ctx, o.PeerDir, env)); err != nil {
		return nil, err
	}
	if o.EmbeddedCities >= 0 {
		if r.tmp, err = os.MkdirTemp("", "citygraph-peerbench-"); err != nil {
			return nil, err
		}
		st, err := embedded.Open(r.tmp)
		if err != nil {
			return nil, err
		}
		err = Load(ctx, st, o.EmbeddedCities)
		st.Close()
		if err != nil {
			return nil, fmt.Errorf("loading the embedded store: %w", err)
		}
		emb := map[string]string{"CITYGRAPH_DATA_DIR": r.tmp, "CITYGRAPH_SEED_ON_START": "false"}
		if r.Sides.CitygraphEmbedded, err = r.start(StartCitygraph(ctx, o.Citygraph, emb)); err != nil {
			return nil, err
		}
	}
	if o.Accounting {
		u, err := url.Parse(o.Neo4j.URI)
		if err != nil {
			return nil, fmt.Errorf("NEO4J_URI %q: %w", o.Neo4j.URI, err)
		}
		rec, err := NewBoltRecorder(u.Host)
		if err != nil {
			return nil, err
		}
		r.Accounting.Recorder = rec
		env := neo4jEnv(o.Neo4j, rec.URI())
		if r.Accounting.CitygraphNeo4j, err = r.start(StartCitygraph(ctx, o.Citygraph, env)); err != nil {
			return nil, err
		}
		if r.Accounting.Peer, err = r.start(StartPeer(ctx, o.PeerDir, env)); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Running) start(p *Process, err error) (string, error) {
	if p != nil {
		r.procs = append(r.procs, p)
	}
	if err != nil {
		return "", err
	}
	return p.URL, nil
}

// Stop stops every server, the recorder, and removes the temporary store.
func (r *Running) Stop() {
	for _, p := range r.procs {
		p.Stop()
	}
	if r.Accounting.Recorder != nil {
		r.Accounting.Recorder.Close()
	}
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
	}
}

// neo4jEnv is the environment that points a server at Neo4j through uri.
// A plain bolt:// URI, not neo4j://, so that the driver does not route
// around the recorder to the address the server advertises.
func neo4jEnv(c neo4jstore.Config, uri string) map[string]string {
	env := map[string]string{"NEO4J_URI": uri, "NEO4J_USERNAME": c.Username, "NEO4J_PASSWORD": c.Password}
	if c.Database != "" {
		env["NEO4J_DATABASE"] = c.Database
	}
	return env
}
