package neo4jstore

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// chunkRows bounds the rows of one UNWIND statement: a 100k-row load is
// still one transaction, sent as a few statements of moderate size.
const chunkRows = 10_000

// plan is a validated batch in the form Apply writes.
type plan struct {
	nodes    []domain.Node
	nodeRows map[domain.Kind][]map[string]any
	edges    []domain.Edge // normalised
	edgeRows map[domain.EdgeKind][]map[string]any
	nodeFP   map[string]string // key → fingerprint of the batch's value
	edgeFP   []string          // index in edges → fingerprint
	// refs are keys the batch refers to but does not hold, with the
	// problem to report if the store does not hold them either.
	refs map[string][]domain.Problem
	// unchanged holds the node keys and edge indexes whose stored
	// fingerprint matches; check fills it on every attempt, write skips them.
	unchangedNodes map[string]bool
	unchangedEdges map[int64]bool
}

// Apply validates the whole batch (each node and edge, duplicates, and
// references against the batch and the stored graph in one read) and then
// writes it in ONE transaction: one UNWIND statement per kind and chunk,
// MERGE on the key and SET of the whole property map, so that a replaced
// node loses the properties the new value leaves empty. Rows whose stored
// fingerprint equals the new one are counted unchanged and not written.
//
// Large loads are one transaction too: a 100,000-partnership load runs in
// the server's default 1 GiB heap (see the benchmark), and a load that fails
// leaves nothing behind, so there is nothing to resume: run it again.
func (s *Store) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	if b == nil || len(b.Nodes)+len(b.Edges) == 0 {
		return domain.Report{}, nil
	}
	p, problems := prepare(b)
	rows := len(b.Nodes) + len(b.Edges)
	timeout := s.cfg.QueryTimeout * time.Duration(1+rows/chunkRows)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		return domain.Report{}, err
	}
	mode := neo4j.AccessModeWrite
	if opt.DryRun || len(problems) > 0 {
		mode = neo4j.AccessModeRead
	}
	sess := s.session(ctx, mode)
	defer sess.Close(context.Background())
	work := func(tx neo4j.ManagedTransaction) (domain.Report, error) {
		// Everything is recomputed on each attempt: the driver may retry.
		rep, more, err := p.check(ctx, tx)
		if err != nil {
			return domain.Report{}, err
		}
		if all := append(append([]domain.Problem(nil), problems...), more...); len(all) > 0 {
			return domain.Report{}, invalidBatch(all)
		}
		if opt.DryRun {
			return rep, nil
		}
		return rep, p.write(ctx, tx, rep)
	}
	cfg := neo4j.WithTxTimeout(timeout)
	var rep domain.Report
	var err error
	if mode == neo4j.AccessModeRead {
		rep, err = neo4j.ExecuteRead(ctx, sess, work, cfg)
	} else {
		rep, err = neo4j.ExecuteWrite(ctx, sess, work, cfg)
	}
	if err != nil {
		return domain.Report{}, translate(err, "applying a batch")
	}
	return rep, nil
}

func invalidBatch(ps []domain.Problem) *domain.Error {
	return &domain.Error{Code: domain.EINVALID, Problems: ps,
		Message: fmt.Sprintf("the batch has %d problem(s) (first: %s); nothing was written", len(ps), ps[0])}
}

