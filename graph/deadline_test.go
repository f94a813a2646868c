package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// steppedDeadline is a request context whose deadline passes when the
// test says, not on a clock. The context package propagates a parent's
// end to its children through AfterFunc synchronously, so once expire
// returns every context the request derived from it is done: the test
// knows exactly which work came after the deadline.
type steppedDeadline struct {
	context.Context
	mu      sync.Mutex
	done    chan struct{}
	expired bool
	after   []func()
}

func newSteppedDeadline(parent context.Context) *steppedDeadline {
	return &steppedDeadline{Context: parent, done: make(chan struct{})}
}

func (c *steppedDeadline) Done() <-chan struct{} { return c.done }

func (c *steppedDeadline) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expired {
		return context.DeadlineExceeded
	}
	return nil
}

func (c *steppedDeadline) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := len(c.after)
	c.after = append(c.after, f)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.expired || c.after[i] == nil {
			return false
		}
		c.after[i] = nil
		return true
	}
}

func (c *steppedDeadline) expire() {
	c.mu.Lock()
	if c.expired {
		c.mu.Unlock()
		return
	}
	c.expired = true
	close(c.done)
	fs := c.after
	c.mu.Unlock()
	for _, f := range fs {
		if f != nil {
			f()
		}
	}
}

// expiringStore counts store calls and passes the request's deadline as
// its expireAt-th call returns, as a slow store would.
type expiringStore struct {
	domain.Store
	deadline *steppedDeadline
	expireAt int64
	calls    atomic.Int64
}

func (s *expiringStore) call() {
	if s.calls.Add(1) == s.expireAt {
		s.deadline.expire()
	}
}

func (s *expiringStore) Nodes(ctx context.Context, k []domain.NodeKey) ([]domain.Node, error) {
	defer s.call()
	return s.Store.Nodes(ctx, k)
}

func (s *expiringStore) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	defer s.call()
	return s.Store.ListNodes(ctx, q)
}

func (s *expiringStore) Edges(ctx context.Context, q domain.EdgeQuery, a []domain.NodeKey) ([]domain.EdgePage, error) {
	defer s.call()
	return s.Store.Edges(ctx, q, a)
}

func (s *expiringStore) Neighbourhood(ctx context.Context, q domain.NeighbourhoodQuery) (domain.Subgraph, error) {
	defer s.call()
	return s.Store.Neighbourhood(ctx, q)
}

func (s *expiringStore) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	defer s.call()
	return s.Store.Near(ctx, q)
}

// synthStore returns an in-memory embedded store holding a synthetic
// graph of about cities cities.
func synthStore(t *testing.T, cities int) domain.Store {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Apply(context.Background(), synth.Generate(7, cities), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

// response is a decoded GraphQL response.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// serve posts query to h with ctx as the request's context.
func serve(t *testing.T, h http.Handler, ctx context.Context, query string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("response %q is not JSON: %v", rec.Body.String(), err)
	}
	return r
}

// oneError checks that r is exactly one error with the code, no data.
func oneError(t *testing.T, r response, code domain.Code) string {
	t.Helper()
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != string(code) {
		t.Fatalf("errors = %+v; want exactly one with code %s", r.Errors, code)
	}
	if d := string(r.Data); d != "" && d != "null" {
		t.Errorf("data = %s; want null beside the %s error", d, code)
	}
	return r.Errors[0].Message
}

// chainQuery reads the store one call per level, each level waiting on
// the one before: a city, its first partner, that partner's first
// partner, and so on, so the calls after a deadline can be counted exactly.
const chainQuery = `{ city(slug: "city-00399") { name partners(first: 1) { edges { node { name
	partners(first: 1) { edges { node { name partners(first: 1) { edges { node { name } } } } } } } } } } }`

func TestDeadlineStopsTheRequest(t *testing.T) {
	st := synthStore(t, 400)
	run := func(expireAt int64) (response, *expiringStore, telemetry.Reason) {
		rec := &telemetry.Request{}
		dl := newSteppedDeadline(telemetry.WithRequest(context.Background(), rec))
		es := &expiringStore{Store: st, deadline: dl, expireAt: expireAt}
		if expireAt == 0 {
			dl.expire()
		}
		r := serve(t, graph.NewHandler(es, quietLog(), graph.DefaultLimits, graph.DefaultExposure), dl, chainQuery)
		_, _, refusal, _ := rec.Snapshot()
		return r, es, refusal
	}

	free, es, _ := run(-1) // never expires
	if len(free.Errors) > 0 {
		t.Fatalf("with no deadline: errors %+v", free.Errors)
	}
	total := es.calls.Load()
	if total < 7 {
		t.Fatalf("the query made %d store calls with no deadline; the test needs its seven levels", total)
	}

	for expireAt := range total { // 0: the deadline passed before the request began
		r, es, refusal := run(expireAt)
		msg := oneError(t, r, domain.ETIMEOUT)
		if got := es.calls.Load(); got != expireAt {
			t.Errorf("deadline at store call %d: the request made %d store calls; want none after the deadline", expireAt, got)
		}
		if !strings.Contains(msg, "longer than the server allows") || !strings.Contains(msg, "ask for less") {
			t.Errorf("message %q; want it to say the request took too long and what to ask instead", msg)
		}
		if refusal != telemetry.RefusedTimeout {
			t.Errorf("deadline at store call %d: telemetry refusal %q, want %q", expireAt, refusal, telemetry.RefusedTimeout)
		}
	}
}

// TestDeadlineStopsAnAnalytic: an analytic that passes the deadline in the
// embedded store's loops comes back as TIMEOUT, not UNAVAILABLE.
func TestDeadlineStopsAnAnalytic(t *testing.T) {
	st := synthStore(t, 400)
	dl := newSteppedDeadline(context.Background())
	// The analytic's own store call returns after the deadline passed.
	es := &expiringStore{Store: st, deadline: dl, expireAt: 1}
	r := serve(t, graph.NewHandler(es, quietLog(), graph.DefaultLimits, graph.DefaultExposure), dl,
		`{ near(point: {lat: 20, lon: 110}, withinKm: 20000, first: 5) { distanceKm city { name partners { totalCount } } } }`)
	oneError(t, r, domain.ETIMEOUT)
	if got := es.calls.Load(); got != 1 {
		t.Errorf("store calls = %d; want 1, none after the deadline", got)
	}
}
