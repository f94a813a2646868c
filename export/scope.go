package export

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Page sizes of the store reads an export makes: nodes come nodePage at a
// time, their relations for anchorBatch anchors at once with edgePage per
// anchor, so one read holds at most anchorBatch×edgePage relations however
// large the graph is.
const (
	nodePage    = 500
	anchorBatch = 200
	edgePage    = 100
)

// scope is the part of the graph an export covers: its nodes, and the
// relations among them, each once, page by page.
type scope interface {
	// nodes calls fn with the scope's nodes, a page at a time.
	nodes(ctx context.Context, st domain.Store, fn func([]domain.Node) error) error
	// edges calls fn with the scope's relations, a page at a time.
	edges(ctx context.Context, st domain.Store, fn func([]domain.Edge) error) error
	// name is a short name for file names ("graph", "nanning-2", "City").
	name() string
}

// wholeGraph is every node and relation.
type wholeGraph struct{}

func (wholeGraph) name() string { return "graph" }

func (wholeGraph) nodes(ctx context.Context, st domain.Store, fn func([]domain.Node) error) error {
	for _, k := range domain.Kinds {
		if err := pageNodes(ctx, st, domain.NodeQuery{Kind: k}, fn); err != nil {
			return err
		}
	}
	return nil
}

// edges reads each relation once, from the end it is stored from: every
// node's outgoing relations, an undirected one from its lesser end.
func (wholeGraph) edges(ctx context.Context, st domain.Store, fn func([]domain.Edge) error) error {
	for _, k := range domain.Kinds {
		kinds := edgeKindsFrom(k)
		if len(kinds) == 0 {
			continue
		}
		err := pageNodes(ctx, st, domain.NodeQuery{Kind: k}, func(page []domain.Node) error {
			for _, ek := range kinds {
				if err := startingAt(ctx, st, ek, keysOf(page), nil, fn); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// edgeBatch is how many relations startingAt hands on at once.
const edgeBatch = 1000

// startingAt calls fn with the relations of kind ek stored from the
// anchors (an undirected one from its lesser end) whose other end keep
// accepts (nil: all), edgeBatch at a time. fn must not keep the slice: it
// is reused for the next batch.
func startingAt(ctx context.Context, st domain.Store, ek domain.EdgeKind, anchors []domain.NodeKey, keep func(domain.NodeKey) bool, fn func([]domain.Edge) error) error {
	var out []domain.Edge
	err := eachEdgeOf(ctx, st, domain.EdgeQuery{Kind: ek, Direction: domain.Out}, anchors, func(anchor domain.NodeKey, e domain.Edge) error {
		k := e.Key()
		if k.From != anchor || (keep != nil && !keep(k.To)) {
			return nil
		}
		if out = append(out, e); len(out) < edgeBatch {
			return nil
		}
		err := fn(out)
		out = out[:0]
		return err
	})
	if err != nil || len(out) == 0 {
		return err
	}
	return fn(out)
}

// neighbourhood is the nodes within a depth of a centre and the relations
// among them: one store call, bounded by domain.MaxNeighbourhoodNodes, made
// before the first byte is written (so an unknown centre is a clean 400).
type neighbourhood struct {
	q   domain.NeighbourhoodQuery
	sub domain.Subgraph
}

func (s *neighbourhood) name() string { return fmt.Sprintf("%s-%d", s.q.Center.ID, s.q.Depth) }

func (s *neighbourhood) load(ctx context.Context, st domain.Store) error {
	sub, err := st.Neighbourhood(ctx, s.q)
	s.sub = sub
	return err
}

func (s *neighbourhood) nodes(_ context.Context, _ domain.Store, fn func([]domain.Node) error) error {
	return fn(s.sub.Nodes)
}

func (s *neighbourhood) edges(_ context.Context, _ domain.Store, fn func([]domain.Edge) error) error {
	return fn(s.sub.Edges)
}

// filtered is the nodes of one kind that a node list's filter keeps and the
// relations among them (for cities: their partnerships).
//
// Seam: when `where` filters land (issue 12 item 1), they belong in q
// beside domain.NodeFilter; nodes and edges read q only through
// pageNodes, so nothing else here changes.
type filtered struct {
	q domain.NodeQuery
}

func (s *filtered) name() string {
	parts := []string{string(s.q.Kind)}
	for _, v := range []string{s.q.Filter.Country, s.q.Filter.Grouping, string(s.q.Filter.OrgKind), string(s.q.Filter.Sector)} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, "-")
}

func (s *filtered) nodes(ctx context.Context, st domain.Store, fn func([]domain.Node) error) error {
	return pageNodes(ctx, st, s.q, fn)
}

// edges keeps the relations whose both ends pass the filter. The set's
// keys are held in memory (keys only: about 50 bytes a node) because the
// store cannot test a relation's far end against every filter.
func (s *filtered) edges(ctx context.Context, st domain.Store, fn func([]domain.Edge) error) error {
	var kinds []domain.EdgeKind
	for _, ek := range domain.EdgeKinds {
		r := domain.EdgeRules[ek]
		if slices.Contains(r.From, s.q.Kind) && slices.Contains(r.To, s.q.Kind) {
			kinds = append(kinds, ek)
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	in := map[domain.NodeKey]bool{}
	if err := pageNodes(ctx, st, s.q, func(page []domain.Node) error {
		for _, n := range page {
			in[n.Key()] = true
		}
		return nil
	}); err != nil {
		return err
	}
	return pageNodes(ctx, st, s.q, func(page []domain.Node) error {
		for _, ek := range kinds {
			if err := startingAt(ctx, st, ek, keysOf(page), func(k domain.NodeKey) bool { return in[k] }, fn); err != nil {
				return err
			}
		}
		return nil
	})
}

// pageNodes lists the nodes q selects in slug order, a page at a time.
func pageNodes(ctx context.Context, st domain.Store, q domain.NodeQuery, fn func([]domain.Node) error) error {
	q.Order = domain.OrderByID
	q.Desc = false
	q.Page = domain.Page{First: nodePage, NoTotal: true}
	for {
		if err := ctx.Err(); err != nil {
			return domain.Timeout(err, "exporting the graph took longer than the export timeout; export a part of it (a neighbourhood or a filtered set)")
		}
		p, err := st.ListNodes(ctx, q)
		if err != nil {
			return err
		}
		if len(p.Items) > 0 {
			if err := fn(p.Items); err != nil {
				return err
			}
		}
		if !p.HasNextPage || len(p.Cursors) == 0 {
			return nil
		}
		q.Page.After = p.Cursors[len(p.Cursors)-1]
	}
}

// eachEdgeOf calls fn with every relation q matches at each anchor,
// anchorBatch anchors per store call and edgePage relations per anchor;
// an anchor with more is paged on its own.
func eachEdgeOf(ctx context.Context, st domain.Store, q domain.EdgeQuery, anchors []domain.NodeKey, fn func(anchor domain.NodeKey, e domain.Edge) error) error {
	q.Page = domain.Page{First: edgePage, NoTotal: true}
	for len(anchors) > 0 {
		batch := anchors[:min(anchorBatch, len(anchors))]
		anchors = anchors[len(batch):]
		pages, err := st.Edges(ctx, q, batch)
		if err != nil {
			return err
		}
		for i, p := range pages {
			for {
				for _, e := range p.Items {
					if err := fn(batch[i], e); err != nil {
						return err
					}
				}
				if !p.HasNextPage || len(p.Cursors) == 0 {
					break
				}
				more := q
				more.Page.After = p.Cursors[len(p.Cursors)-1]
				next, err := st.Edges(ctx, more, batch[i:i+1])
				if err != nil {
					return err
				}
				p = next[0]
			}
		}
	}
	return nil
}

// edgeKindsFrom lists the relation kinds a node of kind k can be stored
// as the start of.
func edgeKindsFrom(k domain.Kind) []domain.EdgeKind {
	var out []domain.EdgeKind
	for _, ek := range domain.EdgeKinds {
		if slices.Contains(domain.EdgeRules[ek].From, k) {
			out = append(out, ek)
		}
	}
	return out
}

func keysOf(nodes []domain.Node) []domain.NodeKey {
	keys := make([]domain.NodeKey, len(nodes))
	for i, n := range nodes {
		keys[i] = n.Key()
	}
	return keys
}
