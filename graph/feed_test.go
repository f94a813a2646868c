package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/coder/websocket"
)

// loggedStore is a store with an in-memory change log, shared by every
// handler over it as one Neo4j is shared by several instances.
type loggedStore struct {
	domain.Store
	mu   sync.Mutex
	sets []domain.ChangeSet
}

func (s *loggedStore) Write(_ context.Context, w *domain.Write) (*domain.ChangeSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := domain.ChangeSet{Seq: int64(len(s.sets) + 1), At: time.Now().UTC(), Author: w.Author, Operation: w.Operation}
	s.sets = append(s.sets, cs)
	return &cs, nil
}

func (s *loggedStore) Changes(_ context.Context, after int64, first int) ([]domain.ChangeSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if after >= int64(len(s.sets)) {
		return nil, nil
	}
	end := min(int(after)+first, len(s.sets))
	return append([]domain.ChangeSet(nil), s.sets[after:end]...), nil
}

func (s *loggedStore) History(context.Context, domain.NodeKey, int) ([]domain.ChangeSet, error) {
	return nil, nil
}

func (s *loggedStore) write(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := s.Write(context.Background(), &domain.Write{Operation: "updateCity", Author: "tester"}); err != nil {
			t.Fatal(err)
		}
	}
}

// feedServer serves a real handler over st on a loopback port.
func feedServer(t *testing.T, st domain.Store, opts ...graph.Option) *httptest.Server {
	t.Helper()
	authn, _ := credentials(t)
	h := authn.Middleware(auth.Refuse(graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure, opts...)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// wsClient speaks graphql-transport-ws over a real websocket.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dial opens a websocket to srv and sends connection_init with payload;
// it fails the test unless the server acknowledges.
func dial(t *testing.T, srv *httptest.Server, payload map[string]any) *wsClient {
	t.Helper()
	c, err := dialRaw(t, srv, payload, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := c.next(); m.Type != "connection_ack" {
		t.Fatalf("after connection_init: got %s %s, want connection_ack", m.Type, m.Payload)
	}
	return c
}

func dialRaw(t *testing.T, srv *httptest.Server, payload map[string]any, header http.Header) (*wsClient, error) {
	t.Helper()
	// A generous deadline for the whole exchange: a bound, never a measure.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, ctx: ctx}
	p, _ := json.Marshal(payload)
	c.send(wsMessage{Type: "connection_init", Payload: p})
	return c, nil
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	if err := c.conn.Write(c.ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("websocket write: %v", err)
	}
}

// next returns the next message other than a ping or pong (answering pings).
func (c *wsClient) next() wsMessage {
	c.t.Helper()
	for {
		_, b, err := c.conn.Read(c.ctx)
		if err != nil {
			c.t.Fatalf("websocket read: %v", err)
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("message is not JSON: %s", b)
		}
		switch m.Type {
		case "ping":
			c.send(wsMessage{Type: "pong"})
		case "pong", "ka":
		default:
			return m
		}
	}
}

func (c *wsClient) subscribe(id string, after int) {
	c.t.Helper()
	p, _ := json.Marshal(map[string]any{
		"query":     `subscription($after: Int) { changes(after: $after) { seq author operation at } }`,
		"variables": map[string]any{"after": after}})
	c.send(wsMessage{ID: id, Type: "subscribe", Payload: p})
}

// seqs reads n change sets of subscription id and returns their numbers.
func (c *wsClient) seqs(id string, n int) []int64 {
	c.t.Helper()
	var got []int64
	for len(got) < n {
		m := c.next()
		if m.ID != id || m.Type != "next" {
			c.t.Fatalf("got %s %s for %q, want the next change set of %q", m.Type, m.Payload, m.ID, id)
		}
		var p struct {
			Data struct {
				Changes struct {
					Seq       int64
					Author    string
					Operation string
				}
			}
			Errors json.RawMessage
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
			c.t.Fatalf("payload %s: %v", m.Payload, err)
		}
		if p.Data.Changes.Author != "tester" || p.Data.Changes.Operation != "updateCity" {
			c.t.Fatalf("change set %s: want author tester, operation updateCity", m.Payload)
		}
		got = append(got, p.Data.Changes.Seq)
	}
	return got
}

func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func sameSeqs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// fastPoll makes a feed notice writes made straight to the store soon;
// the tests wait on messages, not on time.
var fastPoll = graph.WithFeed(graph.FeedConfig{Poll: 10 * time.Millisecond, MaxPerClient: 4, MaxTotal: 100, KeepAlive: time.Minute})

func TestFeedDeliversTheLogInOrder(t *testing.T) {
	st := &loggedStore{Store: projectStore(t)}
	st.write(t, 2)
	srv := feedServer(t, st, fastPoll)

	c := dial(t, srv, nil)
	c.subscribe("1", 0)
	sameSeqs(t, "the log so far", c.seqs("1", 2), seqRange(1, 2))
	st.write(t, 150) // more than one read of the log
	sameSeqs(t, "then each set as it commits", c.seqs("1", 150), seqRange(3, 152))

	// Reconnect with the last sequence number: nothing missed, nothing twice.
	c.conn.Close(websocket.StatusNormalClosure, "")
	st.write(t, 3)
	c = dial(t, srv, nil)
	c.subscribe("2", 152)
	st.write(t, 1)
	sameSeqs(t, "after reconnecting", c.seqs("2", 4), seqRange(153, 156))
}

func TestTwoInstancesDeliverTheSameFeed(t *testing.T) {
	st := &loggedStore{Store: projectStore(t)}
	a, b := feedServer(t, st, fastPoll), feedServer(t, st, fastPoll)
	ca, cb := dial(t, a, nil), dial(t, b, nil)
	ca.subscribe("a", 0)
	cb.subscribe("b", 0)
	st.write(t, 20)
	sameSeqs(t, "instance a", ca.seqs("a", 20), seqRange(1, 20))
	sameSeqs(t, "instance b", cb.seqs("b", 20), seqRange(1, 20))
}

func TestFeedBoundsAndCredentials(t *testing.T) {
	st := &loggedStore{Store: projectStore(t)}
	st.write(t, 1)
	authn, headers := credentials(t)
	serve := func(access graph.Access, feed graph.FeedConfig) *httptest.Server {
		feed.Authenticator = authn
		h := authn.Middleware(auth.Refuse(graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure,
			graph.WithAccess(access), graph.WithFeed(feed))))
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv
	}
	base := graph.FeedConfig{Poll: 10 * time.Millisecond, MaxPerClient: 1, MaxTotal: 100, KeepAlive: time.Minute}

	t.Run("a client over its bound is refused", func(t *testing.T) {
		c := dial(t, serve(graph.Access{}, base), nil)
		c.subscribe("1", 0)
		sameSeqs(t, "first subscription", c.seqs("1", 1), []int64{1})
		c.subscribe("2", 0)
		if m := c.next(); m.ID != "2" || !strings.Contains(string(m.Payload), "RATE_LIMITED") {
			t.Errorf("second subscription: got %s %s, want RATE_LIMITED", m.Type, m.Payload)
		}
	})
	t.Run("a reader's key in the init payload opens a required feed", func(t *testing.T) {
		c := dial(t, serve(graph.Access{RequireReader: true}, base), map[string]any{"Authorization": headers[auth.Reader]})
		c.subscribe("1", 0)
		sameSeqs(t, "the feed", c.seqs("1", 1), []int64{1})
	})
	t.Run("anonymous is refused a required feed", func(t *testing.T) {
		c := dial(t, serve(graph.Access{RequireReader: true}, base), nil)
		c.subscribe("1", 0)
		if m := c.next(); m.ID != "1" || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
			t.Errorf("got %s %s, want UNAUTHENTICATED", m.Type, m.Payload)
		}
	})
	t.Run("a bad key closes the connection", func(t *testing.T) {
		c, err := dialRaw(t, serve(graph.Access{}, base), map[string]any{"Authorization": "Bearer cgk_wrong"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for {
			_, b, err := c.conn.Read(c.ctx)
			if err != nil {
				if got := websocket.CloseStatus(err); got != 4403 {
					t.Errorf("close status: got %d (%v), want 4403", got, err)
				}
				return
			}
			if strings.Contains(string(b), "connection_ack") {
				t.Fatalf("a bad key was acknowledged: %s", b)
			}
		}
	})
	t.Run("a page of another origin is refused", func(t *testing.T) {
		cfg := base
		cfg.Origins = []string{"https://app.example.org"}
		srv := serve(graph.Access{}, cfg)
		if _, err := dialRaw(t, srv, nil, http.Header{"Origin": {"https://evil.example"}}); err == nil {
			t.Error("a websocket from https://evil.example was accepted")
		}
		c := dial2(t, srv, http.Header{"Origin": {"https://app.example.org"}})
		c.subscribe("1", 0)
		sameSeqs(t, "the allowed origin's feed", c.seqs("1", 1), []int64{1})
	})
}

func dial2(t *testing.T, srv *httptest.Server, header http.Header) *wsClient {
	t.Helper()
	c, err := dialRaw(t, srv, nil, header)
	if err != nil {
		t.Fatal(err)
	}
	if m := c.next(); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	return c
}
