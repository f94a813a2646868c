// Package loader holds the per-request loaders through which resolvers read
// the store. A request's plan (graph/plan.go) is run before any resolver,
// and its answers are put into the loaders: every read the plan covered is
// answered from them, with no store call and no waiting. What the plan did
// not cover (the analytics' nodes, a field that could not be planned) is
// read from the store directly, without a batching window, and kept for
// the rest of the request.
package loader

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/citygraph/citygraph/domain"
)

// Loaders answers one request's reads. Build a fresh one per request: it
// keeps what it read, and a cache shared between requests would serve
// stale data after a seed load.
type Loaders struct {
	store domain.Store
	// answers are the request's plans' answers: the operation's, then any
	// read for the nodes an analytic names. Never changed, only replaced.
	answers atomic.Pointer[[]*domain.Answers]

	// What was read from the store outside the plan, so that a node or a
	// page asked twice is read once. Made on the first such read: most
	// requests have none.
	mu    sync.Mutex
	nodes map[domain.NodeKey]domain.Node
	edges map[string]map[domain.NodeKey]domain.EdgePage
	memo  sync.Map
}

// New returns loaders reading from st.
func New(st domain.Store) *Loaders {
	return &Loaders{store: st}
}

// Answer makes every later read covered by a answered from it.
func (l *Loaders) Answer(a *domain.Answers) {
	for {
		old := l.answers.Load()
		var next []*domain.Answers
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, a)
		if l.answers.CompareAndSwap(old, &next) {
			return
		}
	}
}

// planned returns the answers so far.
func (l *Loaders) planned() []*domain.Answers {
	if as := l.answers.Load(); as != nil {
		return *as
	}
	return nil
}

func (l *Loaders) plannedNode(k domain.NodeKey) (domain.Node, bool) {
	for _, a := range l.planned() {
		if n, ok := a.Node(k); ok {
			return n, true
		}
	}
	return nil, false
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the request's loaders, if it has any.
func From(ctx context.Context) (*Loaders, bool) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	return l, ok
}

// For returns the request's loaders. It panics if they are
// missing: that is a wiring bug, and the recover function reports it.
func For(ctx context.Context) *Loaders {
	l, ok := From(ctx)
	if !ok {
		panic("loader.For: no loaders in context; the handler gives every request its own (loader.With)")
	}
	return l
}

// Node loads one node; nil when it does not exist.
func (l *Loaders) Node(ctx context.Context, key domain.NodeKey) (domain.Node, error) {
	nodes, err := l.Nodes(ctx, []domain.NodeKey{key})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

// Nodes loads many nodes in order, nil where missing. Only the keys
// neither the plan nor an earlier read answered reach the store, in one
// call.
func (l *Loaders) Nodes(ctx context.Context, keys []domain.NodeKey) ([]domain.Node, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	out := make([]domain.Node, len(keys))
	var missing []domain.NodeKey
	var at []int
	l.mu.Lock()
	for i, k := range keys {
		if n, ok := l.plannedNode(k); ok {
			out[i] = n
		} else if n, ok := l.nodes[k]; ok {
			out[i] = n
		} else {
			missing = append(missing, k)
			at = append(at, i)
		}
	}
	l.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	if err := expired(ctx); err != nil {
		return nil, err
	}
	nodes, err := l.store.Nodes(ctx, missing)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.nodes == nil {
		l.nodes = make(map[domain.NodeKey]domain.Node, len(nodes))
	}
	for j, n := range nodes {
		out[at[j]] = n
		l.nodes[missing[j]] = n
	}
	return out, nil
}

// ListNodes answers one page of a node list (cities(…)).
func (l *Loaders) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	if err := q.Normalize(); err != nil {
		return domain.NodePage{}, err
	}
	for _, a := range l.planned() {
		if p, ok := a.Lists[q.Signature()]; ok {
			return p, nil
		}
	}
	if err := expired(ctx); err != nil {
		return domain.NodePage{}, err
	}
	return l.store.ListNodes(ctx, q)
}

// Query is a relation query normalized, with its signatures: printing a
// signature is costly, and a field asks for the same query at every node
// it is resolved on, so resolvers prepare it once per field and request.
type Query struct {
	q           domain.EdgeQuery
	sig, allSig string
}

// Prepare validates q and computes its signatures.
func Prepare(q domain.EdgeQuery) (Query, error) {
	if err := q.Normalize(); err != nil {
		return Query{}, err
	}
	return Query{q: q, sig: q.Signature(), allSig: q.AllSignature()}, nil
}

// Edges loads one page of anchor's edges matching q.
func (l *Loaders) Edges(ctx context.Context, q domain.EdgeQuery, anchor domain.NodeKey) (domain.EdgePage, error) {
	pq, err := Prepare(q)
	if err != nil {
		return domain.EdgePage{}, err
	}
	return l.Page(ctx, pq, anchor)
}

