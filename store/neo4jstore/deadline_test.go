package neo4jstore

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/faultproxy"
)

// slowCount counts for many minutes, reading nothing.
const slowCount = `UNWIND range(1, 1000000) AS a UNWIND range(1, 100000) AS b
	WITH a, b WHERE (a * b) % 7919 = 13 RETURN count(*) AS n`

// TestDeadlinesStopTheServersWork runs a statement that would count for
// many minutes under a short deadline, set by the request or by the query
// timeout: the call ends with TIMEOUT (not UNAVAILABLE), the store stays
// up, and the transaction is gone from the server. (The driver drops the
// connection when the context ends, which also ends the transaction; the
// server-side timeout each transaction carries covers a connection the
// server cannot see close.) It is an internal test so that it can send
// such a statement through Store.query, the path every read takes.
func TestDeadlinesStopTheServersWork(t *testing.T) {
	cfg := planServer(t)
	for _, tc := range []struct {
		name           string
		queryTimeout   time.Duration
		requestTimeout time.Duration // 0: no deadline on the request
		says           string
	}{
		{"the request's deadline", time.Hour, 500 * time.Millisecond, "request's deadline"},
		{"the query timeout", 500 * time.Millisecond, 0, "NEO4J_QUERY_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.QueryTimeout = tc.queryTimeout
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			s, err := Open(ctx, c, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			waitFor(t, "the store to be up", func() bool { return s.Availability().Up })

			marker := fmt.Sprintf("citygraph-deadline-test-%d", time.Now().UnixNano())
			running := func() []string {
				recs := serverTransactions(t, s, marker)
				ids := make([]string, 0, len(recs))
				for _, r := range recs {
					id, _ := r.Get("id")
					ids = append(ids, fmt.Sprint(id))
				}
				return ids
			}
			// Whatever happens, leave no counting statement on the shared server.
			t.Cleanup(func() {
				if ids := running(); len(ids) > 0 {
					execOn(t, s, "TERMINATE TRANSACTIONS $ids", map[string]any{"ids": ids})
				}
			})

			reqCtx := context.Background()
			if tc.requestTimeout > 0 {
				var cancel context.CancelFunc
				reqCtx, cancel = context.WithTimeout(reqCtx, tc.requestTimeout)
				defer cancel()
			}
			checks := s.Availability().Checks
			_, err = s.query(reqCtx, "counting", "/* "+marker+" */ "+slowCount, nil)
			if domain.ErrorCode(err) != domain.ETIMEOUT {
				t.Fatalf("got %v (code %q), want TIMEOUT", err, domain.ErrorCode(err))
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("message %q does not name %q", err, tc.says)
			}
			waitFor(t, "the server to stop the transaction", func() bool { return len(running()) == 0 })
			// The timeout made the gate check the server once; it answered.
			waitFor(t, "the gate's check after the timeout", func() bool { return s.Availability().Checks > checks })
			if a := s.Availability(); !a.Up {
				t.Errorf("the store went down after a timeout on a server that answers: %v", a.Reason)
			}
		})
	}
}

// TestTransactionsCarryTheirDeadlineToTheServer cuts the answers of a
// long statement off on their way back, so that neither the store's
// giving up nor its closed connection can reach the server: only the
// timeout the transaction carried can stop the server's work.
func TestTransactionsCarryTheirDeadlineToTheServer(t *testing.T) {
	cfg := planServer(t)
	u, err := url.Parse(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.Start(t, u.Host, faultproxy.Up)
	c := cfg
	c.URI = proxy.URI(cfg.URI)
	c.ConnectTimeout = time.Second
	// Long enough for the watcher below to see the statement running on
	// a busy machine; the statement itself would run for many minutes.
	c.QueryTimeout = 30 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Open(ctx, c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	waitFor(t, "the store to be up", func() bool { return s.Availability().Up })
	// The server itself, not through the proxy, for watching.
	direct, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { direct.Close() })

	marker := fmt.Sprintf("citygraph-tx-timeout-test-%d", time.Now().UnixNano())
	t.Cleanup(func() {
		recs := serverTransactions(t, direct, marker)
		for _, r := range recs {
			id, _ := r.Get("id")
			execOn(t, direct, "TERMINATE TRANSACTIONS $id", map[string]any{"id": fmt.Sprint(id)})
		}
	})
	// A pooled connection, so that the statement needs no answer from the
	// server before it is sent.
	if _, err := s.query(ctx, "warming up", "RETURN 1 AS one", nil); err != nil {
		t.Fatalf("a first read: %v", err)
	}
	proxy.Set(faultproxy.Stalled)

	var seen atomic.Bool
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if n, err := countTransactions(direct, marker); err == nil && n > 0 {
				seen.Store(true)
				return
			}
		}
	}()
	_, err = s.query(context.Background(), "counting", "/* "+marker+" */ "+slowCount, nil)
	close(stop)
	<-watched
	if domain.ErrorCode(err) != domain.ETIMEOUT {
		t.Errorf("got %v (code %q), want TIMEOUT", err, domain.ErrorCode(err))
	}
	if !seen.Load() {
		t.Fatal("the statement was never seen running on the server; the test proves nothing")
	}
	waitFor(t, "the server to stop the transaction at its timeout", func() bool {
		return len(serverTransactions(t, direct, marker)) == 0
	})
}

const transactionsWith = `SHOW TRANSACTIONS YIELD transactionId AS id, currentQuery
	WHERE currentQuery CONTAINS $marker AND NOT currentQuery STARTS WITH 'SHOW'
	RETURN id`

// serverTransactions lists the server's transactions whose statement
// contains marker, other than the listing itself.
func serverTransactions(t *testing.T, s *Store, marker string) []*neo4j.Record {
	t.Helper()
	return execOn(t, s, transactionsWith, map[string]any{"marker": marker})
}

// countTransactions is serverTransactions for a goroutine other than the
// test's, which may not fail the test.
func countTransactions(s *Store, marker string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := neo4j.ExecuteQuery(ctx, s.driver, transactionsWith, map[string]any{"marker": marker}, neo4j.EagerResultTransformer)
	if err != nil {
		return 0, err
	}
	return len(res.Records), nil
}

// execOn runs an administrative statement on the store's driver, outside
// the gate.
func execOn(t *testing.T, s *Store, cypher string, params map[string]any) []*neo4j.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := neo4j.ExecuteQuery(ctx, s.driver, cypher, params, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatalf("%s: %v", cypher, err)
	}
	return res.Records
}
