package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
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
//   - Each part is a Write of its own, recorded as its own change set.
//   - A (:SeedLoad {id}) record, keyed by a digest of the batch, says
//     "incomplete" from the first part until the last part commits, with
//     how many parts are done, updated after each part commits, so the
//     record never claims more than is stored. It is not an :Entity, so no
//     read of the graph sees it.
//   - Resuming is applying the same batch again. Rows that an earlier run
//     committed are found with the same fingerprint and left unchanged, so
//     the second run is cheap where the first got to, and the result is
//     what one transaction would have stored even if those rows were
//     edited in between.

// parts cuts w's changes into writes of at most size changes each: nodes
// first, Sources before the other kinds (domain.Kinds order), so that
// every part refers only to what it or an earlier part holds, then the
// relations.
func parts(w *domain.Write, size int) []*domain.Write {
	nodes := slices.Clone(w.Nodes)
	order := func(k domain.Kind) int { return slices.Index(domain.Kinds, k) }
	slices.SortStableFunc(nodes, func(a, b domain.NodeChange) int { return order(a.Node.Key().Kind) - order(b.Node.Key().Kind) })
	var out []*domain.Write
	cur := &domain.Write{Operation: w.Operation, Author: w.Author}
	flush := func() {
		if len(cur.Nodes)+len(cur.Edges) > 0 {
			out = append(out, cur)
			cur = &domain.Write{Operation: w.Operation, Author: w.Author}
		}
	}
	for _, n := range nodes {
		cur.Nodes = append(cur.Nodes, n)
		if len(cur.Nodes) == size {
			flush()
		}
	}
	for _, e := range w.Edges {
		cur.Edges = append(cur.Edges, e)
		if len(cur.Nodes)+len(cur.Edges) == size {
			flush()
		}
	}
	flush()
	return out
}

// loadID names a batch by its content: the same files give the same id,
// so a rerun finds the record of the run it resumes.
func loadID(b *domain.Batch) string {
	h := sha256.New()
	for _, n := range b.Nodes {
		fmt.Fprintf(h, "n\x00%s\x00%s\x00", n.Key(), nodeProps(n)["fp"])
	}
	for i := range b.Edges {
		e := b.Edges[i]
		e.Normalize()
		fmt.Fprintf(h, "e\x00%s\x00%s\x00", e.Key(), edgeProps(&e)["fp"])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// applyInParts checks the whole batch against the store (a dry run: a
// load that would fail for its content writes nothing), then writes it
// part by part, each part a Write with its own change set.
func (s *Store) applyInParts(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	w := domain.WriteFromBatch(b, opt.Author)
	w.DryRun = true
	if _, err := s.write(ctx, w, false); err != nil {
		return domain.Report{}, err
	}
	w.DryRun = false
	ps := parts(w, opt.BatchRows)
	total := len(b.Nodes) + len(b.Edges)
	id := loadID(b)
	err := s.call(ctx, s.queryBudget(0), "recording a load before writing it in parts",
		func(ctx context.Context, txTimeout time.Duration) error {
			return s.writeTx(ctx, txTimeout, func(tx neo4j.ManagedTransaction) error {
				return runConsumed(ctx, tx, `
					MERGE (l:SeedLoad {id: $id})
					ON CREATE SET l.started = datetime(), l.runs = 0
					SET l.state = 'incomplete', l.parts = $parts, l.rows = $rows, l.done = 0,
						l.runs = l.runs + 1, l.updated = datetime(), l.finished = null`,
					map[string]any{"id": id, "parts": len(ps), "rows": total})
			})
		})
	if err != nil {
		return domain.Report{}, err
	}

	var rep domain.Report
	done := 0
	for i, pt := range ps {
		set, err := s.write(ctx, pt, false)
		if err != nil {
			return domain.Report{}, stoppedLoad(err, id, i, len(ps), done, total)
		}
		rep.Merge(set.Report)
		done += len(pt.Nodes) + len(pt.Edges)
		// After the part's commit, so that the record never claims more
		// than is stored.
		if err := s.markLoad(ctx, id, `SET l.done = $done`, i+1); err != nil {
			return domain.Report{}, stoppedLoad(err, id, i+1, len(ps), done, total)
		}
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	if err := s.markLoad(ctx, id, `SET l.state = 'complete', l.finished = datetime()`, len(ps)); err != nil {
		return domain.Report{}, stoppedLoad(err, id, len(ps), len(ps), done, total)
	}
	return rep, nil
}

// markLoad updates the record of load id (set is a fixed SET clause).
func (s *Store) markLoad(ctx context.Context, id, set string, done int) error {
	return s.call(ctx, s.queryBudget(0), "recording a load's progress", func(ctx context.Context, txTimeout time.Duration) error {
		return s.writeTx(ctx, txTimeout, func(tx neo4j.ManagedTransaction) error {
			return runConsumed(ctx, tx, `MATCH (l:SeedLoad {id: $id}) `+set+`, l.updated = datetime()`,
				map[string]any{"id": id, "done": done})
		})
	})
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
