package embedded

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

var _ domain.PlanRunner = (*Store)(nil)

// Run answers a whole plan in one walk of the in-memory indexes under one
// read lock, with the very page and filter code Nodes, ListNodes and Edges
// use, so every answer equals theirs. See domain.PlanRunner.
func (s *Store) Run(ctx context.Context, p *domain.Plan) (*domain.Answers, error) {
	if p == nil {
		return nil, domain.Errorf(domain.EINVALID, "no plan to run; give a plan with at least an empty list of roots")
	}
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) (*domain.Answers, error) {
		w := &planWalk{st: st, a: domain.NewAnswersFor(p),
			dl: newDeadline(ctx, "reading what the query asks", "fewer fields, smaller pages (first) or less nesting"), buf: pageBuf{share: true}}
		for i := range p.Roots {
			w.root(&p.Roots[i])
			if w.dl.stopped() {
				return nil, w.dl.Err()
			}
		}
		return w.a, nil
	})
}

// maxRoom bounds the room made ahead for a step's far ends: large pages
// may find little.
const maxRoom = 256

// planWalk is one Run's walk: the state it reads, the answers it fills and
// the deadline every step ticks.
type planWalk struct {
	st  *state
	a   *domain.Answers
	dl  *deadline
	buf pageBuf
}

func (w *planWalk) root(r *domain.Root) {
	var found []domain.NodeKey
	if r.List != nil {
		page := w.st.nodePage(*r.List, w.dl, true)
		if w.dl.stopped() {
			return
		}
		w.a.Lists[r.List.Signature()] = page
		for _, n := range page.Items {
			k := n.Key()
			w.a.Nodes[k] = n
			found = append(found, k)
		}
	}
	seen := make(map[domain.NodeKey]bool, len(found)+len(r.Keys))
	for _, k := range found {
		seen[k] = true
	}
	for _, k := range r.Keys {
		if w.dl.tick() {
			return
		}
		if w.read(k) != nil && !seen[k] { // a key asked twice is reached once
			seen[k] = true
			found = append(found, k)
		}
	}
	w.reach(found, &r.Reach)
}

// read records node k in the answers, nil if there is none, and returns
// it: the stored node itself, not a copy (see projection.go).
func (w *planWalk) read(k domain.NodeKey) domain.Node {
	if n, ok := w.a.Nodes[k]; ok {
		return n
	}
	n := w.st.nodes[k]
	w.a.Nodes[k] = n
	return n
}

func (w *planWalk) sources(slugs []string) {
	for _, s := range slugs {
		w.read(domain.NodeKey{Kind: domain.KindSource, ID: s})
	}
}

// reach reads what r asks from each node at (existing nodes, each once).
func (w *planWalk) reach(at []domain.NodeKey, r *domain.Reach) {
	if r.Sources {
		for _, k := range at {
			if n := w.a.Nodes[k]; n != nil {
				w.sources(n.Base().Sources)
			}
		}
	}
	for i := range r.Follow {
		f := &r.Follow[i]
		var sig string
		if f.All {
			sig = f.Query.AllSignature()
		} else {
			sig = f.Query.Signature()
		}
		var ends []domain.NodeKey
		var seen map[any]struct{} // far ends, each read once
		if f.Ends != nil {
			n := min(len(at)*max(f.Query.Page.First, f.Query.Page.Last, 1), maxRoom)
			ends, seen = make([]domain.NodeKey, 0, n), make(map[any]struct{}, n)
		}
		pages := w.a.Edges[sig]
		// The anchors are distinct: pages made by this step need no look-up.
		fresh := pages == nil
		for _, k := range at {
			if f.From != "" && k.Kind != f.From {
				continue
			}
			if pages == nil { // made for the first anchor: a step that reaches none answers nothing
				pages = make(map[domain.NodeKey]domain.EdgePage, len(at))
				w.a.Edges[sig] = pages
			}
			// An anchor reached by two paths is answered once.
			var page domain.EdgePage
			ok := false
			if !fresh {
				page, ok = pages[k]
			}
			if !ok {
				page = w.st.edgePage(f.Query, k, f.All, w.dl, &w.buf)
				if w.dl.stopped() {
					return
				}
				pages[k] = page
			}
			for j := range page.Items {
				e := &page.Items[j]
				if f.EdgeSources {
					w.sources(e.Sources)
				}
				if seen != nil {
					ends = w.end(e.Other(k), seen, ends)
				}
			}
		}
		if f.Ends != nil {
			w.reach(ends, f.Ends)
			if w.dl.stopped() {
				return
			}
		}
	}
}

// end reads far end o into the answers and adds it to ends, unless seen
// holds it. seen is keyed by the node itself, one pointer to hash rather
// than a key's two strings (by key if there is no node).
func (w *planWalk) end(o domain.NodeKey, seen map[any]struct{}, ends []domain.NodeKey) []domain.NodeKey {
	n := w.st.nodes[o]
	var id any = n
	if n == nil {
		id = o
	}
	if _, ok := seen[id]; ok {
		return ends
	}
	seen[id] = struct{}{}
	w.a.Nodes[o] = n // what read would record: the stored node, or nil
	return append(ends, o)
}
