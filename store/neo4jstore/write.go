package neo4jstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

var _ domain.Writer = (*Store)(nil)

// The change log on Neo4j (none of it is an :Entity, so no read of the
// graph sees it):
//
//   - (:ChangeLog {id: 'log', seq}) is the counter. Every write sets
//     seq = seq + 1 first, which locks the node until the transaction
//     ends: writes are serialised, what a write checks stays true until it
//     commits, and sequence numbers follow commit order without gaps (a
//     write that rolls back takes its number back with it).
//   - (:ChangeSet {seq, at, author, operation, data}) holds one set, the
//     whole of it as JSON in data.
//   - (:ChangeRef {key, seq}) says that set seq touched node key: History.
//   - (:Idempotency {id, seq}), id = author + NUL + key, unique: a retry
//     finds the set its first attempt recorded.

// Write checks w (domain.CheckWrite, against this transaction's view)
// and makes it with its change set in ONE transaction. See domain.Writer.
func (s *Store) Write(ctx context.Context, w *domain.Write) (*domain.ChangeSet, error) {
	if w == nil {
		return nil, domain.Errorf(domain.EINVALID, "no write to apply")
	}
	return s.write(ctx, w, true)
}

// outcome ends a write transaction that must not commit (a retry or a
// write that changes nothing) and carries its answer past the rollback.
type outcome struct{ set *domain.ChangeSet }

func (outcome) Error() string { return "the write is answered without committing" }

