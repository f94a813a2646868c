package neo4jstore

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
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
	// batch is kept to rebuild the problems of missing references, which
	// are rare: building them for every reference up front cost a third
	// of the Go side of a 100,000-row load.
	batch *domain.Batch
	nodes []domain.Node
	// nodeRows holds [key, props] per kind, edgeRows [from, to, props] per
	// kind: lists rather than maps, so that the driver sends no field names.
	nodeRows map[domain.Kind][]any
	nodeFP   map[string]string // key → fingerprint of the batch's value
	edgeRows map[domain.EdgeKind][]any
	edgeFP   map[domain.EdgeKind][]string // per kind, in edgeRows order
	// refs are keys the batch refers to but does not hold; each must be
	// stored, or the batch is invalid.
	refs map[string]struct{}
}

// Apply validates the whole batch (each node and edge, duplicates, and
// references against the batch and the stored graph in one read) and then
// writes it in ONE transaction: one UNWIND statement per kind and chunk.
//
// The write classifies as it goes: MERGE on the key (so that concurrent
// loads still make one node or relationship per key: MERGE locks the ends
// before creating), SET of the whole property map on creation or when the
// stored fingerprint differs (a replaced value loses the properties the new
// one leaves empty), and nothing for an equal fingerprint. Created comes
// from the statement's counters, updated from its result, unchanged is the
// rest. A separate fingerprint read before the write would look up every
// row twice; it is only done for a dry run, which writes nothing.
//
// Large loads are one transaction too unless opt.BatchRows asks for parts
// (see applyInParts): a 100,000-partnership load runs in the server's
// default 1 GiB heap (see the benchmark), and a load that fails leaves
// nothing behind, so there is nothing to resume: run it again.
func (s *Store) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	if b == nil || len(b.Nodes)+len(b.Edges) == 0 {
		return domain.Report{}, nil
	}
	p, problems := prepare(b)
	rows := len(b.Nodes) + len(b.Edges)
	if opt.BatchRows > 0 && rows > opt.BatchRows && !opt.DryRun && len(problems) == 0 {
		return s.applyInParts(ctx, p, opt)
	}
	mode := neo4j.AccessModeWrite
	if opt.DryRun || len(problems) > 0 {
		mode = neo4j.AccessModeRead
	}
	var rep domain.Report
	err := s.call(ctx, s.queryBudget(rows), "applying a batch", func(ctx context.Context, txTimeout time.Duration) error {
		sess := s.session(ctx, mode)
		defer sess.Close(context.Background())
		work := func(tx neo4j.ManagedTransaction) (domain.Report, error) {
			// Everything is recomputed on each attempt: the driver may retry.
			// Only a dry run needs the stored fingerprints before writing; a
			// write checks references here, before any write, and classifies
			// rows as it writes them.
			rep, missing, err := p.check(ctx, tx, mode == neo4j.AccessModeRead)
			if err != nil {
				return domain.Report{}, err
			}
			if all := append(append([]domain.Problem(nil), problems...), p.refProblems(missing)...); len(all) > 0 {
				return domain.Report{}, invalidBatch(all)
			}
			if opt.DryRun {
				return rep, nil
			}
			return p.write(ctx, tx)
		}
		var err error
		if mode == neo4j.AccessModeRead {
			rep, err = neo4j.ExecuteRead(ctx, sess, work, neo4j.WithTxTimeout(txTimeout))
		} else {
			rep, err = neo4j.ExecuteWrite(ctx, sess, work, neo4j.WithTxTimeout(txTimeout))
		}
		return err
	})
	if err != nil {
		return domain.Report{}, err
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
	p := &plan{batch: b, nodes: make([]domain.Node, 0, len(b.Nodes)),
		nodeRows: map[domain.Kind][]any{}, nodeFP: make(map[string]string, len(b.Nodes)),
		edgeRows: map[domain.EdgeKind][]any{}, edgeFP: map[domain.EdgeKind][]string{},
		refs: map[string]struct{}{}}
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
	inBatch := make(map[string]int, len(b.Nodes))
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
		p.nodeRows[k.Kind] = append(p.nodeRows[k.Kind], []any{ks, map[string]any(pr)})
	}
	// The reference walks are shared with refProblems, which runs them
	// again to word the problems of the references found missing.
	note := func(k string, _ int) { p.refs[k] = struct{}{} }
	p.walkNodeRefs(inBatch, func(_ domain.Node, k string, j int) { note(k, j) })
	seen := make(map[domain.EdgeKey]int, len(b.Edges))
	for i := range b.Edges {
		e := b.Edges[i]
		e.Normalize()
		k := e.Key()
		if j, dup := seen[k]; dup {
			ps = append(ps, domain.Problem{Field: k.String(), Found: fmt.Sprintf("the relation twice (edges[%d] and edges[%d])", j, i),
				Expected: "each relation once per batch (a partnership is one relation whichever end it is written from)"})
			continue
		}
		seen[k] = i
		if eps := domain.ValidateEdge(&e); len(eps) > 0 {
			prefixed(k.String(), eps)
			continue // ends of the wrong kind or bad slugs are not worth looking up
		}
		pr := edgeProps(&e)
		p.edgeFP[e.Kind] = append(p.edgeFP[e.Kind], pr["fp"].(string))
		p.edgeRows[e.Kind] = append(p.edgeRows[e.Kind], []any{e.From.String(), e.To.String(), map[string]any(pr)})
		walkEdgeRefs(&e, inBatch, note)
	}
	return p, ps
}

