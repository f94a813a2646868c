package seed

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/citygraph/citygraph/domain"
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
func Parse(files map[string][]byte) (*domain.Batch, Positions, error) {
	b := newBuilder()
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
	batch    domain.Batch
	pos      Positions
	problems []domain.Problem
	refs     []Reference
}

func newBuilder() *builder {
	return &builder{pos: Positions{Nodes: map[domain.NodeKey]Position{}, Edges: map[domain.EdgeKey]Position{}}}
}

func (b *builder) parseFile(name string, data []byte) {
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

// addNode validates n and adds it, or records why it cannot be added.
func (b *builder) addNode(n domain.Node, at Position, lines lineOf) {
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
		b.ref(domain.NodeKey{Kind: domain.KindSource, ID: s}, at, fmt.Sprintf("sources[%d]", i), lines)
	}
	if !bad {
		b.batch.Nodes = append(b.batch.Nodes, n)
	}
}

// addEdge validates e and adds it; field is where the relation is written
// within its record (for problem messages).
func (b *builder) addEdge(e domain.Edge, at Position, lines lineOf) {
	e.Normalize()
	bad := false
	for _, p := range domain.ValidateEdge(&e) {
		bad = true
		b.fieldProblem(at, lines, p)
	}
	k := e.Key()
	if prev, dup := b.pos.Edges[k]; dup {
		b.problem(at, "", fmt.Sprintf("relation %s again (first at %s)", k, where(prev)), "each relation once across all files")
		return
	}
	b.pos.Edges[k] = at
	b.ref(e.From, at, "", lines)
	b.ref(e.To, at, "", lines)
	if e.Through != nil {
		b.ref(*e.Through, at, "through", lines)
	}
	for i, s := range e.Sources {
		b.ref(domain.NodeKey{Kind: domain.KindSource, ID: s}, at, fmt.Sprintf("sources[%d]", i), lines)
	}
	if !bad {
		b.batch.Edges = append(b.batch.Edges, e)
	}
}

func (b *builder) fieldProblem(at Position, lines lineOf, p domain.Problem) {
	if lines != nil {
		if l := lines(p.Field); l > 0 {
			at.Line = l
		}
	}
	b.problem(at, p.Field, p.Found, p.Expected)
}

func (b *builder) ref(k domain.NodeKey, at Position, field string, lines lineOf) {
	if _, declared := b.pos.Nodes[k]; declared {
		return // resolved already; keeps bulk loads from hoarding references
	}
	if domain.ValidateSlug(k.ID) != nil || !k.Kind.Valid() {
		return // already reported as a bad value
	}
	if lines != nil && field != "" {
		if l := lines(field); l > 0 {
			at.Line = l
		}
	}
	at.Field = joinField(at.Field, field)
	b.refs = append(b.refs, Reference{Key: k, At: at})
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
	for _, r := range b.refs {
		if _, ok := b.pos.Nodes[r.Key]; !ok {
			b.pos.Unresolved = append(b.pos.Unresolved, r)
		}
	}
	b.refs = nil
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