// write makes w. record says whether a write that changes nothing is
// recorded (a mutation is; a seed load that finds everything unchanged
// is not).
func (s *Store) write(ctx context.Context, w *domain.Write, record bool) (*domain.ChangeSet, error) {
	rows := len(w.Nodes) + len(w.Edges)
	var out *domain.ChangeSet
	err := s.call(ctx, s.queryBudget(rows), "writing to the graph", func(ctx context.Context, txTimeout time.Duration) error {
		mode := neo4j.AccessModeWrite
		if w.DryRun {
			mode = neo4j.AccessModeRead
		}
		sess := s.session(ctx, mode)
		defer sess.Close(context.Background())
		// Everything is worked out again on each attempt: the driver may retry.
		work := func(tx neo4j.ManagedTransaction) (*domain.ChangeSet, error) {
			if w.DryRun {
				p, err := domain.CheckWrite(ctx, w, txHoldings{tx})
				if err != nil {
					return nil, err
				}
				return &p.Set, nil
			}
			seq, err := nextSeq(ctx, tx)
			if err != nil {
				return nil, err
			}
			if w.IdempotencyKey != "" {
				cs, err := recorded(ctx, tx, w.Author, w.IdempotencyKey)
				if err != nil {
					return nil, err
				}
				if cs != nil {
					return nil, outcome{cs}
				}
			}
			p, err := domain.CheckWrite(ctx, w, txHoldings{tx})
			if err != nil {
				return nil, err
			}
			set := p.Set
			if !record && !p.Changes() && w.IdempotencyKey == "" {
				return nil, outcome{&set}
			}
			set.Seq, set.At = seq, domain.RecordedAt(time.Now())
			if err := commitPlan(ctx, tx, p); err != nil {
				return nil, err
			}
			if err := recordSet(ctx, tx, &set); err != nil {
				return nil, err
			}
			return &set, nil
		}
		var err error
		if mode == neo4j.AccessModeRead {
			out, err = neo4j.ExecuteRead(ctx, sess, work, neo4j.WithTxTimeout(txTimeout))
		} else {
			out, err = neo4j.ExecuteWrite(ctx, sess, work, neo4j.WithTxTimeout(txTimeout))
		}
		var o outcome
		if errors.As(err, &o) {
			out, err = o.set, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nextSeq takes the next sequence number, locking the counter.
func nextSeq(ctx context.Context, tx neo4j.ManagedTransaction) (int64, error) {
	res, err := tx.Run(ctx, `MATCH (c:ChangeLog {id: 'log'}) SET c.seq = c.seq + 1 RETURN c.seq AS seq`, nil)
	if err != nil {
		return 0, err
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return 0, err
	}
	return getInt(rec, "seq"), nil
}

// recorded returns the set an earlier write with this author and key recorded, or nil.
func recorded(ctx context.Context, tx neo4j.ManagedTransaction, author, key string) (*domain.ChangeSet, error) {
	res, err := tx.Run(ctx, `MATCH (i:Idempotency {id: $id}) MATCH (cs:ChangeSet {seq: i.seq}) RETURN cs.data AS data`,
		map[string]any{"id": author + "\x00" + key})
	if err != nil {
		return nil, err
	}
	recs, err := res.Collect(ctx)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return decodeSet(getStr(recs[0], "data"))
}

// commitPlan stores a checked plan: removals first, then nodes, then
// relations, each kind in chunks of one UNWIND statement.
func commitPlan(ctx context.Context, tx neo4j.ManagedTransaction, p *domain.WritePlan) error {
	byKind := map[domain.EdgeKind][]any{}
	for _, k := range p.DeleteEdges {
		byKind[k.Kind] = append(byKind[k.Kind], []any{k.From.String(), k.To.String()})
	}
	for _, k := range domain.EdgeKinds {
		if err := runRows(ctx, tx, `UNWIND $rows AS r
			MATCH (:Entity {key: r[0]})-[x:`+relType(k)+`]->(:Entity {key: r[1]})
			DELETE x`, byKind[k]); err != nil {
			return err
		}
	}
	var gone []any
	for _, k := range p.DeleteNodes {
		gone = append(gone, k.String())
	}
	if err := runRows(ctx, tx, `UNWIND $rows AS k MATCH (n:Entity {key: k}) DETACH DELETE n`, gone); err != nil {
		return err
	}
	nodes := map[domain.Kind][]any{}
	for _, n := range p.Nodes {
		pr := nodeProps(n)
		pr["version"] = n.Base().Version
		nodes[n.Key().Kind] = append(nodes[n.Key().Kind], []any{n.Key().String(), map[string]any(pr)})
	}
	for _, k := range domain.Kinds {
		// SET n = the whole merged value: a field cleared is a property removed.
		if err := runRows(ctx, tx, `UNWIND $rows AS r
			MERGE (n:Entity {key: r[0]})
			SET n = r[1], n:`+label(k), nodes[k]); err != nil {
			return err
		}
	}
	if hook := testHookCommit; hook != nil {
		if err := hook(); err != nil {
			return err
		}
	}
	edges := map[domain.EdgeKind][]any{}
	for _, e := range p.Edges {
		pr := edgeProps(e)
		pr["version"] = e.Version
		edges[e.Kind] = append(edges[e.Kind], []any{e.From.String(), e.To.String(), map[string]any(pr)})
	}
	for _, k := range domain.EdgeKinds {
		// PARTNER_OF is stored lesser end first (plans are normalised), so
		// a directed MERGE finds it.
		if err := runRows(ctx, tx, `UNWIND $rows AS r
			MATCH (a:Entity {key: r[0]})
			MATCH (b:Entity {key: r[1]})
			MERGE (a)-[x:`+relType(k)+`]->(b)
			SET x = r[2]`, edges[k]); err != nil {
			return err
		}
	}
	return nil
}

// testHookCommit, when a test sets it, runs inside the write's transaction
// after its nodes are written and before its relations; an error it
// returns fails the write there, half made.
var testHookCommit func() error

// recordSet stores set, the nodes it touched and its idempotency record.
func recordSet(ctx context.Context, tx neo4j.ManagedTransaction, set *domain.ChangeSet) error {
	data, err := json.Marshal(set)
	if err != nil {
		return err
	}
	var touched []any
	for _, k := range set.Touches() {
		touched = append(touched, k.String())
	}
	idem := ""
	if set.IdempotencyKey != "" {
		idem = set.Author + "\x00" + set.IdempotencyKey
	}
	if err := runConsumed(ctx, tx, `
		CREATE (cs:ChangeSet {seq: $seq, at: $at, author: $author, operation: $operation, data: $data})
		FOREACH (_ IN CASE WHEN $idem = '' THEN [] ELSE [1] END | CREATE (:Idempotency {id: $idem, seq: $seq}))`,
		map[string]any{"seq": set.Seq, "at": set.At, "author": set.Author, "operation": set.Operation,
			"data": string(data), "idem": idem}); err != nil {
		return err
	}
	return runRows(ctx, tx, `UNWIND $rows AS k CREATE (:ChangeRef {key: k, seq: $seq})`, touched, "seq", set.Seq)
}

// runRows runs a statement over rows in chunks of chunkRows, with the
// extra parameters given as name, value pairs.
func runRows(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, rows []any, extra ...any) error {
	for start := 0; start < len(rows); start += chunkRows {
		params := map[string]any{"rows": rows[start:min(start+chunkRows, len(rows))]}
		for i := 0; i+1 < len(extra); i += 2 {
			params[extra[i].(string)] = extra[i+1]
		}
		if err := runConsumed(ctx, tx, cypher, params); err != nil {
			return tooLarge(err, len(rows))
		}
	}
	return nil
}

// Changes lists the change sets after sequence number after, oldest first.
func (s *Store) Changes(ctx context.Context, after int64, first int) ([]domain.ChangeSet, error) {
	if err := domain.CheckChangesQuery(after, first); err != nil {
		return nil, err
	}
	recs, err := s.query(ctx, "reading the change log", `
		MATCH (cs:ChangeSet) WHERE cs.seq > $after
		RETURN cs.data AS data ORDER BY cs.seq LIMIT $first`, map[string]any{"after": after, "first": int64(first)})
	if err != nil {
		return nil, err
	}
	return decodeSets(recs)
}

// History lists the change sets that touched key, newest first.
func (s *Store) History(ctx context.Context, key domain.NodeKey, first int) ([]domain.ChangeSet, error) {
	if err := domain.ChangeCount.Check(first); err != nil {
		return nil, err
	}
	recs, err := s.query(ctx, "reading a node's history", `
		MATCH (r:ChangeRef {key: $key})
		WITH r.seq AS seq ORDER BY seq DESC LIMIT $first
		MATCH (cs:ChangeSet {seq: seq})
		RETURN cs.data AS data ORDER BY cs.seq DESC`, map[string]any{"key": key.String(), "first": int64(first)})
	if err != nil {
		return nil, err
	}
	return decodeSets(recs)
}

func decodeSets(recs []*neo4j.Record) ([]domain.ChangeSet, error) {
	out := make([]domain.ChangeSet, 0, len(recs))
	for _, rec := range recs {
		cs, err := decodeSet(getStr(rec, "data"))
		if err != nil {
			return nil, domain.Internal(err, "reading a change set")
		}
		out = append(out, *cs)
	}
	return out, nil
}

func decodeSet(data string) (*domain.ChangeSet, error) {
	cs := &domain.ChangeSet{}
	if err := json.Unmarshal([]byte(data), cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// txHoldings answers domain.CheckWrite inside a transaction.
type txHoldings struct{ tx neo4j.ManagedTransaction }

func (h txHoldings) HeldNodes(ctx context.Context, keys []domain.NodeKey) (map[domain.NodeKey]domain.Node, error) {
	out := make(map[domain.NodeKey]domain.Node, len(keys))
	ks := make([]any, len(keys))
	for i, k := range keys {
		ks[i] = k.String()
	}
	for start := 0; start < len(ks); start += chunkRows {
		res, err := h.tx.Run(ctx, `UNWIND $keys AS k MATCH (n:Entity {key: k}) RETURN n`,
			map[string]any{"keys": ks[start:min(start+chunkRows, len(ks))]})
		if err != nil {
			return nil, err
		}
		recs, err := res.Collect(ctx)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			v, _ := rec.Get("n")
			n, err := nodeFrom(v)
			if err != nil {
				return nil, domain.Internal(err, "reading a stored node")
			}
			out[n.Key()] = n
		}
	}
	return out, nil
}

func (h txHoldings) HeldEdges(ctx context.Context, keys []domain.EdgeKey) (map[domain.EdgeKey]*domain.Edge, error) {
	out := make(map[domain.EdgeKey]*domain.Edge, len(keys))
	byKind := map[domain.EdgeKind][]any{}
	for _, k := range keys {
		byKind[k.Kind] = append(byKind[k.Kind], []any{k.From.String(), k.To.String()})
	}
	for _, kind := range domain.EdgeKinds {
		rows := byKind[kind]
		for start := 0; start < len(rows); start += chunkRows {
			res, err := h.tx.Run(ctx, `UNWIND $rows AS r
				MATCH (:Entity {key: r[0]})-[x:`+relType(kind)+`]->(:Entity {key: r[1]})
				RETURN r[0] AS from, r[1] AS to, properties(x) AS props`,
				map[string]any{"rows": rows[start:min(start+chunkRows, len(rows))]})
			if err != nil {
				return nil, err
			}
			if err := collectEdges(ctx, res, func(string) domain.EdgeKind { return kind }, func(e *domain.Edge) { out[e.Key()] = e }); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (h txHoldings) EdgesAt(ctx context.Context, keys []domain.NodeKey) ([]*domain.Edge, error) {
	ks := make([]any, len(keys))
	for i, k := range keys {
		ks[i] = k.String()
	}
	res, err := h.tx.Run(ctx, `UNWIND $keys AS k
		MATCH (:Entity {key: k})-[x]-(:Entity)
		RETURN DISTINCT type(x) AS type, startNode(x).key AS from, endNode(x).key AS to, properties(x) AS props`,
		map[string]any{"keys": ks})
	if err != nil {
		return nil, err
	}
	var out []*domain.Edge
	err = collectEdges(ctx, res, func(typ string) domain.EdgeKind { return domain.EdgeKind(typ) }, func(e *domain.Edge) { out = append(out, e) })
	return out, err
}

// collectEdges maps each record (from, to, props, and a type column where
// kindOf needs one) to an edge.
func collectEdges(ctx context.Context, res neo4j.ResultWithContext, kindOf func(typ string) domain.EdgeKind, put func(*domain.Edge)) error {
	recs, err := res.Collect(ctx)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		p, _ := rec.Get("props")
		pm, _ := p.(map[string]any)
		e, err := edgeFrom(string(kindOf(getStr(rec, "type"))), getStr(rec, "from"), getStr(rec, "to"), pm)
		if err != nil {
			return domain.Internal(err, "reading a stored relation")
		}
		put(&e)
	}
	return nil
}

// CitedBy scans nodes and relations: deleting a source is rare (admins
// only), and a list property has no index to look it up by.
func (h txHoldings) CitedBy(ctx context.Context, source string, limit int) ([]string, error) {
	res, err := h.tx.Run(ctx, `
		CALL () {
			MATCH (n:Entity) WHERE $source IN n.sources RETURN n.key AS key
			UNION
			MATCH (a:Entity)-[r]->(b:Entity) WHERE $source IN r.sources
			RETURN type(r) + '(' + a.key + ',' + b.key + ')' AS key
		}
		RETURN key ORDER BY key LIMIT $limit`, map[string]any{"source": source, "limit": int64(limit)})
	if err != nil {
		return nil, err
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(recs))
	for i, rec := range recs {
		out[i] = getStr(rec, "key")
	}
	return out, nil
}
