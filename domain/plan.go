package domain

import (
	"context"
	"fmt"
)

// PlanRunner is implemented by a store that answers a whole Plan in one
// call: one statement on Neo4j, one walk of the in-memory indexes on the
// embedded store. The GraphQL layer builds one Plan per operation, runs it
// before any resolver, and resolvers read its Answers, so a request costs
// one store call however deep its selection.
//
// Run validates the plan (each query's Normalize) and answers every read
// exactly as the single-read methods would: Answers.Edges[sig][anchor] is
// the page Store.Edges(ctx, q, []NodeKey{anchor}) returns, Answers.Lists[sig]
// the page Store.ListNodes(ctx, q) returns, Answers.Nodes[k] what
// Store.Nodes returns for k, in the fields p.Fields lists (see Projection;
// the nodes and relations of the answers are read-only, as a store may
// share them). The contract suite checks this on both stores.
// Errors as the Store's: EINVALID, EUNAVAILABLE, ETIMEOUT, EINTERNAL.
type PlanRunner interface {
	Run(ctx context.Context, p *Plan) (*Answers, error)
}

// Plan is every read one GraphQL operation needs, as a tree: roots find
// nodes (by key or as a list page), and from every node a step reaches the
// plan follows relations, whose far ends are read in turn.
type Plan struct {
	Roots []Root
	// Fields is what to read of the nodes and relations answered, by
	// kind (see Projection); nil reads them whole.
	Fields *Projection
}

// Root starts a plan: nodes by key (node(id:), city(slug:), nodes(ids:))
// or one page of a node list (cities(…)). Exactly one of Keys and List is
// set.
type Root struct {
	Keys []NodeKey
	List *NodeQuery
	// Reach is what to read from each node found.
	Reach Reach
}

// Reach is what to read from every node a step reaches.
type Reach struct {
	// Sources reads the Source nodes each node cites (Node.sources).
	Sources bool
	// Follow lists the relations to follow from each node.
	Follow []Follow
}

// Follow reads relations of the nodes a step reaches.
type Follow struct {
	// From restricts the follow to nodes of this kind ("" for every kind):
	// a selection on an interface or union (`... on City { partners }`).
	From Kind
	// Query selects the relations: kind, direction, filters, order, page.
	Query EdgeQuery
	// All reads every matching relation, not one page (fields that are
	// plain lists, such as a forum's agreements). Query.Page is ignored:
	// the answer is the page of the whole list, TotalCount its length,
	// HasNextPage and HasPreviousPage false.
	All bool
	// EdgeSources reads the Source nodes each relation cites.
	EdgeSources bool
	// Ends is what to read from the far end of each relation found; nil
	// when the far ends are not asked for (only totalCount, or only the
	// relation's own fields).
	Ends *Reach
}

// Answers are what a store found for a plan, indexed the way the GraphQL
// layer asks for them.
type Answers struct {
	// Nodes holds every node the plan read: looked up by key (nil for a
	// key that names no node), listed, at the far end of a followed
	// relation, or cited as a source.
	Nodes map[NodeKey]Node
	// Lists holds each root list's page, by its query's Signature.
	Lists map[string]NodePage
	// Edges holds each followed relation's page, by its query's Signature
	// (AllSignature for a Follow with All), then by anchor. Every anchor
	// of the right kind that the step reached has an entry, an empty page
	// when it has no such relation.
	Edges map[string]map[NodeKey]EdgePage
}

// NewAnswers returns empty answers, ready to be filled.
func NewAnswers() *Answers {
	return &Answers{Nodes: map[NodeKey]Node{}, Lists: map[string]NodePage{}, Edges: map[string]map[NodeKey]EdgePage{}}
}

// NewAnswersFor returns empty answers with room for about what p reads
// (see Plan.EstimateNodes), so that filling them does not grow the maps
// step by step.
func NewAnswersFor(p *Plan) *Answers {
	return &Answers{Nodes: make(map[NodeKey]Node, p.EstimateNodes(maxEstimate)), Lists: map[string]NodePage{},
		Edges: make(map[string]map[NodeKey]EdgePage, p.follows(maxFollows))}
}

// maxEstimate and maxFollows bound the room answers are made with: a plan
// of large pages that finds little must not cost a large map.
const (
	maxEstimate = 256
	maxFollows  = 64
)

