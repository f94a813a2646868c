package domain

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Holdings is what a store answers while it checks a write, inside the
// transaction that will make it: which of the keys it holds, with their
// stored values. Every rule about a write is CheckWrite's.
type Holdings interface {
	// HeldNodes returns the stored nodes among keys; a key not stored is
	// absent from the map.
	HeldNodes(ctx context.Context, keys []NodeKey) (map[NodeKey]Node, error)
	// HeldEdges returns the stored relations among keys (normalised).
	HeldEdges(ctx context.Context, keys []EdgeKey) (map[EdgeKey]*Edge, error)
	// EdgesAt returns every stored relation with an end among keys: what
	// deleting those nodes deletes with them.
	EdgesAt(ctx context.Context, keys []NodeKey) ([]*Edge, error)
	// CitedBy returns the keys (NodeKey or EdgeKey strings) of up to limit
	// stored nodes and relations that cite source (a Source slug) in their
	// sources: what deleting it would leave without its source.
	CitedBy(ctx context.Context, source string, limit int) ([]string, error)
}

// WritePlan is a checked write: what to store, what to remove, and the
// change set that records it.
type WritePlan struct {
	// Nodes and Edges are to be stored: created or changed, merged, with
	// their new Version. Edges are normalised.
	Nodes []Node
	Edges []*Edge
	// DeleteNodes and DeleteEdges are to be removed; the relations of a
	// deleted node are among DeleteEdges.
	DeleteNodes []NodeKey
	DeleteEdges []EdgeKey
	// Set is the record of the write; the store sets Seq and At.
	Set ChangeSet
}

// Changes reports whether the plan changes anything stored.
func (p *WritePlan) Changes() bool {
	return len(p.Nodes)+len(p.Edges)+len(p.DeleteNodes)+len(p.DeleteEdges) > 0
}

// WriteFromBatch is the Write a seed import makes of a batch: an Upsert of
// every node (with its Clear list) and relation.
func WriteFromBatch(b *Batch, author string) *Write {
	if author == "" {
		author = DefaultImportAuthor
	}
	w := &Write{Operation: "import", Author: author, Nodes: make([]NodeChange, len(b.Nodes)), Edges: make([]EdgeChange, len(b.Edges))}
	for i, n := range b.Nodes {
		w.Nodes[i] = NodeChange{Mode: Upsert, Node: n}
		if n != nil && !reflect.ValueOf(n).IsNil() {
			w.Nodes[i].Clear = b.Clear[n.Key()]
		}
	}
	for i := range b.Edges {
		w.Edges[i] = EdgeChange{Mode: Upsert, Edge: b.Edges[i]}
	}
	return w
}

// DefaultImportAuthor is the author of an import that names none: the
// operator who ran the seed command against the store.
const DefaultImportAuthor = "operator"

