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
// The limits are minutes: they tell a hang from an answer, they do not
// measure speed.
func within[T any](t *testing.T, limit time.Duration, what string, call func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- call() }()
	select {
	case v := <-done:
		return v
	case <-time.After(limit):
		t.Fatalf("%s has not returned after %v: it hangs", what, limit)
		panic("unreachable")
	}
}

// eventually polls cond until it holds, failing the test after a deadline
// generous enough for a cold server on a busy machine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	const limit = 120 * time.Second
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %v for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
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
// and comes back again. While the store knows the server is away, calls
// answer UNAVAILABLE without reaching the driver (counted, not timed); the
// store serves again at the first or second check after the server
// answers, without being reopened, and not before its migrations have run.
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
	// A query timeout long enough for a cold server's first queries: the
	// test must not depend on how fast the server is.
	pcfg.ConnectTimeout = time.Second
	pcfg.QueryTimeout = time.Minute
	const hang = 5 * time.Minute

	// The store is opened while the server is away, so its migrations
	// have not run; remove the last one's index and record on the real
	// server, and expect the store to restore them before it serves.
	direct := directDriver(t, cfg)
	const migration, index = "0005_city_location", "city_location"

	var s *neo4jstore.Store
	t.Run("Open with the server away returns a store that is down", func(t *testing.T) {
		s = within(t, hang, "Open", func() *neo4jstore.Store {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			s, err := neo4jstore.Open(ctx, pcfg, nil)
			if err != nil {
				t.Errorf("Open: %v; want a store that answers UNAVAILABLE", err)
			}
			return s
		})
		if s != nil && s.Availability().Up {
			t.Error("the store says it is up though the server has never answered")
		}
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
	// refusedAtOnce checks that calls made while the store is down are
	// answered by the gate: each counted as refused, none handed to the
	// driver, and no connection opened beyond the gate's own checks.
	refusedAtOnce := func(t *testing.T) {
		t.Helper()
		before, accepted := s.Availability(), proxy.Accepted()
		if before.Up {
			t.Fatal("the store is up; want it down")
		}
		const calls = 20
		for i := range calls {
			call, what := read, "Nodes"
			if i%2 == 1 {
				call, what = search, "Search"
			}
			wantUnavailable(t, what, within(t, hang, what, call))
		}
		wantUnavailable(t, "Ping", within(t, hang, "Ping", ping))
		after := s.Availability()
		if got := after.Refused - before.Refused; got != calls {
			t.Errorf("the gate refused %d calls, want all %d", got, calls)
		}
		if got := after.Admitted - before.Admitted; got != 0 {
			t.Errorf("%d calls reached the driver while the store was down, want 0", got)
		}
		// Each check of the gate opens at most one connection, and one may
		// be under way on either side of the count.
		if opened, checks := proxy.Accepted()-accepted, after.Checks-before.Checks; opened > checks+2 {
			t.Errorf("%d connections opened during %d refused calls and %d checks: calls reached for the server", opened, calls, checks)
		}
	}
	// recovers switches the proxy up and waits for the store to serve; it
	// must take at most two of the gate's checks (one may be failing as
	// the proxy switches).
	recovers := func(t *testing.T) {
		t.Helper()
		checks := s.Availability().Checks
		proxy.Set(faultproxy.Up)
		eventually(t, "the store to serve again", func() bool { return s.Availability().Up })
		if n := s.Availability().Checks - checks; n > 2 {
			t.Errorf("the store served again after %d checks, want at most 2 once the server answers", n)
		}
		if err := within(t, hang, "Ping", ping); err != nil {
			t.Fatalf("Ping after the server came back: %v", err)
		}
		// Sixteen clients at once find the pool usable: connections the
		// outage killed are replaced, not waited on.
		errs := make(chan error, 16)
		for range cap(errs) {
			go func() { errs <- read() }()
		}
		for range cap(errs) {
			if err := within(t, hang, "Nodes", func() error { return <-errs }); err != nil {
				t.Errorf("a read right after recovery: %v", err)
			}
		}
	}

	t.Run("away: Ping and reads answer UNAVAILABLE without reaching the driver", refusedAtOnce)

	t.Run("back: the same store serves once its migrations have run", func(t *testing.T) {
		recovers(t)
		recs := execDirect(t, direct, cfg, "SHOW INDEXES YIELD name, state WHERE name = $name RETURN state", map[string]any{"name": index})
		if len(recs) != 1 {
			t.Errorf("index %s is missing when the store says it is up: the migrations did not run first", index)
		}
		recs = execDirect(t, direct, cfg, "MATCH (m:Migration {id: $id}) RETURN m.id", map[string]any{"id": migration})
		if len(recs) != 1 {
			t.Errorf("migration %s is not recorded when the store says it is up", migration)
		}
		if err := within(t, hang, "Search", search); err != nil {
			t.Fatalf("Search after the server came back: %v", err)
		}
	})

	t.Run("cut while connections are pooled: the first call turns the store down, later ones are refused at once", func(t *testing.T) {
		if err := within(t, hang, "Nodes", read); err != nil {
			t.Fatalf("Nodes before the cut: %v", err)
		}
		proxy.Set(faultproxy.Down)
		wantUnavailable(t, "Nodes", within(t, hang, "Nodes", read))
		refusedAtOnce(t)
		recovers(t)
		if err := within(t, hang, "Nodes", read); err != nil {
			t.Fatalf("Nodes after the second recovery: %v", err)
		}
	})

	t.Run("silent: the first call ends at its deadline, the gate confirms, later ones are refused at once", func(t *testing.T) {
		proxy.Set(faultproxy.Silent)
		err := within(t, hang, "Nodes", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := s.Nodes(ctx, []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}})
			return err
		})
		if c := domain.ErrorCode(err); c != domain.ETIMEOUT && c != domain.EUNAVAILABLE {
			t.Fatalf("Nodes on a silent server: got %v (code %q), want TIMEOUT or UNAVAILABLE", err, c)
		}
		eventually(t, "the gate to learn that the server is silent", func() bool { return !s.Availability().Up })
		refusedAtOnce(t)
		recovers(t)
		if err := within(t, hang, "Nodes", read); err != nil {
			t.Fatalf("Nodes after the silence ended: %v", err)
		}
	})
}

// TestCallsInFlightEndWhenTheStoreLearnsOfAnOutage holds a read on a
// server that accepts connections and never answers, with a query timeout
// of an hour: only the gate can end it, when Ping finds the server silent.
func TestCallsInFlightEndWhenTheStoreLearnsOfAnOutage(t *testing.T) {
	cfg := serverConfig(t)
	u, err := url.Parse(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.Start(t, u.Host, faultproxy.Up)
	pcfg := cfg
	pcfg.URI = proxy.URI(cfg.URI)
	pcfg.ConnectTimeout = time.Second
	pcfg.QueryTimeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := neo4jstore.Open(ctx, pcfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	eventually(t, "the store to be up", func() bool { return s.Availability().Up })

	proxy.Set(faultproxy.Silent)
	admitted := s.Availability().Admitted
	done := make(chan error, 1)
	go func() {
		_, err := s.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}})
		done <- err
	}()
	eventually(t, "the read to reach the driver", func() bool { return s.Availability().Admitted > admitted })
	wantUnavailable(t, "Ping", within(t, 5*time.Minute, "Ping", func() error { return s.Ping(context.Background()) }))
	select {
	case err := <-done:
		wantUnavailable(t, "the read in flight", err)
	case <-time.After(5 * time.Minute):
		t.Fatal("the read in flight still waits after the store learned that the server is away")
	}
}
