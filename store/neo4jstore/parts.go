package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// A load too large for one transaction (Neo4j bounds a transaction's
// memory) is written in parts, each its own transaction:
//
//   - Everything is validated first, references against the stored graph
//     included, so a load that would fail for its content writes nothing.
//   - Parts hold nodes before edges, and every node and every relationship
//     is written whole (MERGE and its properties in one statement), so no
//     part ever shows a relationship without its ends or without its
//     properties.
//   - A (:SeedLoad {id}) record, keyed by a digest of the batch, says
//     "incomplete" from the first part until the last part commits, with
//     how many parts are done; each part updates it in its own transaction,
//     so the record never claims more than is stored. It is not an :Entity,
//     so no read of the graph sees it.
//   - Resuming is applying the same batch again. Rows that an earlier run
//     committed are found with the same fingerprint and left unchanged, so
//     the second run is cheap where the first got to, and the result is
//     what one transaction would have stored even if those rows were
//     edited in between.

// part is the rows of one transaction of a load written in parts.
type part struct {
	nodeRows map[domain.Kind][]any
	edgeRows map[domain.EdgeKind][]any
	rows     int
}

// parts cuts the plan's rows into parts of at most size rows, nodes
// first (in kind order, sources first), then edges.
func (p *plan) parts(size int) []part {
	var out []part
	cur := part{nodeRows: map[domain.Kind][]any{}, edgeRows: map[domain.EdgeKind][]any{}}
	take := func(rows []any, put func([]any)) {
		for len(rows) > 0 {
			n := min(size-cur.rows, len(rows))
			put(rows[:n])
			rows = rows[n:]
			cur.rows += n
			if cur.rows == size {
				out = append(out, cur)
				cur = part{nodeRows: map[domain.Kind][]any{}, edgeRows: map[domain.EdgeKind][]any{}}
			}
		}
	}
	for _, k := range domain.Kinds {
		take(p.nodeRows[k], func(r []any) { cur.nodeRows[k] = append(cur.nodeRows[k], r...) })
	}
	for _, k := range domain.EdgeKinds {
		take(p.edgeRows[k], func(r []any) { cur.edgeRows[k] = append(cur.edgeRows[k], r...) })
	}
	if cur.rows > 0 {
		out = append(out, cur)
	}
	return out
}

