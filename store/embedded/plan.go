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
	// seen holds the far ends a step met, each read once; one map serves
	// every step, as a step is done with it before the next starts, unless
	// a step wants more room than it was made with (seenRoom).
	seen     map[any]struct{}
	seenRoom int
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
		// A leaf (far ends asked, nothing read from them) records its far
		// ends and need not list them once each for a next step.
		leaf := f.Ends != nil && !f.Ends.Sources && len(f.Ends.Follow) == 0
		if f.Ends != nil && !leaf {
			n := min(len(at)*max(f.Query.Page.First, f.Query.Page.Last, 1), maxRoom)
			ends = make([]domain.NodeKey, 0, n)
			if n > w.seenRoom {
				w.seen, w.seenRoom = make(map[any]struct{}, n), n
			} else {
				clear(w.seen)
			}
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
			var far []nameEnd // the page's far ends, when its list has them
			ok := false
			if !fresh {
				page, ok = pages[k]
			}
			if !ok {
				page = w.st.edgePage(f.Query, k, f.All, w.dl, &w.buf)
				if w.dl.stopped() {
					return
				}
				pages[k], far = page, w.buf.ends
			}
			for j := range page.Items {
				e := &page.Items[j]
				if f.EdgeSources {
					w.sources(e.Sources)
				}
				switch {
				case f.Ends == nil:
				case leaf && far != nil:
					w.a.Nodes[e.Other(k)] = far[j].at.node
				case leaf:
					o := e.Other(k)
					w.a.Nodes[o] = w.st.nodes[o]
				case far != nil:
					ends = w.endAt(far[j].at.node, e.Other(k), ends)
				default:
					ends = w.endAt(w.st.nodes[e.Other(k)], e.Other(k), ends)
				}
			}
		}
		if f.Ends != nil && !leaf {
			w.reach(ends, f.Ends)
			if w.dl.stopped() {
				return
			}
		}
	}
}

// endAt reads far end o, node n (nil if there is none), into the answers
// and adds it to ends, unless the step met it already. The step's seen
// set is keyed by the node itself, one pointer to hash rather than a
// key's two strings (by key if there is no node).
func (w *planWalk) endAt(n domain.Node, o domain.NodeKey, ends []domain.NodeKey) []domain.NodeKey {
	var id any = n
	if n == nil {
		id = o
	}
	if _, ok := w.seen[id]; ok {
		return ends
	}
	w.seen[id] = struct{}{}
	w.a.Nodes[o] = n // what read would record: the stored node, or nil
	return append(ends, o)
}
