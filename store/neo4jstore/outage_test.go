package neo4jstore_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/faultproxy"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// within runs call and fails the test if it has not returned after limit.
// The limits below are the configured timeout plus a wide margin: they
// tell a hang from an answer, they do not measure speed.
func within[T any](t *testing.T, limit time.Duration, what string, call func() T) T {
	t.Helper()
	done := make(chan T, 1)
	start := time.Now()
	go func() { done <- call() }()
	select {
	case v := <-done:
		t.Logf("%s returned after %v", what, time.Since(start).Round(time.Millisecond))
		return v
	case <-time.After(limit):
		t.Fatalf("%s has not returned after %v: it hangs", what, limit)
		panic("unreachable")
	}
}

// wantUnavailable checks that err is EUNAVAILABLE with a message that
// says what happened.
func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("%s: got %v (code %q), want UNAVAILABLE", what, err, domain.ErrorCode(err))
	}
	t.Logf("%s: %v", what, err)
	var e *domain.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "graph database") {
		t.Errorf("%s: UNAVAILABLE message %q does not say the graph database is unreachable", what, err)
	}
}

// directDriver is a driver straight to the test server, for arranging
// what the store under test must find.
func directDriver(t *testing.T, cfg neo4jstore.Config) neo4j.DriverWithContext {
	t.Helper()
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

func execDirect(t *testing.T, d neo4j.DriverWithContext, cfg neo4jstore.Config, cypher string, params map[string]any) []*neo4j.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := neo4j.ExecuteQuery(ctx, d, cypher, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(cfg.Database))
	if err != nil {
		t.Fatalf("%s: %v", cypher, err)
	}
	return res.Records
}

// TestOutageAndRecovery drives one store through a server that is away
// at start, comes back, is cut while connections are pooled, goes silent,
// and comes back again: every call answers (UNAVAILABLE while away) within
// the query timeout, and the store serves again each time without being
// reopened.
func TestOutageAndRecovery(t *testing.T) {
	cfg := serverConfig(t)
	if cfg.Username == "" {
		cfg.Username = neo4jstore.DefaultUsername
	}
	u, err := url.Parse(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.Start(t, u.Host, faultproxy.Down)
	pcfg := cfg
	pcfg.URI = proxy.URI(cfg.URI)
	pcfg.ConnectTimeout = time.Second
	pcfg.QueryTimeout = 2 * time.Second
	// A hang is a call still running well after its timeout.
	const grace = 5 * time.Second
	limit := pcfg.QueryTimeout + grace

	// The store is opened while the server is away, so its migrations
	// have not run; remove the last one's index and record on the real
	// server, and expect the store to restore them on first contact.
	direct := directDriver(t, cfg)
	const migration, index = "0005_city_location", "city_location"

	var s *neo4jstore.Store
	t.Run("Open with the server away returns a store by its deadline", func(t *testing.T) {
		const openWait = 2 * time.Second
		s = within(t, openWait+grace, "Open", func() *neo4jstore.Store {
			ctx, cancel := context.WithTimeout(context.Background(), openWait)
			defer cancel()
			s, err := neo4jstore.Open(ctx, pcfg, nil)
			if err != nil {
				t.Errorf("Open: %v; want a store that answers UNAVAILABLE", err)
			}
			return s
		})
	})
	if s == nil {
		t.FailNow()
	}
	t.Cleanup(func() { s.Close() })
	execDirect(t, direct, cfg, "DROP INDEX "+index+" IF EXISTS", nil)
	execDirect(t, direct, cfg, "MATCH (m:Migration {id: $id}) DELETE m", map[string]any{"id": migration})

	read := func() error {
		_, err := s.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}})
		return err
	}
	ping := func() error { return s.Ping(context.Background()) }
	search := func() error {
		_, err := s.Search(context.Background(), domain.SearchQuery{Text: "Nanning"})
		return err
	}

	t.Run("away: Ping and reads answer UNAVAILABLE", func(t *testing.T) {
		wantUnavailable(t, "Ping", within(t, limit, "Ping", ping))
		wantUnavailable(t, "Nodes", within(t, limit, "Nodes", read))
	})

	t.Run("back: the same store serves and has run its migrations", func(t *testing.T) {
		proxy.Set(faultproxy.Up)
		if err := within(t, limit, "Ping", ping); err != nil {
			t.Fatalf("Ping after the server came back: %v", err)
		}
		if err := within(t, limit, "Search", search); err != nil {
			t.Fatalf("Search after the server came back: %v", err)
		}
		recs := execDirect(t, direct, cfg, "SHOW INDEXES YIELD name, state WHERE name = $name RETURN state", map[string]any{"name": index})
		if len(recs) != 1 {
			t.Errorf("index %s is missing after the first contact: the migrations did not run", index)
		}
		recs = execDirect(t, direct, cfg, "MATCH (m:Migration {id: $id}) RETURN m.id", map[string]any{"id": migration})
		if len(recs) != 1 {
			t.Errorf("migration %s is not recorded after the first contact", migration)
		}
	})

	t.Run("cut while connections are pooled: UNAVAILABLE, then serves again", func(t *testing.T) {
		proxy.Set(faultproxy.Down)
		wantUnavailable(t, "Nodes", within(t, limit, "Nodes", read))
		wantUnavailable(t, "Search", within(t, limit, "Search", search))
		wantUnavailable(t, "Ping", within(t, limit, "Ping", ping))
		proxy.Set(faultproxy.Up)
		if err := within(t, limit, "Nodes", read); err != nil {
			t.Fatalf("Nodes after the second recovery: %v", err)
		}
	})

	t.Run("silent: calls end with UNAVAILABLE at the timeout, then serve again", func(t *testing.T) {
		proxy.Set(faultproxy.Silent)
		wantUnavailable(t, "Nodes", within(t, limit, "Nodes", read))
		wantUnavailable(t, "Ping", within(t, limit, "Ping", ping))
		proxy.Set(faultproxy.Up)
		if err := within(t, limit, "Ping", ping); err != nil {
			t.Fatalf("Ping after the silence ended: %v", err)
		}
		if err := within(t, limit, "Nodes", read); err != nil {
			t.Fatalf("Nodes after the silence ended: %v", err)
		}
	})
}