// walkNodeRefs calls visit for each source a valid node of the batch
// cites that the batch does not hold, with its index in the node's sources.
func (p *plan) walkNodeRefs(inBatch map[string]int, visit func(n domain.Node, key string, j int)) {
	for _, n := range p.batch.Nodes {
		if isNil(n) || !n.Key().Kind.Valid() {
			continue
		}
		for j, src := range n.Base().Sources {
			ks := domain.NodeKey{Kind: domain.KindSource, ID: src}.String()
			if _, ok := inBatch[ks]; !ok {
				visit(n, ks, j)
			}
		}
	}
}

// Reference sites of an edge, as walkEdgeRefs reports them: the ends, the
// agreement or forum, then refSources+j for sources[j].
const (
	refFrom = iota
	refTo
	refThrough
	refSources
)

// walkEdgeRefs calls visit for each key a valid, normalised edge refers
// to that the batch does not hold. Sites are small integers rather than
// worded fields so that the walk allocates nothing on a 100,000-row load.
func walkEdgeRefs(e *domain.Edge, inBatch map[string]int, visit func(key string, site int)) {
	ref := func(k domain.NodeKey, site int) {
		ks := k.String()
		if _, ok := inBatch[ks]; !ok {
			visit(ks, site)
		}
	}
	ref(e.From, refFrom)
	ref(e.To, refTo)
	if e.Through != nil {
		ref(*e.Through, refThrough)
	}
	for j, src := range e.Sources {
		ref(domain.NodeKey{Kind: domain.KindSource, ID: src}, refSources+j)
	}
}

// edgeRefProblem words the problem of a missing key at a site of e.
func edgeRefProblem(e *domain.Edge, key string, site int) domain.Problem {
	field, what := ".from", "a node in the batch or the store"
	switch {
	case site == refTo:
		field = ".to"
	case site == refThrough:
		field, what = ".through", "an Agreement or Forum in the batch or the store"
	case site >= refSources:
		field, what = fmt.Sprintf(".sources[%d]", site-refSources), "a Source in the batch or the store"
	}
	return domain.Problem{Field: e.Key().String() + field, Found: key + ", which is neither in the batch nor stored", Expected: what}
}

