package seed

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/parallel"
)

// Position is where a node, a relation or a reference was written.
type Position struct {
	File string
	Line int
	// Field is the record's path in a dossier (forum.organisers[1]) or the
	// CSV column.
	Field string
}

// Reference is a node a batch names but does not hold: an end of a
// relation, a partnership's agreement, or a cited source. Load looks these
// up in the store; a reference that is nowhere is a problem at At.
type Reference struct {
	Key domain.NodeKey
	At  Position
}

// Positions says where each node and relation of a batch came from, and
// which references the batch leaves to the store.
type Positions struct {
	Nodes map[domain.NodeKey]Position
	Edges map[domain.EdgeKey]Position
	// Unresolved lists, in file order, every reference to a node the batch
	// does not hold.
	Unresolved []Reference
	// Rows counts the records read: CSV data rows and dossier records.
	Rows int
}

// Extensions names the files Parse and Load read; others are skipped.
var Extensions = []string{".yaml", ".yml", ".json", ".csv"}

// Parse reads many seed files (name → content) into one batch. Files are
// read in name order and records in file order, so the same files always
// give the same batch. Every problem found in any file is returned at once in
// an EINVALID *domain.Error; references to nodes outside the batch are not
// problems here but listed in Positions.Unresolved for the caller (Load)
// to look up in a store.
//
// Parse applies DefaultLimits; ParseWithin takes others.
func Parse(files map[string][]byte) (*domain.Batch, Positions, error) {
	return ParseWithin(files, DefaultLimits)
}

// ParseWithin is Parse with the given limits on each file (a zero field
// takes its default). A file over a limit is one problem, found before the
// file is parsed.
func ParseWithin(files map[string][]byte, lim Limits) (*domain.Batch, Positions, error) {
	b := newBuilder(lim.withDefaults())
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b.parseFile(name, files[name])
	}
	return b.finish()
}

// builder accumulates one batch from many files.
type builder struct {
	limits   Limits
	batch    domain.Batch
	pos      Positions
	problems []domain.Problem
	refs     []pendingRef
	sites    []refSite
	// record numbers the records added, to tell their refSites apart.
	record int
	// lastDeclared and lastMissing spare ref most of its lookups.
	lastDeclared, lastMissing lastKey
	// edgeChecks are the relations whose own validation is still to do
	// (see addEdge); dupEdges holds those repeated, which are not in batch.
	edgeChecks []edgeCheck
	dupEdges   []domain.Edge
	// The checks before checked are under way on other goroutines (see
	// startChecks), each chunk's problems in its own slice of found.
	found   [][][]domain.Problem
	checked int
	checks  sync.WaitGroup
}

type lastKey struct {
	key domain.NodeKey
	ok  bool
}

// checkChunk is how many relations startChecks hands to a goroutine at once.
const checkChunk = 8192

// pendingRef is a reference as recorded while parsing. Nearly every one is
// resolved within the batch, so its field name and line are only worked
// out, in finish, for the few that are not; where it was written is its
// record's refSite, shared by the record's references. A bulk file's
// every row names a source declared only later, so these are many.
type pendingRef struct {
	key   domain.NodeKey
	site  int32
	index int32  // of a list field (sources[index]); -1 for a single field
	field string // "", "through" or "sources"
}

// refSite is the record that references were written in.
type refSite struct {
	record int
	at     Position
	lines  lineOf
}

// edgeCheck is a relation awaiting domain.ValidateEdge: edge indexes
// batch.Edges, or dupEdges as -1-edge; problemAt is how many problems were
// recorded before it, so that its own take their place in file order.
type edgeCheck struct {
	edge      int
	problemAt int
	at        Position
	lines     lineOf
}

func newBuilder(lim Limits) *builder {
	return &builder{limits: lim, pos: Positions{Nodes: map[domain.NodeKey]Position{}, Edges: map[domain.EdgeKey]Position{}}}
}

func (b *builder) parseFile(name string, data []byte) {
	if p, over := b.limits.sizeProblem(name, int64(len(data))); over {
		b.problems = append(b.problems, p)
		return
	}
	if !utf8.Valid(data) {
		line := 1 + strings.Count(string(data[:firstInvalidUTF8(data)]), "\n")
		b.problems = append(b.problems, domain.Problem{File: name, Line: line, Field: "(encoding)", Found: "invalid UTF-8", Expected: "a UTF-8 text file"})
		return
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		b.parseCSV(name, data)
	case ".yaml", ".yml", ".json":
		b.parseDossier(name, data, strings.EqualFold(path.Ext(name), ".json"))
	default:
		b.problems = append(b.problems, domain.Problem{File: name, Field: "(file name)", Found: fmt.Sprintf("extension %q", path.Ext(name)), Expected: fmt.Sprint("one of ", Extensions)})
	}
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func (b *builder) problem(at Position, field, found, expected string) {
	b.problems = append(b.problems, domain.Problem{File: at.File, Line: at.Line, Field: joinField(at.Field, field), Found: found, Expected: expected})
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case strings.HasPrefix(field, "["):
		return prefix + field
	}
	return prefix + "." + field
}

