package neo4jstore_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

// proxyMode is what a boltProxy does with connections.
type proxyMode int

const (
	// proxyUp forwards every connection to the server.
	proxyUp proxyMode = iota
	// proxyDown closes live connections and drops new ones at once, as a
	// stopped server's host does.
	proxyDown
	// proxySilent closes live connections and accepts new ones but never
	// answers, as a server behind a dead network path does: only timeouts
	// end a call.
	proxySilent
)

// boltProxy is a loopback TCP proxy in front of the test server's Bolt
// port. Switching its mode is a real outage for the driver (sockets
// closed, connections refused or unanswered) without stopping the shared
// server, so the store's recovery is tested in seconds.
type boltProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	mode  proxyMode
	conns map[net.Conn]bool
}

func startBoltProxy(t *testing.T, target string, mode proxyMode) *boltProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &boltProxy{ln: ln, target: target, mode: mode, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.set(proxyDown)
	})
	return p
}

// uri is the server's URI rewritten to go through the proxy. A routing
// scheme (neo4j://) becomes direct (bolt://): routing would hand the
// driver the server's own address and bypass the proxy.
func (p *boltProxy) uri(serverURI string) string {
	u, err := url.Parse(serverURI)
	if err != nil {
		return serverURI
	}
	u.Scheme = strings.Replace(u.Scheme, "neo4j", "bolt", 1)
	u.Host = p.ln.Addr().String()
	return u.String()
}

// set switches the mode; leaving proxyUp closes every live connection.
func (p *boltProxy) set(m proxyMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	if m != proxyUp {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// track registers c unless the proxy has left proxyUp meanwhile (or, for
// a silent proxy's held client, unless it has left proxySilent).
func (p *boltProxy) track(c net.Conn, want proxyMode) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode != want {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *boltProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed by cleanup
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		switch mode {
		case proxyDown:
			c.Close()
		case proxySilent:
			p.track(c, proxySilent) // held open, never read
		case proxyUp:
			go p.forward(c)
		}
	}
}

func (p *boltProxy) forward(c net.Conn) {
	if !p.track(c, proxyUp) {
		return
	}
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(s, proxyUp) {
		c.Close()
		return
	}
	// Either side ending ends both, as a dropped TCP path would.
	go func() {
		io.Copy(s, c)
		s.Close()
		c.Close()
	}()
	io.Copy(c, s)
	c.Close()
	s.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

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
	proxy := startBoltProxy(t, u.Host, proxyDown)
	pcfg := cfg
	pcfg.URI = proxy.uri(cfg.URI)
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
		proxy.set(proxyUp)
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
		proxy.set(proxyDown)
		wantUnavailable(t, "Nodes", within(t, limit, "Nodes", read))
		wantUnavailable(t, "Search", within(t, limit, "Search", search))
		wantUnavailable(t, "Ping", within(t, limit, "Ping", ping))
		proxy.set(proxyUp)
		if err := within(t, limit, "Nodes", read); err != nil {
			t.Fatalf("Nodes after the second recovery: %v", err)
		}
	})

	t.Run("silent: calls end with UNAVAILABLE at the timeout, then serve again", func(t *testing.T) {
		proxy.set(proxySilent)
		wantUnavailable(t, "Nodes", within(t, limit, "Nodes", read))
		wantUnavailable(t, "Ping", within(t, limit, "Ping", ping))
		proxy.set(proxyUp)
		if err := within(t, limit, "Ping", ping); err != nil {
			t.Fatalf("Ping after the silence ended: %v", err)
		}
		if err := within(t, limit, "Nodes", read); err != nil {
			t.Fatalf("Nodes after the silence ended: %v", err)
		}
	})
}
