package domain

import (
	"context"
	"time"
)

// Writer is implemented by every store (the contract suite requires it):
// it changes the running graph and keeps a change log. It is separate from
// Store, as PlanRunner is, so that decorators and test doubles choose to
// pass it through.
//
// Write applies w atomically and records one ChangeSet in the same
// transaction: either the change and its record are both stored or
// neither is. It checks the whole write first (CheckWrite in domain, one
// wording for both stores) and returns, with nothing written:
//   - EINVALID (with every Problem) for a bad node or relation, a relation
//     whose ends do not exist, a write that names no source (no fact
//     without a source), a duplicate key in one write;
//   - ENOTFOUND for an Update, End or Delete of something not stored;
//   - ECONFLICT for a Create of something stored, or a stale
//     ExpectVersion (the message gives the current version).
//
// A write whose IdempotencyKey was already applied (by the same Author)
// writes nothing and returns the ChangeSet recorded the first time, so a
// retried write applies once and answers the same. With DryRun it checks
// and reports (ChangeSet.Seq 0) but writes nothing.
//
// Merge, not replace: an Upsert or Update sets the fields its node or
// relation gives (non-zero values) and the fields named in Clear (to their
// zero value), and keeps every other stored field. Each successful change
// of a node or relation increments its Version (1 on creation).
//
// Every Write but a dry run records a set, even one that changes nothing
// (its diffs are empty); a load (Store.Apply) records one only when it
// changes something. Sources are added, not replaced: a change's sources
// join the stored ones unless Clear names "sources". Deleting a Source
// that a remaining node or relation cites is ECONFLICT.
//
// Changes lists the change sets after sequence number after, oldest first,
// at most first of them. History lists the change sets that touched key
// (the node or a relation at it), newest first, at most first.
type Writer interface {
	Write(ctx context.Context, w *Write) (*ChangeSet, error)
	Changes(ctx context.Context, after int64, first int) ([]ChangeSet, error)
	History(ctx context.Context, key NodeKey, first int) ([]ChangeSet, error)
}

// WriteMode says what a change does to its node or relation.
type WriteMode string

const (
	// Upsert creates the node or relation, or merges into the stored one
	// (what a seed load does).
	Upsert WriteMode = "upsert"
	// Create creates it; ECONFLICT if it is stored.
	Create WriteMode = "create"
	// Update merges into the stored one; ENOTFOUND if it is not stored.
	Update WriteMode = "update"
	// End sets a relation's Until (the date it ended), keeping its
	// history: asOf queries before that date still see it. Relations only.
	End WriteMode = "end"
	// Delete removes it (a node with its relations); admins only.
	Delete WriteMode = "delete"
)

// Write is one atomic change to the graph: what the change log records as
// one ChangeSet.
type Write struct {
	// Operation names what was done: "import", or the mutation's field name
	// ("updateCity", "endPartnership").
	Operation string
	// Author is the subject of the credential that wrote it.
	Author string
	// IdempotencyKey, if set, makes a retried write apply once.
	IdempotencyKey string
	DryRun         bool
	Nodes          []NodeChange
	Edges          []EdgeChange
}

// NodeChange is one node created, merged into, updated or deleted.
type NodeChange struct {
	Mode WriteMode
	// Node carries the key (Kind from its type, Meta.ID) and the fields to
	// set; for Delete only the key matters.
	Node Node
	// Clear names fields (by their GraphQL names: "nameZh", "population")
	// to set to their zero value.
	Clear []string
	// ExpectVersion, if positive, is the version the writer last read:
	// ECONFLICT if the stored one differs.
	ExpectVersion int64
}

// EdgeChange is one relation created, merged into, updated, ended or deleted.
type EdgeChange struct {
	Mode WriteMode
	// Edge carries the key (Kind, From, To) and the fields to set; for End,
	// Edge.Until is the end date.
	Edge          Edge
	Clear         []string
	ExpectVersion int64
}

// ChangeSet is the change log's record of one Write.
type ChangeSet struct {
	// Seq numbers change sets in commit order, from 1, without gaps within
	// one store: a reader that has seen Seq n has seen every set before it.
	Seq            int64
	At             time.Time
	Author         string
	Operation      string
	IdempotencyKey string
	Nodes          []NodeDiff
	Edges          []EdgeDiff
	// Report counts what the write created, updated and left unchanged.
	Report Report
}

// NodeDiff is one node's fields before and after a change, by GraphQL
// field name; Before is nil for a node created, After nil for one deleted.
// Only the fields that changed appear.
type NodeDiff struct {
	Key           NodeKey
	Version       int64
	Before, After map[string]any
}

// EdgeDiff is one relation's fields before and after a change, as NodeDiff.
type EdgeDiff struct {
	Key           EdgeKey
	Version       int64
	Before, After map[string]any
}