// Page loads one page of anchor's edges matching a prepared query.
func (l *Loaders) Page(ctx context.Context, q Query, anchor domain.NodeKey) (domain.EdgePage, error) {
	for _, a := range l.planned() {
		if p, ok := a.Edges[q.sig][anchor]; ok {
			return p, nil
		}
	}
	l.mu.Lock()
	p, ok := l.edges[q.sig][anchor]
	l.mu.Unlock()
	if ok {
		return p, nil
	}
	if err := expired(ctx); err != nil {
		return domain.EdgePage{}, err
	}
	pages, err := l.store.Edges(ctx, q.q, []domain.NodeKey{anchor})
	if err != nil {
		return domain.EdgePage{}, err
	}
	if len(pages) != 1 {
		return domain.EdgePage{}, domain.Errorf(domain.EINTERNAL, "the store answered %d pages for one anchor", len(pages))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.edges == nil {
		l.edges = map[string]map[domain.NodeKey]domain.EdgePage{}
	}
	if l.edges[q.sig] == nil {
		l.edges[q.sig] = map[domain.NodeKey]domain.EdgePage{}
	}
	l.edges[q.sig][anchor] = pages[0]
	return pages[0], nil
}

// AllEdges loads every edge of anchor matching q: for fields that are
// lists rather than connections (a forum's agreements).
func (l *Loaders) AllEdges(ctx context.Context, q domain.EdgeQuery, anchor domain.NodeKey) ([]domain.Edge, error) {
	pq, err := Prepare(q)
	if err != nil {
		return nil, err
	}
	return l.All(ctx, pq, anchor)
}

// All loads every edge of anchor matching a prepared query, whatever its
// page. Outside a plan it reads page by page.
func (l *Loaders) All(ctx context.Context, q Query, anchor domain.NodeKey) ([]domain.Edge, error) {
	for _, a := range l.planned() {
		if p, ok := a.Edges[q.allSig][anchor]; ok {
			return p.Items, nil
		}
	}
	page := q.q
	page.Page = domain.Page{First: domain.MaxPageSize}
	var all []domain.Edge
	for {
		p, err := l.Edges(ctx, page, anchor)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if !p.HasNextPage || len(p.Cursors) == 0 {
			return all, nil
		}
		page.Page.After = p.Cursors[len(p.Cursors)-1]
	}
}

// One returns the node at the other end of the first relation q finds
// from anchor (a city's country, a forum's host city), or nil; q's page is
// First 1.
func (l *Loaders) One(ctx context.Context, q Query, anchor domain.NodeKey) (domain.Node, error) {
	p, err := l.Page(ctx, q, anchor)
	if err != nil || len(p.Items) == 0 {
		return nil, err
	}
	return l.Node(ctx, p.Items[0].Other(anchor))
}

// Memo returns what build returns for key, built once per request: the
// resolvers' per-field work (arguments, queries) is the same at every node.
func (l *Loaders) Memo(key any, build func() any) any {
	if v, ok := l.memo.Load(key); ok {
		return v
	}
	v, _ := l.memo.LoadOrStore(key, build())
	return v
}

// Others loads the nodes at the other ends of edges, in order.
func (l *Loaders) Others(ctx context.Context, anchor domain.NodeKey, edges []domain.Edge) ([]domain.Node, error) {
	keys := make([]domain.NodeKey, len(edges))
	for i := range edges {
		keys[i] = edges[i].Other(anchor)
	}
	return l.Nodes(ctx, keys)
}

// Sources loads the Source nodes with the given slugs, skipping any that
// no longer exist.
func (l *Loaders) Sources(ctx context.Context, slugs []string) ([]*domain.Source, error) {
	keys := make([]domain.NodeKey, len(slugs))
	for i, s := range slugs {
		keys[i] = domain.NodeKey{Kind: domain.KindSource, ID: s}
	}
	nodes, err := l.Nodes(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Source, 0, len(nodes))
	for _, n := range nodes {
		if s, ok := n.(*domain.Source); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// As loads a node and returns it as T, or the zero T (nil) when it does not
// exist or is of another kind.
func As[T domain.Node](ctx context.Context, key domain.NodeKey) (T, error) {
	var zero T
	n, err := For(ctx).Node(ctx, key)
	if err != nil || n == nil {
		return zero, err
	}
	t, _ := n.(T)
	return t, nil
}

// AllAs converts loaded nodes to T, dropping nils and other kinds.
func AllAs[T domain.Node](nodes []domain.Node) []T {
	out := make([]T, 0, len(nodes))
	for _, n := range nodes {
		if t, ok := n.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// Forget drops what the request read from the store outside its plan:
// after a write (mutations run one at a time), later fields read afresh.
func (l *Loaders) Forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nodes, l.edges = nil, nil
}
