package domain

import (
	"context"
	"time"
)

// Store is citygraph's storage contract. The embedded store and the Neo4j
// store implement it, and the suite in store/storetest checks that they
// answer alike. Every method validates its query (the query types'
// Normalize methods) and returns *Error values: EINVALID for a bad query,
// ENOTFOUND where a named node does not exist, EUNAVAILABLE when the backend
// cannot be reached, ETIMEOUT when ctx ends (its deadline passes or it is
// cancelled) before the work is done, which then stops, EINTERNAL otherwise.
//
// Every store also implements PlanRunner (domain/plan.go), which the
// contract suite requires: the GraphQL layer answers a whole operation
// with one Run. It is a separate interface so that decorators and test
// doubles can choose to pass it through; the single reads below are what
// a plan's answers must equal, and what a field outside a plan falls back
// to.
type Store interface {
	// Nodes returns the nodes with the given keys, in the same order, with
	// nil where no such node exists (not an error: loaders decide).
	Nodes(ctx context.Context, keys []NodeKey) ([]Node, error)

	// ListNodes returns one page of the nodes of one kind that match q.
	ListNodes(ctx context.Context, q NodeQuery) (NodePage, error)

	// Edges returns, for each anchor in order, one page of its edges that
	// match q. An anchor that does not exist gets an empty page.
	Edges(ctx context.Context, q EdgeQuery, anchors []NodeKey) ([]EdgePage, error)

	// Neighbourhood returns the nodes within q.Depth relations of q.Center
	// and the edges among them, breadth first, cut at q.Limit nodes.
	// ENOTFOUND if the centre does not exist.
	Neighbourhood(ctx context.Context, q NeighbourhoodQuery) (Subgraph, error)

	// Apply upserts the batch's nodes and edges in one atomic write: either
	// all of it is stored or none of it. A node or edge is merged into the
	// stored one with the same key, as Writer's Upsert does: the fields it
	// gives are set, its sources added, every other stored field kept.
	// It is checked by domain.CheckWrite and recorded as one change set
	// (operation "import", author opt.Author). Returns EINVALID (with every
	// Problem) for an invalid node or edge, a duplicate key in the batch, an
	// edge whose end or a node or edge whose source is neither in the batch
	// nor stored. With DryRun it validates and reports but writes nothing.
	//
	// With BatchRows, a store whose transactions are bounded in size may
	// instead commit a large batch in parts, after validating all of it:
	// nodes before edges, each node and edge whole in one part. A part that
	// fails leaves the parts before it committed and returns an error that
	// says so; applying the same batch again finishes it, finding what was
	// committed unchanged, and ends in the state one transaction would have
	// left. A store with no such bound may ignore BatchRows. Each part is
	// recorded as a change set of its own.
	Apply(ctx context.Context, b *Batch, opt ApplyOptions) (Report, error)

	// Paths returns the shortest chains of cities linking q.From to q.To.
	Paths(ctx context.Context, q PathQuery) ([]Path, error)
	// FundingTotals sums financings per group and currency.
	FundingTotals(ctx context.Context, q FundingQuery) ([]FundingTotal, error)
	// RankCities ranks cities by a metric.
	RankCities(ctx context.Context, q RankQuery) ([]RankedCity, error)
	// SuggestPartners proposes cities that share forums, agreements or
	// funders with q.City and are not yet its partners.
	SuggestPartners(ctx context.Context, q SuggestQuery) ([]Suggestion, error)
	// Near returns cities within a distance of a city or a point.
	Near(ctx context.Context, q NearQuery) ([]NearCity, error)
	// Search finds nodes of any kind by English or Chinese text.
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)

	// Ping reports whether the store can serve (EUNAVAILABLE if not).
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Batch is a set of nodes and edges written together.
type Batch struct {
	Nodes []Node
	Edges []Edge
	// Clear names, per node of the batch, the fields (GraphQL names) to
	// empty in the stored node: a load merges, so only this clears.
	Clear map[NodeKey][]string
}

