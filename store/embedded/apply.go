package embedded

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/parallel"
)

// nodeWrite and edgeWrite are one planned change: the private canonical
// copy to store and its encoding.
type nodeWrite struct {
	node domain.Node
	data []byte
}

type edgeWrite struct {
	edge *domain.Edge
	key  []byte
	data []byte
}

// plan is a validated batch: what to write and the report of it.
type plan struct {
	nodes  []nodeWrite
	edges  []edgeWrite
	report domain.Report
}

// Apply validates the whole batch, writes it in one bbolt transaction and
// then updates memory. See domain.Store.
//
// Reads go on while a batch is validated and written to the file: Apply
// holds the writers' lock throughout, so no other write can change the
// state between its plan and its swap, but the readers' lock only for
// reading the state while planning and, exclusively, for the in-memory
// update at the end. A 100,000-row load used to block reads for all of
// it, validation and fsync included.
func (s *Store) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if b == nil {
		return domain.Report{}, domain.Errorf(domain.EINVALID, "no batch to apply")
	}
	p, err := read(s, ctx, func(st *state) (*plan, error) { return st.plan(b, s.db != nil && !opt.DryRun) })
	if err != nil {
		return domain.Report{}, err
	}
	if opt.DryRun {
		return p.report, nil
	}
	if s.db != nil && (len(p.nodes) > 0 || len(p.edges) > 0) {
		if hook := testHookWriting; hook != nil {
			hook()
		}
		if err := s.db.Update(p.write); err != nil {
			return domain.Report{}, domain.Internal(err, "writing the batch to the store file")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.reserve(len(p.edges))
	for _, w := range p.nodes {
		s.st.putNode(w.node)
	}
	for _, w := range p.edges {
		s.st.putEdge(w.edge)
	}
	return p.report, nil
}

// testHookWriting, when a test sets it, runs as Apply starts writing the
// file, with no readers' lock held.
var testHookWriting func()

// write puts the planned values in tx, edges in key order: bbolt appends
// sorted keys far faster than scattered ones.
func (p *plan) write(tx *bolt.Tx) error {
	for _, w := range p.nodes {
		b, err := tx.CreateBucketIfNotExists(nodeBucket(w.node.Key().Kind))
		if err != nil {
			return err
		}
		if err := b.Put([]byte(w.node.Base().ID), w.data); err != nil {
			return err
		}
	}
	if len(p.edges) == 0 {
		return nil
	}
	eb, err := tx.CreateBucketIfNotExists(edgesBucket)
	if err != nil {
		return err
	}
	ws := p.edges // sorted by key in plan
	// Keys go in sorted. When they all sort after the stored ones (a first
	// load, or a load of new relations only) no later write of this batch
	// lands in a page it fills, so pages are filled whole: fewer pages to
	// write and fsync. Otherwise leave room for inserts in between.
	eb.FillPercent = 0.9
	if last, _ := eb.Cursor().Last(); last == nil || bytes.Compare(last, ws[0].key) < 0 {
		eb.FillPercent = 1.0
	}
	for _, w := range ws {
		if err := eb.Put(w.key, w.data); err != nil {
			return err
		}
	}
	return nil
}

// plan validates b against itself and the stored graph and returns what to
// write (encoded for disk if encode), or EINVALID with every problem found.
// It changes nothing.
func (st *state) plan(b *domain.Batch, encode bool) (*plan, error) {
	var problems []domain.Problem
	about := func(prefix string, ps []domain.Problem) {
		for _, p := range ps {
			if p.Field != "" {
				p.Field = prefix + "." + p.Field
			} else {
				p.Field = prefix
			}
			problems = append(problems, p)
		}
	}
	inBatch := make(map[domain.NodeKey]bool, len(b.Nodes))
	for i, n := range b.Nodes {
		if n == nil || reflect.ValueOf(n).IsNil() {
			problems = append(problems, domain.Problem{Field: fmt.Sprintf("nodes[%d]", i), Found: "nothing", Expected: "a node"})
			continue
		}
		k := n.Key()
		if inBatch[k] {
			about(k.String(), []domain.Problem{{Found: "the same key twice in the batch", Expected: "each node once per batch"}})
		}
		inBatch[k] = true
	}
	exists := func(k domain.NodeKey) bool {
		if inBatch[k] {
			return true
		}
		_, ok := st.nodes[k]
		return ok
	}
	checkSources := func(prefix string, sources []string) {
		for i, s := range sources {
			if domain.ValidateSlug(s) == nil && !exists(domain.NodeKey{Kind: domain.KindSource, ID: s}) {
				about(prefix, []domain.Problem{{Field: fmt.Sprintf("sources[%d]", i), Found: fmt.Sprintf("%q", s),
					Expected: "a Source in the batch or already stored"}})
			}
		}
	}

	p := &plan{edges: make([]edgeWrite, 0, len(b.Edges))}
	for _, n := range b.Nodes {
		if n == nil || reflect.ValueOf(n).IsNil() {
			continue
		}
		k := n.Key()
		if ps := domain.ValidateNode(n); len(ps) > 0 {
			about(k.String(), ps)
			continue
		}
		checkSources(k.String(), n.Base().Sources)
		c := cloneNode(n)
		if c == nil {
			about(k.String(), []domain.Problem{{Found: fmt.Sprintf("%T", n), Expected: "a node type of package domain"}})
			continue
		}
		old, stored := st.nodes[k]
		changed := !stored || !reflect.DeepEqual(old, c)
		p.report.AddNode(k.Kind, !stored, changed)
		if changed {
			p.nodes = append(p.nodes, nodeWrite{node: c})
		}
	}

	// Copying, normalising and checking each edge on its own is most of
	// the work of a big batch, and needs nothing shared: spread it over the cores.
	//
	// Whether a valid edge changes what is stored, and its encoding for
	// disk, depend only on it and the stored graph, which nothing changes
	// while the write lock is held: they are worked out here too, so that
	// the loop below, which must run in order, does as little as possible.
	// An edge of an invalid batch is encoded for nothing; a bulk load that
	// is valid gets its encoding done alongside its checks.
	type checked struct {
		problems []domain.Problem
		// missing are the problems of ends and sources that are nowhere:
		// the batch's nodes and the stored ones are known by now.
		missing []domain.Problem
		key     domain.EdgeKey
		stored  bool
		changed bool
		data    []byte
		diskKey []byte
	}
	edges := make([]domain.Edge, len(b.Edges))
	checks := make([]checked, len(b.Edges))
	parallel.For(len(b.Edges), func(i int) {
		e, c := &edges[i], &checks[i]
		*e = cloneEdge(&b.Edges[i])
		e.Normalize()
		c.key = e.Key()
		if c.problems = domain.ValidateEdge(e); len(c.problems) > 0 {
			return
		}
		for _, end := range []struct {
			field string
			key   *domain.NodeKey
		}{{"from", &e.From}, {"to", &e.To}, {"through", e.Through}} {
			if end.key != nil && !exists(*end.key) {
				c.missing = append(c.missing, domain.Problem{Field: end.field, Found: end.key.String(), Expected: "a node in the batch or already stored"})
			}
		}
		for i, s := range e.Sources {
			if domain.ValidateSlug(s) == nil && !exists(domain.NodeKey{Kind: domain.KindSource, ID: s}) {
				c.missing = append(c.missing, domain.Problem{Field: fmt.Sprintf("sources[%d]", i), Found: fmt.Sprintf("%q", s),
					Expected: "a Source in the batch or already stored"})
			}
		}
		var old *domain.Edge
		old, c.stored = st.edges[c.key]
		c.changed = !c.stored || !reflect.DeepEqual(old, e)
		if encode && c.changed {
			c.data, _ = encodeEdge(e) // never fails
			c.diskKey = edgeDiskKey(c.key)
		}
	})
	seen := make(map[domain.EdgeKey]bool, len(b.Edges))
	for i := range edges {
		e, c := &edges[i], &checks[i]
		if seen[c.key] {
			about(c.key.String(), []domain.Problem{{Found: "the same relation twice in the batch", Expected: "each relation once per batch (a partnership counts once whichever end it is written from)"}})
			continue
		}
		seen[c.key] = true
		if len(c.problems) > 0 {
			about(c.key.String(), c.problems)
			continue
		}
		if len(c.missing) > 0 {
			about(c.key.String(), c.missing)
		}
		p.report.AddEdge(e.Kind, !c.stored, c.changed)
		if c.changed {
			p.edges = append(p.edges, edgeWrite{edge: e, key: c.diskKey, data: c.data})
		}
	}
	if len(problems) > 0 {
		return nil, &domain.Error{Code: domain.EINVALID, Problems: problems,
			Message: fmt.Sprintf("the batch has %d problem(s) and nothing was written; first: %s", len(problems), problems[0])}
	}
	if !encode {
		return p, nil
	}
	// Nodes are few: encode them only once the batch is known good.
	for i := range p.nodes {
		data, err := encodeNode(p.nodes[i].node)
		if err != nil {
			return nil, domain.Internal(err, "encoding "+p.nodes[i].node.Key().String())
		}
		p.nodes[i].data = data
	}
	sortWrites(p.edges)
	return p, nil
}

// sortWrites sorts edge writes by disk key, the halves of a large batch on
// two cores and then merged.
func sortWrites(ws []edgeWrite) {
	byKey := func(a, b edgeWrite) int { return bytes.Compare(a.key, b.key) }
	if len(ws) < 4096 || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(ws, byKey)
		return
	}
	half := len(ws) / 2
	lo, hi := slices.Clone(ws[:half]), slices.Clone(ws[half:])
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(lo, byKey) })
	slices.SortFunc(hi, byKey)
	wg.Wait()
	i, j := 0, 0
	for k := range ws {
		if j == len(hi) || (i < len(lo) && byKey(lo[i], hi[j]) <= 0) {
			ws[k], i = lo[i], i+1
		} else {
			ws[k], j = hi[j], j+1
		}
	}
}