// lineOf locates a field of a record more precisely than the record's own
// line, where the format knows it (dossiers); nil for CSV.
type lineOf func(field string) int

// reserve makes room for about n more records, each a node or a relation.
func (b *builder) reserve(n int) {
	if n < 1024 {
		return // not worth a copy
	}
	b.batch.Edges = slices.Grow(b.batch.Edges, n)
	b.batch.Nodes = slices.Grow(b.batch.Nodes, n)
	b.edgeChecks = slices.Grow(b.edgeChecks, n)
	nodes := make(map[domain.NodeKey]Position, len(b.pos.Nodes)+n)
	maps.Copy(nodes, b.pos.Nodes)
	edges := make(map[domain.EdgeKey]Position, len(b.pos.Edges)+n)
	maps.Copy(edges, b.pos.Edges)
	b.pos.Nodes, b.pos.Edges = nodes, edges
}

// addNode validates n and adds it, or records why it cannot be added.
func (b *builder) addNode(n domain.Node, at Position, lines lineOf) {
	b.record++
	b.lastMissing = lastKey{}
	bad := false
	for _, p := range domain.ValidateNode(n) {
		bad = true
		b.fieldProblem(at, lines, p)
	}
	k := n.Key()
	if prev, dup := b.pos.Nodes[k]; dup {
		b.problem(at, "id", fmt.Sprintf("%s again (first declared at %s)", k, where(prev)), "each node declared once across all files")
		return
	}
	b.pos.Nodes[k] = at
	// References are checked even for an invalid record: one run reports all.
	for i, s := range n.Base().Sources {
		b.ref(domain.NodeKey{Kind: domain.KindSource, ID: s}, at, "sources", i, lines)
	}
	if !bad {
		b.batch.Nodes = append(b.batch.Nodes, n)
	}
}

// addEdge adds e, or records why it cannot be added.
//
// Checking a relation on its own (domain.ValidateEdge) is most of the work
// of parsing a bulk file and depends on nothing else, so addEdge only
// notes it: startChecks checks noted relations on another goroutine while
// the file is read, checkEdges the last ones, and each relation's problems
// are put where they would have been found.
func (b *builder) addEdge(e domain.Edge, at Position, lines lineOf) {
	b.record++
	e.Normalize()
	k := e.Key()
	if prev, dup := b.pos.Edges[k]; dup {
		// A repeat is still checked, its problems before the repeat's.
		b.dupEdges = append(b.dupEdges, e)
		b.edgeChecks = append(b.edgeChecks, edgeCheck{edge: -len(b.dupEdges), problemAt: len(b.problems), at: at, lines: lines})
		b.problem(at, "", fmt.Sprintf("relation %s again (first at %s)", k, where(prev)), "each relation once across all files")
		return
	}
	b.pos.Edges[k] = at
	b.ref(e.From, at, "", -1, lines)
	b.ref(e.To, at, "", -1, lines)
	if e.Through != nil {
		b.ref(*e.Through, at, "through", -1, lines)
	}
	for i, s := range e.Sources {
		b.ref(domain.NodeKey{Kind: domain.KindSource, ID: s}, at, "sources", i, lines)
	}
	b.edgeChecks = append(b.edgeChecks, edgeCheck{edge: len(b.batch.Edges), problemAt: len(b.problems), at: at, lines: lines})
	b.batch.Edges = append(b.batch.Edges, e)
	if len(b.edgeChecks)-b.checked >= checkChunk {
		b.startChecks()
	}
}

// startChecks validates the relations noted since the last call on another
// goroutine, so that a bulk file's relations are checked while the rest of
// it is read. The goroutine reads the slices as they are now: later
// appends write past them or to a new array, and nothing changes a noted
// relation until checkEdges has waited for it.
func (b *builder) startChecks() {
	lo, hi := b.checked, len(b.edgeChecks)
	if lo == hi {
		return
	}
	b.checked = hi
	found := make([][]domain.Problem, hi-lo)
	b.found = append(b.found, found)
	checks, edges, dups := b.edgeChecks[lo:hi], b.batch.Edges, b.dupEdges
	b.checks.Go(func() {
		for i, c := range checks {
			if c.edge < 0 {
				found[i] = domain.ValidateEdge(&dups[-1-c.edge])
			} else {
				found[i] = domain.ValidateEdge(&edges[c.edge])
			}
		}
	})
}