// prepare validates what can be validated without the store and builds
// the rows to write. Problem fields start with the node or normalised
// edge key ("City:nanning.location"), as on every store.
func prepare(b *domain.Batch) (*plan, []domain.Problem) {
	p := &plan{nodeRows: map[domain.Kind][]map[string]any{}, edgeRows: map[domain.EdgeKind][]map[string]any{},
		nodeFP: map[string]string{}, refs: map[string][]domain.Problem{}}
	var ps []domain.Problem
	prefixed := func(prefix string, in []domain.Problem) {
		for _, q := range in {
			if q.Field == "" {
				q.Field = prefix
			} else {
				q.Field = prefix + "." + q.Field
			}
			ps = append(ps, q)
		}
	}
	inBatch := map[string]int{}
	for i, n := range b.Nodes {
		if isNil(n) {
			ps = append(ps, domain.Problem{Field: fmt.Sprintf("nodes[%d]", i), Found: "nil", Expected: "a node"})
			continue
		}
		k := n.Key()
		ks := k.String()
		if !k.Kind.Valid() {
			ps = append(ps, domain.Problem{Field: ks, Found: fmt.Sprintf("kind %q", k.Kind), Expected: fmt.Sprint("one of ", domain.Kinds)})
			continue
		}
		if j, dup := inBatch[ks]; dup {
			ps = append(ps, domain.Problem{Field: ks, Found: fmt.Sprintf("the key twice (nodes[%d] and nodes[%d])", j, i),
				Expected: "each node once per batch"})
			continue
		}
		inBatch[ks] = i
		prefixed(ks, domain.ValidateNode(n))
		pr := nodeProps(n)
		p.nodes = append(p.nodes, n)
		p.nodeFP[ks] = pr["fp"].(string)
		p.nodeRows[k.Kind] = append(p.nodeRows[k.Kind], map[string]any{"key": ks, "props": map[string]any(pr)})
	}
	ref := func(k domain.NodeKey, field, what string) {
		ks := k.String()
		if _, ok := inBatch[ks]; ok {
			return
		}
		p.refs[ks] = append(p.refs[ks], domain.Problem{Field: field, Found: ks + ", which is neither in the batch nor stored",
			Expected: what})
	}
	for _, n := range b.Nodes {
		if isNil(n) || !n.Key().Kind.Valid() {
			continue
		}
		for j, src := range n.Base().Sources {
			ref(domain.NodeKey{Kind: domain.KindSource, ID: src}, fmt.Sprintf("%s.sources[%d]", n.Key(), j), "a Source in the batch or the store")
		}
	}
	seen := map[domain.EdgeKey]int{}
	for i := range b.Edges {
		e := b.Edges[i]
		e.Normalize()
		k := e.Key()
		ks := k.String()
		if j, dup := seen[k]; dup {
			ps = append(ps, domain.Problem{Field: ks, Found: fmt.Sprintf("the relation twice (edges[%d] and edges[%d])", j, i),
				Expected: "each relation once per batch (a partnership is one relation whichever end it is written from)"})
			continue
		}
		seen[k] = i
		eps := domain.ValidateEdge(&e)
		prefixed(ks, eps)
		if len(eps) > 0 {
			continue // ends of the wrong kind or bad slugs are not worth looking up
		}
		ref(e.From, ks+".from", "a node in the batch or the store")
		ref(e.To, ks+".to", "a node in the batch or the store")
		if e.Through != nil {
			ref(*e.Through, ks+".through", "an Agreement or Forum in the batch or the store")
		}
		for j, src := range e.Sources {
			ref(domain.NodeKey{Kind: domain.KindSource, ID: src}, fmt.Sprintf("%s.sources[%d]", ks, j), "a Source in the batch or the store")
		}
		pr := edgeProps(&e)
		p.edgeFP = append(p.edgeFP, pr["fp"].(string))
		p.edgeRows[e.Kind] = append(p.edgeRows[e.Kind], map[string]any{
			"i": int64(len(p.edges)), "from": e.From.String(), "to": e.To.String(), "type": string(e.Kind), "props": map[string]any(pr)})
		p.edges = append(p.edges, e)
	}
	return p, ps
}