// CheckWrite checks w against itself and what h holds, and plans it (see
// Writer for the rules and the errors). It changes nothing. Problems name
// what they are about first: the node key ("City:nanning.population") or
// the normalised relation key ("PARTNER_OF(City:a,City:b).since").
func CheckWrite(ctx context.Context, w *Write, h Holdings) (*WritePlan, error) {
	if w == nil {
		return nil, Errorf(EINVALID, "no write to apply")
	}
	c := checker{}
	nodes, edges := c.structure(w)
	if len(c.invalid) > 0 {
		return nil, c.err(EINVALID)
	}
	// One look-up of every key the write touches or refers to.
	var nodeKeys []NodeKey
	seen := map[NodeKey]bool{}
	want := func(k NodeKey) {
		if !seen[k] {
			seen[k] = true
			nodeKeys = append(nodeKeys, k)
		}
	}
	var deleted []NodeKey
	for _, nc := range nodes {
		want(nc.key)
		if nc.Mode == Delete {
			deleted = append(deleted, nc.key)
		}
		for _, s := range nc.Node.Base().Sources {
			want(NodeKey{KindSource, s})
		}
	}
	edgeKeys := make([]EdgeKey, len(edges))
	for i, ec := range edges {
		edgeKeys[i] = ec.key
		want(ec.key.From)
		want(ec.key.To)
		if ec.Edge.Through != nil {
			want(*ec.Edge.Through)
		}
		for _, s := range ec.Edge.Sources {
			want(NodeKey{KindSource, s})
		}
	}
	heldNodes, err := h.HeldNodes(ctx, nodeKeys)
	if err != nil {
		return nil, err
	}
	heldEdges, err := h.HeldEdges(ctx, edgeKeys)
	if err != nil {
		return nil, err
	}
	var cascade []*Edge
	if len(deleted) > 0 {
		if cascade, err = h.EdgesAt(ctx, deleted); err != nil {
			return nil, err
		}
	}

	p := &WritePlan{Set: ChangeSet{Author: w.Author, Operation: w.Operation, IdempotencyKey: w.IdempotencyKey}}
	// after is what the graph holds once the write is made: the stored
	// keys, less the deleted, plus the written.
	gone := map[NodeKey]bool{}
	// named are the sources each planned node's change names: the stored
	// ones were checked when they were written.
	var named [][]string
	for _, nc := range nodes {
		stored := heldNodes[nc.key]
		if !c.target(nc.key.String(), nc.Mode, stored != nil, version(stored), nc.ExpectVersion) {
			continue
		}
		if nc.Mode == Delete {
			gone[nc.key] = true
			p.DeleteNodes = append(p.DeleteNodes, nc.key)
			p.Set.Nodes = append(p.Set.Nodes, NodeDiff{Key: nc.key, Version: stored.Base().Version, Before: NodeFields(stored)})
			p.Set.Report.AddDeletedNode(nc.key.Kind)
			continue
		}
		merged, ps := MergeNode(stored, nc.Node, nc.Clear)
		c.about(nc.key.String(), ps)
		c.about(nc.key.String(), ValidateNode(merged))
		if stored != nil {
			c.needSource(nc.key.String(), nc.Mode, nc.key.Kind, nc.Node.Base().Sources)
		}
		before, after := NodeFields(stored), NodeFields(merged)
		b, a := Changed(before, after)
		if stored != nil && b == nil && a == nil {
			p.Set.Report.AddNode(nc.key.Kind, false, false)
			continue
		}
		merged.Base().Version = version(stored) + 1
		if stored == nil {
			b, a = nil, after
		}
		p.Nodes = append(p.Nodes, merged)
		named = append(named, nc.Node.Base().Sources)
		p.Set.Nodes = append(p.Set.Nodes, NodeDiff{Key: nc.key, Version: merged.Base().Version, Before: b, After: a})
		p.Set.Report.AddNode(nc.key.Kind, stored == nil, true)
	}
	written := map[NodeKey]bool{}
	for _, n := range p.Nodes {
		written[n.Key()] = true
	}
	// missing says why k is not in the graph the write leaves, or "".
	missing := func(k NodeKey) string {
		if gone[k] {
			return k.String() + ", which this write deletes"
		}
		if _, ok := heldNodes[k]; ok || written[k] {
			return ""
		}
		return k.String() + ", which is neither in this write nor stored"
	}
	for i, n := range p.Nodes {
		c.refs(n.Key().String(), nil, named[i], missing)
	}

	deletedEdges := map[EdgeKey]bool{}
	for _, ec := range edges {
		stored := heldEdges[ec.key]
		ks := ec.key.String()
		if !c.target(ks, ec.Mode, stored != nil, edgeVersion(stored), ec.ExpectVersion) {
			continue
		}
		if ec.Mode == Delete {
			deletedEdges[ec.key] = true
			p.DeleteEdges = append(p.DeleteEdges, ec.key)
			p.Set.Edges = append(p.Set.Edges, EdgeDiff{Key: ec.key, Version: stored.Version, Before: EdgeFields(stored)})
			p.Set.Report.AddDeletedEdge(ec.key.Kind)
			continue
		}
		change, clear := &ec.Edge, ec.Clear
		if ec.Mode == End {
			// Ending sets Until and nothing else but the sources that say so.
			change = &Edge{Kind: ec.key.Kind, From: ec.key.From, To: ec.key.To, Until: ec.Edge.Until, Sources: ec.Edge.Sources}
			clear = nil
			if !ec.Edge.Until.Known() {
				c.about(ks, []Problem{{Field: "until", Found: "nothing", Expected: "the date the relation ended (YYYY, YYYY-MM or YYYY-MM-DD)"}})
			}
		}
		merged, ps := MergeEdge(stored, change, clear)
		c.about(ks, ps)
		c.about(ks, ValidateEdge(merged))
		if stored != nil {
			c.needSource(ks, ec.Mode, "", ec.Edge.Sources)
		}
		if merged.Until.Known() && merged.Since.Known() && merged.Until < merged.Since {
			c.about(ks, []Problem{{Field: "until", Found: quote(string(merged.Until)), Expected: "a date on or after since " + string(merged.Since)}})
		}
		var through []NodeKey
		if merged.Through != nil {
			through = []NodeKey{*merged.Through}
		}
		c.refs(ks, append([]NodeKey{merged.From, merged.To}, through...), change.Sources, missing)
		before, after := EdgeFields(stored), EdgeFields(merged)
		b, a := Changed(before, after)
		if stored != nil && b == nil && a == nil {
			p.Set.Report.AddEdge(ec.key.Kind, false, false)
			continue
		}
		merged.Version = edgeVersion(stored) + 1
		if stored == nil {
			b, a = nil, after
		}
		p.Edges = append(p.Edges, merged)
		p.Set.Edges = append(p.Set.Edges, EdgeDiff{Key: ec.key, Version: merged.Version, Before: b, After: a})
		p.Set.Report.AddEdge(ec.key.Kind, stored == nil, true)
	}
	// A source that a remaining fact cites stays: no fact without a source.
	for _, k := range p.DeleteNodes {
		if k.Kind != KindSource {
			continue
		}
		citing, err := h.CitedBy(ctx, k.ID, maxCitersShown+len(p.DeleteNodes)+len(p.DeleteEdges)+len(cascade))
		if err != nil {
			return nil, err
		}
		citing = slices.DeleteFunc(citing, func(s string) bool {
			return slices.ContainsFunc(p.DeleteNodes, func(d NodeKey) bool { return d.String() == s }) ||
				slices.ContainsFunc(cascade, func(e *Edge) bool { return e.Key().String() == s }) ||
				slices.ContainsFunc(edges, func(e edgeChange) bool { return e.Mode == Delete && e.key.String() == s })
		})
		if len(citing) > 0 {
			c.conflict = append(c.conflict, Problem{Field: k.String(), Found: "cited by " + strings.Join(citing[:min(len(citing), maxCitersShown)], ", "),
				Expected: "a source that nothing cites: take it out of their sources first (no fact without a source)"})
		}
	}
	// The relations of deleted nodes go with them, unless the write
	// already deletes them.
	slices.SortFunc(cascade, func(a, b *Edge) int { return strings.Compare(a.Key().String(), b.Key().String()) })
	for _, e := range cascade {
		k := e.Key()
		if deletedEdges[k] {
			continue
		}
		deletedEdges[k] = true
		p.DeleteEdges = append(p.DeleteEdges, k)
		p.Set.Edges = append(p.Set.Edges, EdgeDiff{Key: k, Version: e.Version, Before: EdgeFields(e)})
		p.Set.Report.AddDeletedEdge(k.Kind)
	}
	switch {
	case len(c.notFound) > 0:
		return nil, c.err(ENOTFOUND)
	case len(c.conflict) > 0:
		return nil, c.err(ECONFLICT)
	case len(c.invalid) > 0:
		return nil, c.err(EINVALID)
	}
	return p, nil
}

