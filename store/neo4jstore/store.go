// Package neo4jstore is the Neo4j implementation of domain.Store.
//
// Data model: every node carries the label of its kind and the common label
// :Entity with key = "Kind:slug"; properties are flat (a City's location is
// a WGS 84 point, money is amount in hundredths plus currency, dates are
// strings, sources a list of Source slugs). Edges are relationships typed by
// their domain.EdgeKind; PARTNER_OF is stored once, lesser end first, and
// matched undirected. Nodes and relationships also keep fp, a fingerprint of
// their domain value, which Apply compares to report unchanged rows without
// reading every property back.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/citygraph/citygraph/domain"
)

// Store is a domain.Store backed by one Neo4j driver.
type Store struct {
	cfg    Config
	driver neo4j.DriverWithContext
	// checker is a second, two-connection driver for the availability
	// gate's checks and Ping, so that a pool busy with long queries never
	// looks like a server that is away.
	checker neo4j.DriverWithContext
	gate    *availability
	log     *slog.Logger

	// migrateMu serialises the migrations, which the gate's checks run;
	// migrated is set once the schema is in place, so a store opened
	// while Neo4j was down becomes usable when the server answers, without
	// a restart.
	migrateMu sync.Mutex
	migrated  bool
}

var (
	_ domain.Store   = (*Store)(nil)
	_ domain.LoadLog = (*Store)(nil)
)

// Driver settings that make an outage short for callers. The driver
// retries transient failures with backoff from 1 s for up to
// maxRetryTime; a call in flight when the server goes away would keep
// retrying that long before the gate learns of it, so the window is a few
// seconds, not the query timeout. Connections idle longer than
// livenessCheckAfter are checked with a round trip before use, so that
// one dropped by the network while idle costs a round trip, not a failed
// call.
const (
	maxRetryTime       = 3 * time.Second
	livenessCheckAfter = 30 * time.Second
)

// Open creates the drivers and starts the availability gate's checks. It
// returns once the server has answered and the migrations have run, or
// when ctx ends (without a deadline: after one connect timeout). A server
// that is away does not fail Open: the store is returned, calls answer
// EUNAVAILABLE at once until the gate finds the server back, and calls
// made while a check runs the migrations wait for it. Open fails only for
// a bad configuration or a migration that the server rejects.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	newDriver := func(poolSize int) (neo4j.DriverWithContext, error) {
		return neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.Username, cfg.Password, ""),
			func(c *config.Config) {
				c.MaxConnectionPoolSize = poolSize
				c.SocketConnectTimeout = cfg.ConnectTimeout
				c.ConnectionAcquisitionTimeout = cfg.ConnectTimeout
				c.MaxTransactionRetryTime = min(cfg.QueryTimeout, maxRetryTime)
				c.ConnectionLivenessCheckTimeout = livenessCheckAfter
			})
	}
	driver, err := newDriver(cfg.MaxPoolSize)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "cannot use NEO4J_URI %s: %v", cfg.redacted(), err)
	}
	checker, err := newDriver(2)
	if err != nil {
		driver.Close(context.Background())
		return nil, domain.Errorf(domain.EINVALID, "cannot use NEO4J_URI %s: %v", cfg.redacted(), err)
	}
	s := &Store{cfg: cfg, driver: driver, checker: checker, log: log.With("store", "neo4j", "uri", cfg.redacted())}
	s.gate = newAvailability(s.check, s.log)
	s.gate.start()

	// Wait while ctx allows; without a deadline, give the server one
	// connect timeout so that Open never blocks the service. The watcher
	// goes on after that, and calls wait for migrations it has begun.
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer cancel()
	}
	for {
		up, reason, changed := s.gate.state()
		if up {
			return s, nil
		}
		if c := domain.ErrorCode(reason); c != domain.EUNAVAILABLE && c != domain.ETIMEOUT {
			s.Close() // the server rejected a migration
			return nil, reason
		}
		select {
		case <-ctx.Done():
			s.log.Warn("Neo4j is not ready; the store will serve once it is", "err", reason)
			return s, nil
		case <-changed:
		}
	}
}

// check is the availability gate's test of the server: it answers a
// connectivity check within the connect timeout, and the migrations have
// run (running them if not; reached is called before they start).
func (s *Store) check(ctx context.Context, reached func()) error {
	if err := s.reach(ctx); err != nil {
		return err
	}
	reached()
	b := s.migrationBudget()
	ctx, cancel := context.WithTimeoutCause(ctx, b.d, b)
	defer cancel()
	return s.ready(ctx)
}

// reach makes one round trip to the server on the checker's driver.
func (s *Store) reach(ctx context.Context) error {
	b := s.connectBudget()
	ctx, cancel := context.WithTimeoutCause(ctx, b.d, b)
	defer cancel()
	return translate(ctx, s.checker.VerifyConnectivity(ctx), "checking that Neo4j answers")
}

