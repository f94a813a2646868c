package neo4jstore_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

const skipMessage = `Neo4j tests skipped: start a server with scripts/neo4j start and set NEO4J_URI (eval "$(scripts/neo4j env)")`

// serverConfig returns the configuration of the test server, skipping the
// test when there is none, unless CI demands Neo4j (CITYGRAPH_REQUIRE_NEO4J=1),
// where a missing or unreachable server is a failure.
func serverConfig(t testing.TB) neo4jstore.Config {
	t.Helper()
	cfg, ok := neo4jstore.ConfigFromEnv(os.Getenv)
	if !ok {
		if os.Getenv("CITYGRAPH_REQUIRE_NEO4J") == "1" {
			t.Fatal("CITYGRAPH_REQUIRE_NEO4J=1 but NEO4J_URI is unset: start a server with scripts/neo4j start and eval \"$(scripts/neo4j env)\"")
		}
		t.Skip(skipMessage)
	}
	return cfg
}

// openEmpty opens a store on the test server and wipes it, so that each
// test starts from an empty graph with the schema in place.
func openEmpty(t testing.TB) *neo4jstore.Store {
	t.Helper()
	cfg := serverConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := neo4jstore.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("the Neo4j server at %s does not answer: %v", cfg.URI, err)
	}
	if err := s.Wipe(ctx); err != nil {
		t.Fatalf("Wipe: %v", err)
	}
	return s
}

func wantCode(t *testing.T, err error, want domain.Code) {
	t.Helper()
	if got := domain.ErrorCode(err); got != want {
		t.Fatalf("got error %v (code %q), want code %s", err, got, want)
	}
}