// check reads, in one statement, which referenced nodes exist and the
// fingerprints of the batch's stored nodes and edges; it returns the
// report the write will produce and the missing references.
func (p *plan) check(ctx context.Context, tx neo4j.ManagedTransaction) (domain.Report, []domain.Problem, error) {
	keys := make([]string, 0, len(p.nodeFP)+len(p.refs))
	for k := range p.nodeFP {
		keys = append(keys, k)
	}
	for k := range p.refs {
		keys = append(keys, k)
	}
	var edges []map[string]any
	for _, rows := range p.edgeRows {
		for _, r := range rows {
			edges = append(edges, map[string]any{"i": r["i"], "from": r["from"], "to": r["to"], "type": r["type"]})
		}
	}
	res, err := tx.Run(ctx, `
		CALL () {
			UNWIND $keys AS k
			MATCH (n:Entity {key: k})
			RETURN collect([k, coalesce(n.fp, '')]) AS nodes
		}
		CALL () {
			UNWIND $edges AS e
			MATCH (a:Entity {key: e.from})-[r]->(b:Entity {key: e.to})
			WHERE type(r) = e.type
			RETURN collect([e.i, coalesce(r.fp, '')]) AS edges
		}
		RETURN nodes, edges`, map[string]any{"keys": keys, "edges": edges})
	if err != nil {
		return domain.Report{}, nil, err
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return domain.Report{}, nil, err
	}
	stored := map[string]string{}
	nodes, _ := rec.Get("nodes")
	for _, x := range asList(nodes) {
		pair := asList(x)
		if len(pair) == 2 {
			k, _ := pair[0].(string)
			fp, _ := pair[1].(string)
			stored[k] = fp
		}
	}
	storedEdge := map[int64]string{}
	es, _ := rec.Get("edges")
	for _, x := range asList(es) {
		pair := asList(x)
		if len(pair) == 2 {
			i, _ := pair[0].(int64)
			fp, _ := pair[1].(string)
			storedEdge[i] = fp
		}
	}
	var missing []domain.Problem
	for _, k := range keys {
		if ps, isRef := p.refs[k]; isRef {
			if _, ok := stored[k]; !ok {
				missing = append(missing, ps...)
			}
		}
	}
	var rep domain.Report
	p.unchangedNodes, p.unchangedEdges = map[string]bool{}, map[int64]bool{}
	for _, n := range p.nodes {
		k := n.Key().String()
		fp, ok := stored[k]
		rep.AddNode(n.Key().Kind, !ok, ok && fp != p.nodeFP[k])
		p.unchangedNodes[k] = ok && fp == p.nodeFP[k]
	}
	for i, e := range p.edges {
		fp, ok := storedEdge[int64(i)]
		rep.AddEdge(e.Kind, !ok, ok && fp != p.edgeFP[i])
		p.unchangedEdges[int64(i)] = ok && fp == p.edgeFP[i]
	}
	sortProblems(missing)
	return rep, missing, nil
}

// write stores the rows that are new or changed, nodes before edges.
func (p *plan) write(ctx context.Context, tx neo4j.ManagedTransaction, _ domain.Report) error {
	for _, k := range domain.Kinds {
		var rows []map[string]any
		for _, r := range p.nodeRows[k] {
			if !p.unchangedNodes[r["key"].(string)] {
				rows = append(rows, r)
			}
		}
		cypher := "UNWIND $rows AS r MERGE (n:Entity {key: r.key}) SET n = r.props SET n:" + label(k)
		if err := runChunks(ctx, tx, cypher, rows); err != nil {
			return err
		}
	}
	for _, k := range domain.EdgeKinds {
		cypher := `UNWIND $rows AS r
			MATCH (a:Entity {key: r.from})
			MATCH (b:Entity {key: r.to})
			MERGE (a)-[x:` + relType(k) + `]->(b)
			SET x = r.props`
		var rows []map[string]any
		for _, r := range p.edgeRows[k] {
			if !p.unchangedEdges[r["i"].(int64)] {
				rows = append(rows, r)
			}
		}
		if err := runChunks(ctx, tx, cypher, rows); err != nil {
			return err
		}
	}
	return nil
}

func runChunks(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, rows []map[string]any) error {
	for start := 0; start < len(rows); start += chunkRows {
		res, err := tx.Run(ctx, cypher, map[string]any{"rows": rows[start:min(start+chunkRows, len(rows))]})
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// isNil reports a nil node, including a typed nil pointer, whose methods
// would dereference it.
func isNil(n domain.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func sortProblems(ps []domain.Problem) {
	slices.SortStableFunc(ps, func(a, b domain.Problem) int { return strings.Compare(a.Field, b.Field) })
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