// checkEdges validates the relations addEdge noted, drops the invalid ones
// from the batch and merges their problems into file order.
func (b *builder) checkEdges() {
	// The last relations, on every core: nothing else is left to do.
	rest := b.edgeChecks[b.checked:]
	last := make([][]domain.Problem, len(rest))
	parallel.For(len(rest), func(i int) {
		if c := rest[i]; c.edge < 0 {
			last[i] = domain.ValidateEdge(&b.dupEdges[-1-c.edge])
		} else {
			last[i] = domain.ValidateEdge(&b.batch.Edges[c.edge])
		}
	})
	b.checks.Wait()
	found := slices.Concat(append(b.found, last)...)
	checks := b.edgeChecks
	b.edgeChecks, b.dupEdges, b.found, b.checked = nil, nil, nil, 0
	if len(checks) == 0 {
		return
	}
	n := 0
	for _, ps := range found {
		n += len(ps)
	}
	if n == 0 {
		return
	}
	merged := make([]domain.Problem, 0, len(b.problems)+n)
	bad := make([]bool, len(b.batch.Edges))
	next := 0
	for i, c := range checks {
		if len(found[i]) == 0 {
			continue
		}
		merged = append(merged, b.problems[next:c.problemAt]...)
		next = c.problemAt
		for _, p := range found[i] {
			merged = append(merged, fieldProblem(c.at, c.lines, p))
		}
		if c.edge >= 0 {
			bad[c.edge] = true
		}
	}
	merged = append(merged, b.problems[next:]...)
	b.problems = merged
	kept := b.batch.Edges[:0]
	for i, e := range b.batch.Edges {
		if !bad[i] {
			kept = append(kept, e)
		}
	}
	clear(b.batch.Edges[len(kept):])
	b.batch.Edges = kept
}

func (b *builder) fieldProblem(at Position, lines lineOf, p domain.Problem) {
	b.problems = append(b.problems, fieldProblem(at, lines, p))
}

// fieldProblem places a domain problem of a record at its field's line
// where the format knows it.
func fieldProblem(at Position, lines lineOf, p domain.Problem) domain.Problem {
	if lines != nil {
		if l := lines(p.Field); l > 0 {
			at.Line = l
		}
	}
	return domain.Problem{File: at.File, Line: at.Line, Field: joinField(at.Field, p.Field), Found: p.Found, Expected: p.Expected}
}

func (b *builder) ref(k domain.NodeKey, at Position, field string, index int, lines lineOf) {
	// Rows of a bulk file name the same nodes again and again (a city in
	// row after row, the one source in every row): the last answers are
	// remembered. A node once declared stays so; one not declared may be
	// by the next record, so addNode forgets it.
	switch {
	case b.lastDeclared.ok && k == b.lastDeclared.key:
		return
	case b.lastMissing.ok && k == b.lastMissing.key:
	default:
		if _, declared := b.pos.Nodes[k]; declared {
			b.lastDeclared = lastKey{k, true}
			return // resolved already; keeps bulk loads from hoarding references
		}
		if domain.ValidateSlug(k.ID) != nil || !k.Kind.Valid() {
			return // already reported as a bad value
		}
		b.lastMissing = lastKey{k, true}
	}
	if n := len(b.sites); n == 0 || b.sites[n-1].record != b.record {
		b.sites = append(b.sites, refSite{record: b.record, at: at, lines: lines})
	}
	b.refs = append(b.refs, pendingRef{key: k, site: int32(len(b.sites) - 1), index: int32(index), field: field})
}

// reference spells out where an unresolved reference was written.
func (b *builder) reference(r pendingRef) Reference {
	site := b.sites[r.site]
	at, field := site.at, r.field
	if r.index >= 0 {
		field = fmt.Sprintf("%s[%d]", field, r.index)
	}
	if site.lines != nil && field != "" {
		if l := site.lines(field); l > 0 {
			at.Line = l
		}
	}
	at.Field = joinField(at.Field, field)
	return Reference{Key: r.key, At: at}
}

func where(p Position) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return p.File
}

// finish splits references into those the batch holds and the rest, and
// turns the problems into one error.
func (b *builder) finish() (*domain.Batch, Positions, error) {
	b.checkEdges()
	for _, r := range b.refs {
		if _, ok := b.pos.Nodes[r.key]; !ok {
			b.pos.Unresolved = append(b.pos.Unresolved, b.reference(r))
		}
	}
	b.refs, b.sites = nil, nil
	if err := problemsError(b.problems); err != nil {
		return nil, b.pos, err
	}
	return &b.batch, b.pos, nil
}

// problemsError returns nil for no problems, else one EINVALID error that
// lists them all.
func problemsError(ps []domain.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	files := map[string]bool{}
	for _, p := range ps {
		files[p.File] = true
	}
	msg := fmt.Sprintf("seed data has %d problem(s) in %d file(s); nothing was written", len(ps), len(files))
	return &domain.Error{Code: domain.EINVALID, Message: msg, Problems: ps}
}