// LoadLog is implemented by a store that may commit a load in parts (see
// ApplyOptions.BatchRows): it lists those loads, most recently updated
// first, so that a client can tell a graph that holds part of a load from
// a complete one. A store that writes every load in one transaction has
// nothing to list and need not implement it.
type LoadLog interface {
	Loads(ctx context.Context, first int) ([]Load, error)
}

// Load is the record of a load written in parts.
type Load struct {
	// ID is a digest of the load's content: the same files, the same ID.
	ID string
	// Complete is set when the last part has committed.
	Complete bool
	// Parts is how many transactions the load takes; PartsDone how many
	// of them the latest run committed.
	Parts, PartsDone int
	// Rows counts the load's nodes and relations.
	Rows int
	// Runs counts the runs of this load, the resuming ones included.
	Runs int
	// Started is the first run's start; Updated the latest commit of a part.
	Started, Updated time.Time
}

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// DryRun validates and counts but writes nothing.
	DryRun bool
	// Author is recorded as the author of the load's change set(s);
	// empty means DefaultImportAuthor ("operator").
	Author string
	// BatchRows, if positive, lets a store commit a batch of more rows
	// than this in parts of about this many rows (see Store.Apply).
	BatchRows int
	// Progress, if set, is called after each committed part with the rows
	// written so far and the batch's rows.
	Progress func(done, total int)
}

// Counts tallies what a write did to one kind of node or edge.
type Counts struct {
	Created, Updated, Unchanged int
	// Deleted counts what a write removed (a deleted node's relations too).
	Deleted int
}

// Report is what Apply did, per node kind and per edge kind.
type Report struct {
	Nodes map[Kind]Counts
	Edges map[EdgeKind]Counts
}

// Add counts one outcome; created and updated are exclusive.
func (r *Report) AddNode(k Kind, created, changed bool) {
	if r.Nodes == nil {
		r.Nodes = map[Kind]Counts{}
	}
	c := r.Nodes[k]
	bump(&c, created, changed)
	r.Nodes[k] = c
}

// AddEdge counts one edge outcome.
func (r *Report) AddEdge(k EdgeKind, created, changed bool) {
	if r.Edges == nil {
		r.Edges = map[EdgeKind]Counts{}
	}
	c := r.Edges[k]
	bump(&c, created, changed)
	r.Edges[k] = c
}

// Merge adds o's counts to r.
func (r *Report) Merge(o Report) {
	for k, c := range o.Nodes {
		if r.Nodes == nil {
			r.Nodes = map[Kind]Counts{}
		}
		r.Nodes[k] = r.Nodes[k].plus(c)
	}
	for k, c := range o.Edges {
		if r.Edges == nil {
			r.Edges = map[EdgeKind]Counts{}
		}
		r.Edges[k] = r.Edges[k].plus(c)
	}
}

func (c Counts) plus(o Counts) Counts {
	return Counts{Created: c.Created + o.Created, Updated: c.Updated + o.Updated, Unchanged: c.Unchanged + o.Unchanged,
		Deleted: c.Deleted + o.Deleted}
}

// AddDeletedNode counts one node removed.
func (r *Report) AddDeletedNode(k Kind) {
	if r.Nodes == nil {
		r.Nodes = map[Kind]Counts{}
	}
	c := r.Nodes[k]
	c.Deleted++
	r.Nodes[k] = c
}

// AddDeletedEdge counts one relation removed.
func (r *Report) AddDeletedEdge(k EdgeKind) {
	if r.Edges == nil {
		r.Edges = map[EdgeKind]Counts{}
	}
	c := r.Edges[k]
	c.Deleted++
	r.Edges[k] = c
}

func bump(c *Counts, created, changed bool) {
	switch {
	case created:
		c.Created++
	case changed:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// Subgraph is a set of nodes and the edges among them, for drawing.
type Subgraph struct {
	Nodes []Node
	Edges []Edge
	// Truncated is set when the limit cut the neighbourhood short.
	Truncated bool
}