// maxCitersShown bounds the facts a refused source deletion names.
const maxCitersShown = 5

// checker collects a write's problems by the code they earn.
type checker struct {
	invalid, notFound, conflict []Problem
}

type nodeChange struct {
	NodeChange
	key NodeKey
}

type edgeChange struct {
	EdgeChange
	key EdgeKey
}

var modes = []WriteMode{Upsert, Create, Update, End, Delete}

// structure checks what needs no store: each change's mode and key, and
// that no key comes twice.
func (c *checker) structure(w *Write) ([]nodeChange, []edgeChange) {
	nodes := make([]nodeChange, 0, len(w.Nodes))
	at := make(map[NodeKey]int, len(w.Nodes))
	for i, nc := range w.Nodes {
		n := nc.Node
		if n == nil || reflect.ValueOf(n).IsNil() {
			c.invalid = append(c.invalid, Problem{Field: fmt.Sprintf("nodes[%d]", i), Found: "nothing", Expected: "a node"})
			continue
		}
		k := n.Key()
		if NewNode(k.Kind, k.ID) == nil || reflect.TypeOf(NewNode(k.Kind, k.ID)) != reflect.TypeOf(n) {
			c.invalid = append(c.invalid, Problem{Field: fmt.Sprintf("nodes[%d]", i), Found: fmt.Sprintf("%T", n), Expected: "a node type of package domain"})
			continue
		}
		if nc.Mode == "" {
			nc.Mode = Upsert
		}
		if nc.Mode == End || !slices.Contains(modes, nc.Mode) {
			c.invalid = append(c.invalid, Problem{Field: k.String() + ".mode", Found: quote(string(nc.Mode)),
				Expected: "upsert, create, update or delete (a node has no end)"})
			continue
		}
		if err := ValidateSlug(k.ID); err != nil {
			c.invalid = append(c.invalid, Problem{Field: k.String() + ".id", Found: quote(k.ID), Expected: "1 to 128 letters, digits, '-', '_' or '.'"})
			continue
		}
		if j, dup := at[k]; dup {
			c.invalid = append(c.invalid, Problem{Field: k.String(), Found: fmt.Sprintf("the same node twice (nodes[%d] and nodes[%d])", j, i),
				Expected: "each node once per write"})
			continue
		}
		at[k] = i
		nodes = append(nodes, nodeChange{NodeChange: nc, key: k})
	}
	edges := make([]edgeChange, 0, len(w.Edges))
	eat := make(map[EdgeKey]int, len(w.Edges))
	for i, ec := range w.Edges {
		ec.Edge.Normalize()
		k := ec.Edge.Key()
		if ec.Mode == "" {
			ec.Mode = Upsert
		}
		if !slices.Contains(modes, ec.Mode) {
			c.invalid = append(c.invalid, Problem{Field: k.String() + ".mode", Found: quote(string(ec.Mode)), Expected: fmt.Sprint("one of ", modes)})
			continue
		}
		if err := k.Kind.Check(k.From.Kind, k.To.Kind); err != nil {
			c.invalid = append(c.invalid, Problem{Field: k.String() + ".kind", Found: fmt.Sprintf("%s from %s to %s", k.Kind, k.From.Kind, k.To.Kind), Expected: err.Error()})
			continue
		}
		if j, dup := eat[k]; dup {
			c.invalid = append(c.invalid, Problem{Field: k.String(), Found: fmt.Sprintf("the same relation twice (edges[%d] and edges[%d])", j, i),
				Expected: "each relation once per write (a partnership is one relation whichever end it is written from)"})
			continue
		}
		eat[k] = i
		edges = append(edges, edgeChange{EdgeChange: ec, key: k})
	}
	return nodes, edges
}

