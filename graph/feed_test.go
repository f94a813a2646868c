package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/coder/websocket"
)

// writtenStore is the project's store, whose seed load the change log
// already records, with n more change sets written to it.
type writtenStore struct {
	domain.Store
	t      *testing.T
	logged int64 // change sets in the log
	pop    int64
}

func newWrittenStore(t *testing.T) *writtenStore {
	t.Helper()
	st := projectStore(t)
	sets, err := st.(domain.Writer).Changes(context.Background(), 0, domain.MaxPageSize)
	if err != nil || len(sets) == 0 {
		t.Fatalf("the seed load's change sets: %d, %v", len(sets), err)
	}
	return &writtenStore{Store: st, t: t, logged: sets[len(sets)-1].Seq, pop: 8_000_000}
}

// write commits n updates of Nanning's population, one change set each.
func (s *writtenStore) write(n int) {
	s.t.Helper()
	for i := 0; i < n; i++ {
		s.pop++
		city := &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{"reference-facts"}}, Population: s.pop, PopulationYear: 2020}
		cs, err := s.Store.(domain.Writer).Write(context.Background(), &domain.Write{Operation: "updateCity", Author: "tester",
			Nodes: []domain.NodeChange{{Mode: domain.Update, Node: city}}})
		if err != nil {
			s.t.Fatal(err)
		}
		if s.logged++; cs.Seq != s.logged {
			s.t.Fatalf("the write's seq: got %d, want %d", cs.Seq, s.logged)
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
	st := newWrittenStore(t)
	st.write(2)
	srv := feedServer(t, st.Store, fastPoll)

	c := dial(t, srv, nil)
	c.subscribe("1", 0)
	n := st.logged
	sameSeqs(t, "the log so far", c.seqs("1", int(n)), seqRange(1, n))
	st.write(150) // more than one read of the log
	sameSeqs(t, "then each set as it commits", c.seqs("1", 150), seqRange(n+1, n+150))

	// Reconnect with the last sequence number: nothing missed, nothing twice.
	c.conn.Close(websocket.StatusNormalClosure, "")
	last := st.logged
	st.write(3)
	c = dial(t, srv, nil)
	c.subscribe("2", int(last))
	st.write(1)
	sameSeqs(t, "after reconnecting", c.seqs("2", 4), seqRange(last+1, last+4))
}

func TestTwoInstancesDeliverTheSameFeed(t *testing.T) {
	st := newWrittenStore(t)
	a, b := feedServer(t, st.Store, fastPoll), feedServer(t, st.Store, fastPoll)
	ca, cb := dial(t, a, nil), dial(t, b, nil)
	from := int(st.logged)
	ca.subscribe("a", from)
	cb.subscribe("b", from)
	st.write(20)
	want := seqRange(int64(from)+1, st.logged)
	sameSeqs(t, "instance a", ca.seqs("a", 20), want)
	sameSeqs(t, "instance b", cb.seqs("b", 20), want)
}

func TestFeedBoundsAndCredentials(t *testing.T) {
	st := newWrittenStore(t)
	authn, headers := credentials(t)
	serve := func(access graph.Access, feed graph.FeedConfig) *httptest.Server {
		feed.Authenticator = authn
		h := authn.Middleware(auth.Refuse(graph.NewHandler(st.Store, quietLog(), graph.DefaultLimits, graph.DefaultExposure,
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
	t.Run("a mutation over the websocket needs its role too", func(t *testing.T) {
		c := dial(t, serve(graph.Access{}, base), nil)
		p, _ := json.Marshal(map[string]any{"query": `mutation { deleteCity(input: {slug: "nanning"}) { deletedId } }`})
		c.send(wsMessage{ID: "m", Type: "subscribe", Payload: p})
		if m := c.next(); m.ID != "m" || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
			t.Errorf("got %s %s, want UNAUTHENTICATED", m.Type, m.Payload)
		}
		if ns, err := st.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}}); err != nil || ns[0] == nil {
			t.Errorf("Nanning after the refused delete: %v, %v", ns, err)
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

// A mutation through this instance wakes its feeds at once: with a poll
// of an hour, the second change set can only arrive by a wake-up, as the
// first one shows that the feed has read the log and waits. Its author is
// the credential's subject.
func TestAMutationWakesTheFeed(t *testing.T) {
	st := newWrittenStore(t)
	authn, headers := credentials(t)
	h := authn.Middleware(auth.Refuse(graph.NewHandler(st.Store, quietLog(), graph.DefaultLimits, graph.DefaultExposure,
		graph.WithFeed(graph.FeedConfig{Poll: time.Hour, MaxPerClient: 4, MaxTotal: 100, KeepAlive: time.Minute}))))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	c := dial(t, srv, nil)
	from := st.logged
	c.subscribe("1", int(from))
	for i, population := range []int{1234567, 1234568} {
		body := postBody(t, h, headers[auth.Editor], fmt.Sprintf(
			`mutation { updateCity(input: {slug: "nanning", population: %d, populationYear: 2021, sources: ["reference-facts"]}) { changeSeq } }`, population))
		if !strings.Contains(body, fmt.Sprintf(`"changeSeq":%d`, from+int64(i)+1)) {
			t.Fatalf("updateCity: got %s", body)
		}
		m := c.next()
		if m.Type != "next" || !strings.Contains(string(m.Payload), `"author":"the-editor"`) ||
			!strings.Contains(string(m.Payload), fmt.Sprintf(`"seq":%d`, from+int64(i)+1)) {
			t.Fatalf("got %s %s, want change set %d by the-editor", m.Type, m.Payload, from+int64(i)+1)
		}
	}
}

func postBody(t *testing.T, h http.Handler, authorization, doc string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": doc})
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", authorization)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Body.String()
}