// refProblems words a problem for every reference to a missing key, in
// field order, by walking the batch again as prepare did.
func (p *plan) refProblems(missing map[string]bool) []domain.Problem {
	if len(missing) == 0 {
		return nil
	}
	var out []domain.Problem
	inBatch := make(map[string]int, len(p.nodes))
	for i, n := range p.nodes {
		inBatch[n.Key().String()] = i
	}
	p.walkNodeRefs(inBatch, func(n domain.Node, k string, j int) {
		if missing[k] {
			out = append(out, domain.Problem{Field: fmt.Sprintf("%s.sources[%d]", n.Key(), j),
				Found: k + ", which is neither in the batch nor stored", Expected: "a Source in the batch or the store"})
		}
	})
	seen := map[domain.EdgeKey]bool{}
	for i := range p.batch.Edges {
		e := p.batch.Edges[i]
		e.Normalize()
		if seen[e.Key()] || len(domain.ValidateEdge(&e)) > 0 {
			seen[e.Key()] = true
			continue
		}
		seen[e.Key()] = true
		walkEdgeRefs(&e, inBatch, func(k string, site int) {
			if missing[k] {
				out = append(out, edgeRefProblem(&e, k, site))
			}
		})
	}
	sortProblems(out)
	return out
}

// check reads, in one statement, which referenced keys are stored and, if
// classify is set (a dry run), the stored fingerprints of the batch's nodes
// and edges, from which it builds the report a write would produce.
func (p *plan) check(ctx context.Context, tx neo4j.ManagedTransaction, classify bool) (domain.Report, map[string]bool, error) {
	keys := make([]string, 0, len(p.refs)+len(p.nodeFP))
	for k := range p.refs {
		keys = append(keys, k)
	}
	if classify {
		for k := range p.nodeFP {
			keys = append(keys, k)
		}
	}
	params := map[string]any{"keys": keys}
	var cypher strings.Builder
	cypher.WriteString(`CALL () {
			UNWIND $keys AS k
			MATCH (n:Entity {key: k})
			RETURN collect([k, coalesce(n.fp, '')]) AS nodes
		}`)
	// One subquery per edge kind: the relationship type in the pattern
	// (a domain constant) lets the server expand only that type.
	var kinds []domain.EdgeKind
	if classify {
		for _, k := range domain.EdgeKinds {
			rows := p.edgeRows[k]
			if len(rows) == 0 {
				continue
			}
			n := strconv.Itoa(len(kinds))
			kinds = append(kinds, k)
			es := make([]any, len(rows))
			for j, r := range rows {
				row := r.([]any)
				es[j] = []any{int64(j), row[0], row[1]}
			}
			params["e"+n] = es
			cypher.WriteString(`
		CALL () {
			UNWIND $e` + n + ` AS e
			MATCH (a:Entity {key: e[1]})
			MATCH (b:Entity {key: e[2]})
			MATCH (a)-[r:` + relType(k) + `]->(b)
			RETURN collect([e[0], coalesce(r.fp, '')]) AS e` + n + `
		}`)
		}
	}
	cypher.WriteString("\n\t\tRETURN *")
	res, err := tx.Run(ctx, cypher.String(), params)
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
		if pair := asList(x); len(pair) == 2 {
			k, _ := pair[0].(string)
			fp, _ := pair[1].(string)
			stored[k] = fp
		}
	}
	var missing map[string]bool
	for k := range p.refs {
		if _, ok := stored[k]; !ok {
			if missing == nil {
				missing = map[string]bool{}
			}
			missing[k] = true
		}
	}
	var rep domain.Report
	if !classify {
		return rep, missing, nil
	}
	for _, n := range p.nodes {
		k := n.Key().String()
		fp, ok := stored[k]
		rep.AddNode(n.Key().Kind, !ok, ok && fp != p.nodeFP[k])
	}
	for n, k := range kinds {
		storedEdge := map[int64]string{}
		es, _ := rec.Get("e" + strconv.Itoa(n))
		for _, x := range asList(es) {
			if pair := asList(x); len(pair) == 2 {
				i, _ := pair[0].(int64)
				fp, _ := pair[1].(string)
				storedEdge[i] = fp
			}
		}
		for j, want := range p.edgeFP[k] {
			fp, ok := storedEdge[int64(j)]
			rep.AddEdge(k, !ok, ok && fp != want)
		}
	}
	return rep, missing, nil
}