// target checks a change's mode and expected version against what is
// stored; false when the change cannot go on.
func (c *checker) target(what string, mode WriteMode, stored bool, have, expect int64) bool {
	switch {
	case !stored && (mode == Update || mode == End || mode == Delete):
		c.notFound = append(c.notFound, Problem{Field: what, Found: "nothing stored", Expected: fmt.Sprintf("an existing one to %s (create it first)", mode)})
		return false
	case !stored && expect > 0:
		c.notFound = append(c.notFound, Problem{Field: what, Found: "nothing stored", Expected: fmt.Sprintf("version %d, as the write expects", expect)})
		return false
	case stored && mode == Create:
		c.conflict = append(c.conflict, Problem{Field: what, Found: fmt.Sprintf("already stored (version %d)", have), Expected: "a new key: update it instead"})
		return false
	case stored && expect > 0 && expect != have:
		c.conflict = append(c.conflict, Problem{Field: what + ".version", Found: fmt.Sprintf("%d (the current version)", have),
			Expected: fmt.Sprintf("%d, as the write expects: it changed since it was read; read it again and retry", expect)})
		return false
	}
	return true
}

// needSource asks every change of a stored value but a deletion to name
// the sources that state it (a Source states itself); a new value's own
// check asks the same.
func (c *checker) needSource(what string, mode WriteMode, k Kind, sources []string) {
	if mode != Delete && k != KindSource && len(sources) == 0 {
		c.invalid = append(c.invalid, Problem{Field: what + ".sources", Found: "no source",
			Expected: "at least one source for this change: a fact without a source is not written"})
	}
}

