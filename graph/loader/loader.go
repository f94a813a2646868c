// Package loader holds the per-request loaders that batch the GraphQL
// layer's reads: every node or relation a request needs at one depth of its
// selection is fetched with one store call, whatever the size of the result.
package loader

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/vikstrous/dataloadgen"
)

// DefaultWait is how long a loader gathers keys before it fetches.
// Resolvers at one depth run concurrently, but on two busy cores a 2 ms
// window split batches (measured: 8 to 12 store calls for the same query);
// 4 ms kept them whole on an idle machine. A window is a trade: each level
// of a query waits for it once, and a resolver that arrives after it closes
// costs one more store call, never a wrong answer.
const DefaultWait = 4 * time.Millisecond

// Loaders batches one request's reads. Build a fresh one per request: it
// caches what it loaded, and a cache shared between requests would serve
// stale data after a seed load.
type Loaders struct {
	store domain.Store
	wait  time.Duration
	nodes *dataloadgen.Loader[domain.NodeKey, domain.Node]

	mu    sync.Mutex
	edges map[string]*dataloadgen.Loader[domain.NodeKey, domain.EdgePage]
}

// New returns loaders reading from st that gather keys for wait before
// each fetch (DefaultWait when wait is zero).
func New(st domain.Store, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	l := &Loaders{store: st, wait: wait, edges: map[string]*dataloadgen.Loader[domain.NodeKey, domain.EdgePage]{}}
	l.nodes = dataloadgen.NewLoader(func(ctx context.Context, keys []domain.NodeKey) ([]domain.Node, []error) {
		if err := expired(ctx); err != nil {
			return nil, []error{err}
		}
		nodes, err := st.Nodes(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return nodes, nil
	}, dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(domain.MaxPageSize*10))
	return l
}

type ctxKey struct{}

// Middleware attaches fresh loaders, gathering keys for wait, to every request.
func Middleware(st domain.Store, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), New(st, wait))))
	})
}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders. It panics if the middleware is
// missing: that is a wiring bug, and the recover function reports it.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader.For: no loaders in context; wrap the handler with loader.Middleware")
	}
	return l
}

// Node loads one node; nil when it does not exist.
func (l *Loaders) Node(ctx context.Context, key domain.NodeKey) (domain.Node, error) {
	if err := expired(ctx); err != nil {
		return nil, err
	}
	return l.nodes.Load(ctx, key)
}

// Nodes loads many nodes in order, nil where missing.
func (l *Loaders) Nodes(ctx context.Context, keys []domain.NodeKey) ([]domain.Node, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if err := expired(ctx); err != nil {
		return nil, err
	}
	return l.nodes.LoadAll(ctx, keys)
}

// Edges loads one page of anchor's edges matching q. Requests with the same
// query share one batch, so a page of 100 cities asking for their partners
// costs one store call.
func (l *Loaders) Edges(ctx context.Context, q domain.EdgeQuery, anchor domain.NodeKey) (domain.EdgePage, error) {
	if err := q.Normalize(); err != nil {
		return domain.EdgePage{}, err
	}
	if err := expired(ctx); err != nil {
		return domain.EdgePage{}, err
	}
	return l.edgeLoader(q).Load(ctx, anchor)
}

func (l *Loaders) edgeLoader(q domain.EdgeQuery) *dataloadgen.Loader[domain.NodeKey, domain.EdgePage] {
	// The printed query is a faithful key: every field is a value or a slice of values.
	key := fmt.Sprintf("%+v", q)
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.edges[key]; ok {
		return ld
	}
	ld := dataloadgen.NewLoader(func(ctx context.Context, anchors []domain.NodeKey) ([]domain.EdgePage, []error) {
		if err := expired(ctx); err != nil {
			return nil, []error{err}
		}
		pages, err := l.store.Edges(ctx, q, anchors)
		if err != nil {
			return nil, []error{err}
		}
		return pages, nil
	}, dataloadgen.WithWait(l.wait), dataloadgen.WithBatchCapacity(domain.MaxPageSize*10))
	l.edges[key] = ld
	return ld
}

// AllEdges loads every edge of anchor matching q, page by page. For
// fields that are lists rather than connections (a forum's agreements);
// each page is still one batched store call.
func (l *Loaders) AllEdges(ctx context.Context, q domain.EdgeQuery, anchor domain.NodeKey) ([]domain.Edge, error) {
	q.Page = domain.Page{First: domain.MaxPageSize}
	var all []domain.Edge
	for {
		p, err := l.Edges(ctx, q, anchor)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if !p.HasNextPage || len(p.Cursors) == 0 {
			return all, nil
		}
		q.Page.After = p.Cursors[len(p.Cursors)-1]
	}
}

// One returns the node at the other end of anchor's single relation of
// kind k in direction d (a city's country, a forum's host city), or nil.
func (l *Loaders) One(ctx context.Context, anchor domain.NodeKey, k domain.EdgeKind, d domain.Direction) (domain.Node, error) {
	p, err := l.Edges(ctx, domain.EdgeQuery{Kind: k, Direction: d, Page: domain.Page{First: 1}}, anchor)
	if err != nil || len(p.Items) == 0 {
		return nil, err
	}
	return l.Node(ctx, p.Items[0].Other(anchor))
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