// Close stops the availability gate and releases the drivers.
func (s *Store) Close() error {
	s.gate.close()
	err := errors.Join(s.driver.Close(context.Background()), s.checker.Close(context.Background()))
	if err != nil {
		return translate(context.Background(), err, "closing the Neo4j driver")
	}
	return nil
}

// Ping says whether the store can serve: while the gate knows the server
// is away (or the migrations have not finished), at once and with the
// reason; otherwise after one round trip to the server, whose failure
// turns the gate down.
func (s *Store) Ping(ctx context.Context) error {
	if reason := s.gate.reasonDown(); reason != nil {
		return reason
	}
	err := s.reach(ctx)
	if err == nil {
		return nil
	}
	s.gate.observe(ctx, err)
	if domain.ErrorCode(err) == domain.ETIMEOUT {
		// The caller's deadline cut the check short: not ready either way.
		return domain.Unavailable(err, "the graph database did not answer the readiness check in time; "+
			"the service keeps checking and serves again as soon as it answers")
	}
	return err
}

// Wipe deletes every node and relationship but keeps the schema and the
// migration records, so that tests start from an empty graph. It deletes
// in batches so that a large graph does not need one huge transaction.
func (s *Store) Wipe(ctx context.Context) error {
	b := &budget{d: 4 * s.cfg.QueryTimeout, setting: "wipe time limit (4 × NEO4J_QUERY_TIMEOUT)"}
	return s.call(ctx, b, "wiping the graph", func(ctx context.Context, txTimeout time.Duration) error {
		// CALL ... IN TRANSACTIONS needs an auto-commit transaction, hence
		// Run.
		sess := s.session(ctx, neo4j.AccessModeWrite)
		defer sess.Close(context.Background())
		// Relationships first, then nodes: a batch of nodes with all their
		// relationships outgrew the default transaction memory on a graph of
		// 100k cities and 800k relationships.
		for _, stmt := range []string{`
			MATCH ()-[r]->()
			CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS`, `
			MATCH (n) WHERE NOT n:Migration
			CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS`,
			// The change log starts again with the graph.
			`MERGE (c:ChangeLog {id: 'log'}) SET c.seq = 0`} {
			res, err := sess.Run(ctx, stmt, nil, neo4j.WithTxTimeout(txTimeout))
			if err == nil {
				_, err = res.Consume(ctx)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// memoryLimited reports whether Neo4j refused a transaction for the memory
// it needed. The driver counts that as transient and retries it, but the
// same load fails the same way every time.
func memoryLimited(err error) bool {
	var n4 *neo4j.Neo4jError
	return errors.As(err, &n4) && (strings.Contains(n4.Code, "MemoryLimit") || strings.Contains(n4.Code, "OutOfMemory"))
}

// tooLarge turns a memory refusal inside a write into a domain error, so
// the driver does not retry it for the whole retry time and the user
// learns what to do; other errors pass through.
func tooLarge(err error, rows int) error {
	if !memoryLimited(err) {
		return err
	}
	return &domain.Error{Code: domain.EINVALID, Err: err, Message: fmt.Sprintf(
		"the load of %d rows needs more memory than one transaction may use on this Neo4j server; "+
			"load it in parts (citygraph seed --batch-rows 20000), split the files into smaller loads, "+
			"or raise the server's heap and dbms.memory.transaction.total.max", rows)}
}

// queryOpts are the ExecuteQuery options for a read or a write whose
// transaction the server stops after txTimeout.
func (s *Store) queryOpts(read bool, txTimeout time.Duration) []neo4j.ExecuteQueryConfigurationOption {
	opts := []neo4j.ExecuteQueryConfigurationOption{
		neo4j.ExecuteQueryWithTransactionConfig(neo4j.WithTxTimeout(txTimeout)),
	}
	if s.cfg.Database != "" {
		opts = append(opts, neo4j.ExecuteQueryWithDatabase(s.cfg.Database))
	}
	if read {
		opts = append(opts, neo4j.ExecuteQueryWithReadersRouting())
	} else {
		opts = append(opts, neo4j.ExecuteQueryWithWritersRouting())
	}
	return opts
}

// query runs one read statement under the availability gate and the
// earlier of the request's deadline and the query timeout, and returns its
// records.
func (s *Store) query(ctx context.Context, what, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	var recs []*neo4j.Record
	err := s.call(ctx, s.queryBudget(0), what, func(ctx context.Context, txTimeout time.Duration) error {
		res, err := neo4j.ExecuteQuery(ctx, s.driver, cypher, params, neo4j.EagerResultTransformer, s.queryOpts(true, txTimeout)...)
		if err != nil {
			return err
		}
		recs = res.Records
		return nil
	})
	return recs, err
}

// session opens a session for a unit of several statements.
func (s *Store) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: mode, DatabaseName: s.cfg.Database})
}