// refs checks that the nodes and sources a value refers to exist once
// the write is made.
func (c *checker) refs(what string, ends []NodeKey, sources []string, missing func(NodeKey) string) {
	fields := []string{"from", "to", "through"}
	for i, k := range ends {
		if why := missing(k); why != "" {
			c.invalid = append(c.invalid, Problem{Field: what + "." + fields[i], Found: why,
				Expected: "a node in this write or already stored"})
		}
	}
	for i, s := range sources {
		if ValidateSlug(s) != nil {
			continue // the value's own check words it
		}
		if why := missing(NodeKey{KindSource, s}); why != "" {
			c.invalid = append(c.invalid, Problem{Field: fmt.Sprintf("%s.sources[%d]", what, i), Found: why,
				Expected: "a Source in this write or already stored"})
		}
	}
}

func (c *checker) about(prefix string, ps []Problem) {
	for _, p := range ps {
		if p.Field == "" {
			p.Field = prefix
		} else {
			p.Field = prefix + "." + p.Field
		}
		c.invalid = append(c.invalid, p)
	}
}

func (c *checker) err(code Code) *Error {
	ps := map[Code][]Problem{EINVALID: c.invalid, ENOTFOUND: c.notFound, ECONFLICT: c.conflict}[code]
	what := map[Code]string{EINVALID: "problem(s)", ENOTFOUND: "change(s) of something not stored", ECONFLICT: "conflict(s) with what is stored"}[code]
	return &Error{Code: code, Problems: ps,
		Message: fmt.Sprintf("the write has %d %s and nothing was written; first: %s", len(ps), what, ps[0])}
}

func version(n Node) int64 {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return 0
	}
	return n.Base().Version
}

func edgeVersion(e *Edge) int64 {
	if e == nil {
		return 0
	}
	return e.Version
}

// ChangeCount is the first argument of Changes and History.
var ChangeCount = Count{Name: "first", Default: DefaultPageSize, Max: MaxPageSize, Hint: "page on with after, from the last sequence number read"}

// CheckChangesQuery checks the arguments of Writer.Changes.
func CheckChangesQuery(after int64, first int) error {
	if after < 0 {
		return Errorf(EINVALID, "after must be a sequence number (0 for the start of the log), got %d", after)
	}
	return ChangeCount.Check(first)
}

// Touches lists the nodes a change set touched, each once, in order: its
// nodes and the ends of its relations. History(key) lists the sets that
// touch key.
func (cs *ChangeSet) Touches() []NodeKey {
	var out []NodeKey
	seen := map[NodeKey]bool{}
	add := func(k NodeKey) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, d := range cs.Nodes {
		add(d.Key)
	}
	for _, d := range cs.Edges {
		add(d.Key.From)
		add(d.Key.To)
	}
	return out
}

// RecordedAt is the time a store records for a change set: UTC to the
// microsecond, which every store keeps exactly, so that a set reads back
// equal to the one Write returned.
func RecordedAt(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