// EstimateNodes is about how many nodes p reads at most, up to limit: each
// root's keys or page, and at each step every anchor's page (a few for a
// plain list, whose size is not known). Nodes met twice are counted twice.
func (p *Plan) EstimateNodes(limit int) int {
	n := 0
	for i := range p.Roots {
		r := &p.Roots[i]
		found := len(r.Keys)
		if r.List != nil {
			found = max(r.List.Page.First, r.List.Page.Last)
		}
		if n = min(n+found+r.Reach.estimate(found, limit), limit); n == limit {
			break
		}
	}
	return n
}

// estimate is about how many nodes r reads from anchors nodes, up to limit.
func (r *Reach) estimate(anchors, limit int) int {
	n := 0
	for i := range r.Follow {
		f := &r.Follow[i]
		if f.Ends == nil || anchors == 0 {
			continue
		}
		each := 4 // a plain list: usually a few
		if !f.All {
			each = max(f.Query.Page.First, f.Query.Page.Last, 1)
		}
		found := min(anchors*min(each, limit), limit)
		if n = min(n+found+f.Ends.estimate(found, limit), limit); n == limit {
			break // a shared reach is not walked again and again
		}
	}
	return n
}

// follows counts the plan's follows (the relation lists it answers), up
// to limit.
func (p *Plan) follows(limit int) int {
	n := 0
	for i := range p.Roots {
		n = min(n+p.Roots[i].Reach.follows(limit-n), limit)
	}
	return n
}

func (r *Reach) follows(limit int) int {
	n := len(r.Follow)
	for i := range r.Follow {
		if e := r.Follow[i].Ends; e != nil && n < limit {
			n += e.follows(limit - n)
		}
	}
	return min(n, limit)
}

// Page returns the page answered for q (normalized) at anchor, if any.
func (a *Answers) Page(q EdgeQuery, anchor NodeKey) (EdgePage, bool) {
	if a == nil {
		return EdgePage{}, false
	}
	p, ok := a.Edges[q.Signature()][anchor]
	return p, ok
}

// All returns every relation answered for q (normalized) at anchor, if any.
func (a *Answers) All(q EdgeQuery, anchor NodeKey) ([]Edge, bool) {
	if a == nil {
		return nil, false
	}
	p, ok := a.Edges[q.AllSignature()][anchor]
	return p.Items, ok
}

// Node returns the node answered for k, if the plan read it (n may be nil:
// read, and not there).
func (a *Answers) Node(k NodeKey) (n Node, ok bool) {
	if a == nil {
		return nil, false
	}
	n, ok = a.Nodes[k]
	return n, ok
}

// SetPage records q's page at anchor.
func (a *Answers) SetPage(sig string, anchor NodeKey, p EdgePage) {
	m := a.Edges[sig]
	if m == nil {
		m = map[NodeKey]EdgePage{}
		a.Edges[sig] = m
	}
	m[anchor] = p
}

// Signature identifies a normalized edge query: two queries with the same
// signature have the same answer at every anchor. The printed query is a
// faithful key, since every field is a value or a slice of values.
func (q EdgeQuery) Signature() string { return fmt.Sprintf("%+v", q) }

// AllSignature identifies "every relation matching q", whatever q's page.
func (q EdgeQuery) AllSignature() string {
	q.Page = Page{}
	return "all " + q.Signature()
}

// Signature identifies a normalized node list query.
func (q NodeQuery) Signature() string { return fmt.Sprintf("%+v", q) }

// Normalize validates every query in the plan and applies their defaults,
// so that signatures computed afterwards match the stores' answers.
func (p *Plan) Normalize() error {
	if err := p.Fields.Validate(); err != nil {
		return err
	}
	for i := range p.Roots {
		r := &p.Roots[i]
		if (r.List == nil) == (len(r.Keys) == 0) {
			return Errorf(EINVALID, "plan root %d needs either keys or a list", i)
		}
		if r.List != nil {
			if err := r.List.Normalize(); err != nil {
				return err
			}
		}
		if err := r.Reach.normalize(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Reach) normalize() error {
	for i := range r.Follow {
		f := &r.Follow[i]
		if f.All {
			f.Query.Page = Page{First: MaxPageSize}
		}
		if err := f.Query.Normalize(); err != nil {
			return err
		}
		if f.Ends != nil {
			if err := f.Ends.normalize(); err != nil {
				return err
			}
		}
	}
	return nil
}
