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
	"net"
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
	log    *slog.Logger

	// migrateMu serialises the lazy migration; migrated is set once the
	// schema is in place, so a store opened while Neo4j was down becomes
	// usable when the server answers, without a restart.
	migrateMu sync.Mutex
	migrated  bool
}

var (
	_ domain.Store   = (*Store)(nil)
	_ domain.LoadLog = (*Store)(nil)
)

// Open creates the driver and, if the server answers before ctx ends, runs
// the migrations. A server that is down does not fail Open: the store is
// returned and every call answers EUNAVAILABLE until the server is back,
// when the first call runs the migrations. Open fails only for a bad
// configuration or a migration that the server rejects.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.Username, cfg.Password, ""),
		func(c *config.Config) {
			c.MaxConnectionPoolSize = cfg.MaxPoolSize
			c.SocketConnectTimeout = cfg.ConnectTimeout
			c.ConnectionAcquisitionTimeout = cfg.ConnectTimeout
			c.MaxTransactionRetryTime = cfg.QueryTimeout
		})
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "cannot use NEO4J_URI %s: %v", cfg.redacted(), err)
	}
	s := &Store{cfg: cfg, driver: driver, log: log.With("store", "neo4j", "uri", cfg.redacted())}

	// Retry with backoff while ctx allows; without a deadline, give the
	// server one connect timeout so that Open never blocks the service.
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer cancel()
	}
	backoff := 100 * time.Millisecond
	for {
		err := s.ready(ctx)
		if err == nil {
			return s, nil
		}
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			driver.Close(context.Background())
			return nil, err
		}
		select {
		case <-ctx.Done():
			s.log.Warn("Neo4j is not answering; the store will serve once it does", "err", err)
			return s, nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

// Close releases the driver.
func (s *Store) Close() error {
	if err := s.driver.Close(context.Background()); err != nil {
		return translate(err, "closing the Neo4j driver")
	}
	return nil
}

// Ping checks that the server answers and the schema is in place.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	if err := s.driver.VerifyConnectivity(ctx); err != nil {
		return translate(err, "reaching Neo4j")
	}
	return s.ready(ctx)
}

// Wipe deletes every node and relationship but keeps the schema and the
// migration records, so that tests start from an empty graph. It deletes
// in batches so that a large graph does not need one huge transaction.
func (s *Store) Wipe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout*4)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		return err
	}
	// CALL ... IN TRANSACTIONS needs an auto-commit transaction, hence Run.
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.Background())
	// Relationships first, then nodes: a batch of nodes with all their
	// relationships outgrew the default transaction memory on a graph of
	// 100k cities and 800k relationships.
	for _, stmt := range []string{`
		MATCH ()-[r]->()
		CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS`, `
		MATCH (n) WHERE NOT n:Migration
		CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS`} {
		res, err := sess.Run(ctx, stmt, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return translate(err, "wiping the graph")
		}
	}
	return nil
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

// queryOpts are the ExecuteQuery options for a read or a write.
func (s *Store) queryOpts(read bool) []neo4j.ExecuteQueryConfigurationOption {
	opts := []neo4j.ExecuteQueryConfigurationOption{
		neo4j.ExecuteQueryWithTransactionConfig(neo4j.WithTxTimeout(s.cfg.QueryTimeout)),
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

// query runs one read statement under the query timeout, after making sure
// the schema is in place, and returns its records.
func (s *Store) query(ctx context.Context, what, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	res, err := neo4j.ExecuteQuery(ctx, s.driver, cypher, params, neo4j.EagerResultTransformer, s.queryOpts(true)...)
	if err != nil {
		return nil, translate(err, what)
	}
	return res.Records, nil
}

// session opens a session for a unit of several statements.
func (s *Store) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: mode, DatabaseName: s.cfg.Database})
}

// translate is the one place where driver errors become domain errors:
// connectivity failures and deadlines are EUNAVAILABLE (retrying later may
// work), domain errors raised inside transaction functions pass through,
// everything else is EINTERNAL.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	if unavailable(err) {
		// The driver's text (addresses, "EOF") goes to the logs through Err,
		// not to clients.
		return domain.Unavailable(err, "the graph database cannot be reached while "+what+
			"; the service keeps retrying and recovers when it is back")
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Security.") {
		return domain.Unavailable(err, "the graph database refused the credentials while "+what+
			"; check NEO4J_USERNAME and NEO4J_PASSWORD")
	}
	return domain.Internal(err, what)
}

func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var te *neo4j.TransactionExecutionLimit
	if errors.As(err, &te) {
		for _, c := range te.Errors {
			if unavailable(c) {
				return true
			}
		}
		return strings.Contains(te.Cause, "timeout") || strings.Contains(te.Cause, "context")
	}
	var n4 *neo4j.Neo4jError
	if errors.As(err, &n4) {
		switch {
		case strings.HasPrefix(n4.Code, "Neo.TransientError.General.DatabaseUnavailable"),
			strings.HasPrefix(n4.Code, "Neo.ClientError.Cluster.NotALeader"),
			strings.HasPrefix(n4.Code, "Neo.ClientError.Database.DatabaseNotFound"),
			n4.Code == "Neo.ClientError.Transaction.TransactionTimedOut",
			n4.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
			return true
		}
	}
	// The pool and router report some failures as plain errors.
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "unable to retrieve routing table") ||
		strings.Contains(msg, "ConnectivityError")
}