// write stores the batch, nodes before edges, and returns what it did.
func (p *plan) write(ctx context.Context, tx neo4j.ManagedTransaction) (domain.Report, error) {
	return writeRows(ctx, tx, p.nodeRows, p.edgeRows)
}

// writeRows stores node rows and then edge rows. Each statement MERGEs on
// the key and SETs the property map only on creation or when the stored
// fingerprint differs; `same` is read right after the MERGE, when a
// created row already holds the new fingerprint.
func writeRows(ctx context.Context, tx neo4j.ManagedTransaction, nodeRows map[domain.Kind][]any, edgeRows map[domain.EdgeKind][]any) (domain.Report, error) {
	rep := domain.Report{}
	for _, k := range domain.Kinds {
		rows := nodeRows[k]
		if len(rows) == 0 {
			continue
		}
		cypher := `UNWIND $rows AS r
			MERGE (n:Entity {key: r[0]})
			ON CREATE SET n = r[1], n:` + label(k) + `
			WITH n, r, n.fp = r[1].fp AS same
			FOREACH (_ IN CASE WHEN same THEN [] ELSE [1] END | SET n = r[1])
			RETURN count(*) - count(CASE WHEN same THEN 1 END) AS updated`
		c, err := runChunks(ctx, tx, cypher, rows)
		if err != nil {
			return domain.Report{}, err
		}
		if rep.Nodes == nil {
			rep.Nodes = map[domain.Kind]domain.Counts{}
		}
		rep.Nodes[k] = c
	}
	for _, k := range domain.EdgeKinds {
		rows := edgeRows[k]
		if len(rows) == 0 {
			continue
		}
		// PARTNER_OF is stored lesser end first (prepare normalised the
		// rows), so a directed MERGE finds it and an undirected one would
		// only look at more relationships.
		cypher := `UNWIND $rows AS r
			MATCH (a:Entity {key: r[0]})
			MATCH (b:Entity {key: r[1]})
			MERGE (a)-[x:` + relType(k) + `]->(b)
			ON CREATE SET x = r[2]
			WITH x, r, x.fp = r[2].fp AS same
			FOREACH (_ IN CASE WHEN same THEN [] ELSE [1] END | SET x = r[2])
			RETURN count(*) - count(CASE WHEN same THEN 1 END) AS updated`
		c, err := runChunks(ctx, tx, cypher, rows)
		if err != nil {
			return domain.Report{}, err
		}
		if rep.Edges == nil {
			rep.Edges = map[domain.EdgeKind]domain.Counts{}
		}
		rep.Edges[k] = c
	}
	return rep, nil
}

// runChunks runs a classifying write over rows in chunks and adds up what
// it did: created from the counters, updated from the result.
func runChunks(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, rows []any) (domain.Counts, error) {
	var c domain.Counts
	for start := 0; start < len(rows); start += chunkRows {
		chunk := rows[start:min(start+chunkRows, len(rows))]
		res, err := tx.Run(ctx, cypher, map[string]any{"rows": chunk})
		if err != nil {
			return c, tooLarge(err, len(rows))
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return c, tooLarge(err, len(rows))
		}
		sum, err := res.Consume(ctx)
		if err != nil {
			return c, tooLarge(err, len(rows))
		}
		created := sum.Counters().NodesCreated() + sum.Counters().RelationshipsCreated()
		updated := int(getInt(rec, "updated"))
		c.Created += created
		c.Updated += updated
		c.Unchanged += len(chunk) - created - updated
	}
	return c, nil
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