// loadID names a batch by its content: the same files give the same id,
// so a rerun finds the record of the run it resumes.
func (p *plan) loadID() string {
	h := sha256.New()
	for _, k := range domain.Kinds {
		for _, r := range p.nodeRows[k] {
			key := r.([]any)[0].(string)
			fmt.Fprintf(h, "n\x00%s\x00%s\x00", key, p.nodeFP[key])
		}
	}
	for _, k := range domain.EdgeKinds {
		for i, r := range p.edgeRows[k] {
			row := r.([]any)
			fmt.Fprintf(h, "e\x00%s\x00%s\x00%s\x00%s\x00", k, row[0], row[1], p.edgeFP[k][i])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// applyInParts validates p against the store and writes it part by part.
func (s *Store) applyInParts(ctx context.Context, p *plan, opt domain.ApplyOptions) (domain.Report, error) {
	parts := p.parts(opt.BatchRows)
	total := 0
	for _, pt := range parts {
		total += pt.rows
	}
	id := p.loadID()

	// Validate references before anything is written, and open the record.
	err := s.call(ctx, s.queryBudget(total), "checking a load before writing it in parts",
		func(ctx context.Context, txTimeout time.Duration) error {
			return s.writeTx(ctx, txTimeout, func(tx neo4j.ManagedTransaction) error {
				_, missing, err := p.check(ctx, tx, false)
				if err != nil {
					return err
				}
				if len(missing) > 0 {
					return invalidBatch(p.refProblems(missing))
				}
				return runConsumed(ctx, tx, `
					MERGE (l:SeedLoad {id: $id})
					ON CREATE SET l.started = datetime(), l.runs = 0
					SET l.state = 'incomplete', l.parts = $parts, l.rows = $rows, l.done = 0,
						l.runs = l.runs + 1, l.updated = datetime(), l.finished = null`,
					map[string]any{"id": id, "parts": len(parts), "rows": total})
			})
		})
	if err != nil {
		return domain.Report{}, err
	}

	var rep domain.Report
	done := 0
	for i, pt := range parts {
		r, err := s.writePart(ctx, id, pt, i+1)
		if err != nil {
			return domain.Report{}, stoppedLoad(err, id, i, len(parts), done, total)
		}
		rep.Merge(r)
		done += pt.rows
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	err = s.call(ctx, s.queryBudget(0), "recording a finished load", func(ctx context.Context, txTimeout time.Duration) error {
		return s.writeTx(ctx, txTimeout, func(tx neo4j.ManagedTransaction) error {
			return runConsumed(ctx, tx,
				`MATCH (l:SeedLoad {id: $id}) SET l.state = 'complete', l.finished = datetime(), l.updated = datetime()`,
				map[string]any{"id": id})
		})
	})
	if err != nil {
		return domain.Report{}, stoppedLoad(err, id, len(parts), len(parts), done, total)
	}
	return rep, nil
}

// writePart writes one part and records it, in one transaction.
func (s *Store) writePart(ctx context.Context, id string, pt part, n int) (domain.Report, error) {
	var rep domain.Report
	err := s.call(ctx, s.queryBudget(pt.rows), "writing a part of a load", func(ctx context.Context, txTimeout time.Duration) error {
		return s.writeTx(ctx, txTimeout, func(tx neo4j.ManagedTransaction) error {
			var err error
			rep, err = writeRows(ctx, tx, pt.nodeRows, pt.edgeRows)
			if err != nil {
				return err
			}
			return runConsumed(ctx, tx, `MATCH (l:SeedLoad {id: $id}) SET l.done = $done, l.updated = datetime()`,
				map[string]any{"id": id, "done": n})
		})
	})
	return rep, err
}

// writeTx runs work in one write transaction that the server stops after
// txTimeout.
func (s *Store) writeTx(ctx context.Context, txTimeout time.Duration, work func(tx neo4j.ManagedTransaction) error) error {
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.Background())
	_, err := neo4j.ExecuteWrite(ctx, sess, func(tx neo4j.ManagedTransaction) (struct{}, error) {
		return struct{}{}, work(tx)
	}, neo4j.WithTxTimeout(txTimeout))
	return err
}

// runConsumed runs a statement whose result is not needed and waits for
// the server to finish it.
func runConsumed(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) error {
	res, err := tx.Run(ctx, cypher, params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return err
}

// stoppedLoad words the failure of part i+1 of a load written in parts:
// what is stored, what is not, and how to finish.
// cause is already a domain error: every part goes through Store.call.
func stoppedLoad(cause error, id string, committed, parts, rowsDone, rows int) error {
	return &domain.Error{Code: domain.ErrorCode(cause), Err: cause, Message: fmt.Sprintf(
		"load %s stopped after %d of %d parts (%d of %d rows committed): %s; what was committed is whole "+
			"(nodes before relations, each with all its properties) and the load is recorded as incomplete "+
			"in (:SeedLoad {id: %q}); run the same load again to finish it: rows already stored are found unchanged",
		id, committed, parts, rowsDone, rows, domain.ErrorMessage(cause), id)}
}

// Loads lists the loads written in parts, most recently updated first.
func (s *Store) Loads(ctx context.Context, first int) ([]domain.Load, error) {
	recs, err := s.query(ctx, "listing loads", `
		MATCH (l:SeedLoad)
		RETURN l.id AS id, l.state = 'complete' AS complete, l.parts AS parts, l.done AS done,
			l.rows AS rows, l.runs AS runs, l.started AS started, l.updated AS updated
		ORDER BY l.updated DESC, l.id
		LIMIT $first`, map[string]any{"first": int64(first)})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Load, 0, len(recs))
	for _, rec := range recs {
		complete, _ := rec.Get("complete")
		started, _ := rec.Get("started")
		updated, _ := rec.Get("updated")
		l := domain.Load{ID: getStr(rec, "id"), Parts: int(getInt(rec, "parts")), PartsDone: int(getInt(rec, "done")),
			Rows: int(getInt(rec, "rows")), Runs: int(getInt(rec, "runs"))}
		l.Complete, _ = complete.(bool)
		l.Started, _ = started.(time.Time)
		l.Updated, _ = updated.(time.Time)
		out = append(out, l)
	}
	return out, nil
}
