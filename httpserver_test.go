package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/admission"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/embedded"
)

// patience bounds every wait on a condition: generous, for a busy machine.
const patience = 30 * time.Second

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// pipeListener is an in-memory listener: within a synctest bubble every
// wait on it is one the bubble can see, so a test can wait until the
// server can do nothing more, and a timeout passes in virtual time.
type pipeListener struct {
	conns chan net.Conn // the listen backlog
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn, 64), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial opens a connection; it waits in the backlog until the server accepts it.
func (l *pipeListener) dial() net.Conn {
	server, client := net.Pipe()
	l.conns <- server
	return client
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// serveInBubble serves h as serve does (cfg's timeouts, header bound and
// connection limit) on a pipeListener; call it inside synctest.Test.
func serveInBubble(t *testing.T, cfg httpConfig, h http.Handler) *pipeListener {
	t.Helper()
	ln := newPipeListener()
	srv := newHTTPServer(cfg, h, quietLog())
	go srv.Serve(limitConnections(ln, cfg))
	t.Cleanup(func() { srv.Close() })
	return ln
}

func TestSlowClientsAreCutOff(t *testing.T) {
	cfg := defaultHTTPConfig // the settings an operator gets
	tests := []struct {
		name    string
		headers string
		limit   time.Duration
	}{
		{"a body sent a byte a second", "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n", cfg.readTimeout},
		{"headers sent a byte a second", "", cfg.readHeaderTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st := emptyStore(t)
				ln := serveInBubble(t, cfg, admittingServer(t, st, admission.Config{}))
				conn := ln.dial()
				defer conn.Close()
				start := time.Now()
				closed := make(chan string)
				go func() { b, _ := io.ReadAll(conn); closed <- string(b) }()
				trickle := tc.headers
				if trickle == "" {
					trickle = "POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("x", 1000)
				} else {
					fmt.Fprint(conn, trickle)
					trickle = `{"query":"` + strings.Repeat(" ", 1000)
				}
				// One byte a second (in the bubble's virtual time) until the
				// server hangs up.
				sent := 0
				for _, b := range []byte(trickle) {
					if _, err := conn.Write([]byte{b}); err != nil {
						break
					}
					sent++
					time.Sleep(time.Second)
				}
				answer := <-closed
				elapsed := time.Since(start)
				if elapsed > tc.limit+2*time.Second || sent >= len(trickle) {
					t.Errorf("the server hung up after %s and %d bytes; want it to at %s", elapsed, sent, tc.limit)
				}
				if tc.headers != "" && (!strings.HasPrefix(answer, "HTTP/1.1 400") || !strings.Contains(answer, "INVALID_ARGUMENT")) {
					t.Errorf("answer = %q, want 400 with INVALID_ARGUMENT", answer)
				}
			})
		})
	}
}

func TestConnectionLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, clients = 2, 8
		var inside atomic.Int64
		release := make(chan struct{})
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			inside.Add(1)
			defer inside.Add(-1)
			<-release
		})
		cfg := defaultHTTPConfig
		cfg.maxConnections = limit
		ln := serveInBubble(t, cfg, h)

		var wg sync.WaitGroup
		statuses := make(chan int, clients)
		for range clients {
			wg.Go(func() {
				conn := ln.dial()
				defer conn.Close()
				fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					statuses <- 0
					return
				}
				statuses <- resp.StatusCode
			})
		}
		// Wait until neither the server nor any client can move: every
		// connection the server may accept is being served.
		synctest.Wait()
		if got := inside.Load(); got != limit {
			t.Errorf("%d requests are being served, want %d (the connection limit)", got, limit)
		}
		close(release)
		wg.Wait()
		close(statuses)
		for s := range statuses {
			if s != http.StatusOK {
				t.Errorf("a client got %d, want 200 once connections were free", s)
			}
		}
	})
}

// blockingStore holds the first hold ListNodes calls until release is
// closed (each says so on entered) and answers the rest at once, so that a
// bound that fails lets a request through rather than hanging the test.
type blockingStore struct {
	domain.Store
	hold    int64
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func (s *blockingStore) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	if s.calls.Add(1) <= s.hold {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.Store.ListNodes(ctx, q)
}

func emptyStore(t *testing.T) domain.Store {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type graphqlError struct {
	Message    string
	Extensions map[string]any
}

// postQuery posts a query that lists cities from remote to h.
func postQuery(t *testing.T, h http.Handler, remote string) (*httptest.ResponseRecorder, []graphqlError) {
	t.Helper()
	req := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"{ cities(first: 1) { totalCount } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body struct{ Errors []graphqlError }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Errorf("response is not JSON: %v: %s", err, rec.Body.String()) // no Fatal: postQuery runs in goroutines
	}
	return rec, body.Errors
}

func TestGraphQLAdmission(t *testing.T) {
	t.Run("beyond the requests in flight: 503 with Retry-After", func(t *testing.T) {
		const n = 2
		st := &blockingStore{Store: emptyStore(t), hold: n, entered: make(chan struct{}), release: make(chan struct{})}
		h := admittingServer(t, st, admission.Config{MaxInFlight: n})
		var wg sync.WaitGroup
		codes := make(chan int, n)
		for i := range n {
			wg.Go(func() {
				rec, _ := postQuery(t, h, fmt.Sprintf("192.0.2.%d:1", i+1))
				codes <- rec.Code
			})
		}
		for i := range n {
			select {
			case <-st.entered:
			case <-time.After(patience):
				t.Fatalf("request %d never reached the store", i+1)
			}
		}
		rec, errs := postQuery(t, h, "192.0.2.9:1")
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("request %d = %d Retry-After %q, want 503 with Retry-After", n+1, rec.Code, rec.Header().Get("Retry-After"))
		}
		if len(errs) != 1 || errs[0].Extensions["code"] != "UNAVAILABLE" || !strings.Contains(errs[0].Message, "busy") {
			t.Errorf("errors = %+v, want one UNAVAILABLE saying the server is busy", errs)
		}
		close(st.release)
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != http.StatusOK {
				t.Errorf("a request in flight ended with %d, want 200", c)
			}
		}
	})

	t.Run("beyond the rate: 429 RATE_LIMITED", func(t *testing.T) {
		const burst = 3
		h := admittingServer(t, emptyStore(t), admission.Config{Rate: 0.001, Burst: burst, Clients: 10})
		for i := range burst {
			if rec, errs := postQuery(t, h, "192.0.2.1:1"); rec.Code != http.StatusOK || len(errs) > 0 {
				t.Fatalf("request %d = %d %+v, want 200", i+1, rec.Code, errs)
			}
		}
		rec, errs := postQuery(t, h, "192.0.2.1:1")
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Errorf("request %d = %d Retry-After %q, want 429 with Retry-After", burst+1, rec.Code, rec.Header().Get("Retry-After"))
		}
		if len(errs) != 1 || errs[0].Extensions["code"] != string(domain.ERATELIMIT) {
			t.Errorf("errors = %+v, want one RATE_LIMITED", errs)
		}
		if rec, _ := postQuery(t, h, "192.0.2.2:1"); rec.Code != http.StatusOK {
			t.Errorf("another client got %d, want 200", rec.Code)
		}
	})
}

func TestLoadHTTPConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(httpConfig) bool
		wantErr []string
	}{
		{"defaults", nil, func(c httpConfig) bool {
			return c.readTimeout == 15*time.Second && c.writeTimeout == time.Minute && c.maxConnections == 1024 &&
				c.admission.MaxInFlight == 64 && c.admission.MaxInFlightPerClient == 16 && c.admission.Rate == 20 && c.admission.Burst == 40
		}, nil},
		{"durations and seconds", map[string]string{"CITYGRAPH_READ_TIMEOUT": "5s", "CITYGRAPH_IDLE_TIMEOUT": "30"}, func(c httpConfig) bool {
			return c.readTimeout == 5*time.Second && c.idleTimeout == 30*time.Second
		}, nil},
		{"limits", map[string]string{"CITYGRAPH_MAX_CONNECTIONS": "10", "CITYGRAPH_MAX_IN_FLIGHT": "3", "CITYGRAPH_MAX_IN_FLIGHT_PER_CLIENT": "0", "CITYGRAPH_RATE_LIMIT": "0.5",
			"CITYGRAPH_RATE_BURST": "2", "CITYGRAPH_RATE_CLIENTS": "7", "CITYGRAPH_MAX_HEADER_BYTES": "8192"}, func(c httpConfig) bool {
			return c.maxConnections == 10 && c.admission.MaxInFlight == 3 && c.admission.MaxInFlightPerClient == 0 && c.admission.Rate == 0.5 &&
				c.admission.Burst == 2 && c.admission.Clients == 7 && c.maxHeaderBytes == 8192
		}, nil},
		{"rate limit off", map[string]string{"CITYGRAPH_RATE_LIMIT": "0"}, func(c httpConfig) bool { return c.admission.Rate == 0 }, nil},
		{"trusted proxies", map[string]string{"CITYGRAPH_TRUSTED_PROXIES": "10.0.0.0/8"}, func(c httpConfig) bool {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr, r.Header["X-Forwarded-For"] = "10.0.0.1:1", []string{"203.0.113.5"}
			return c.admission.Key(r) == "203.0.113.5"
		}, nil},
		{"a bad duration", map[string]string{"CITYGRAPH_WRITE_TIMEOUT": "soon"}, nil, []string{"CITYGRAPH_WRITE_TIMEOUT"}},
		{"a zero timeout", map[string]string{"CITYGRAPH_READ_TIMEOUT": "0s"}, nil, []string{"CITYGRAPH_READ_TIMEOUT"}},
		{"a write timeout shorter than a request", map[string]string{"CITYGRAPH_WRITE_TIMEOUT": "20s"}, nil, []string{"longer than the read timeout plus the request timeout"}},
		{"no connections", map[string]string{"CITYGRAPH_MAX_CONNECTIONS": "0"}, nil, []string{"CITYGRAPH_MAX_CONNECTIONS"}},
		{"a negative rate", map[string]string{"CITYGRAPH_RATE_LIMIT": "-1"}, nil, []string{"CITYGRAPH_RATE_LIMIT"}},
		{"a proxy that is no address", map[string]string{"CITYGRAPH_TRUSTED_PROXIES": "lb.internal"}, nil, []string{"CITYGRAPH_TRUSTED_PROXIES"}},
		{"every bad value at once", map[string]string{"CITYGRAPH_RATE_BURST": "x", "CITYGRAPH_IDLE_TIMEOUT": "y"}, nil, []string{"CITYGRAPH_RATE_BURST", "CITYGRAPH_IDLE_TIMEOUT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadHTTPConfig(func(k string) string { return tc.env[k] })
			if tc.wantErr != nil {
				for _, want := range tc.wantErr {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("error = %v, want one naming %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("config = %+v, not as the settings say", c)
			}
		})
	}
}

// admittingServer is the whole HTTP surface with the default settings but
// for adm, the admission bounds under test.
func admittingServer(t *testing.T, st domain.Store, adm admission.Config) http.Handler {
	t.Helper()
	cfg, _, err := loadConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.http.admission = adm
	return NewServer(st, quietLog(), cfg, telemetry.New(telemetry.Options{}))
}
