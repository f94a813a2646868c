// Package export streams the graph, or a part of it, as files other tools
// read: GraphML (Gephi, Cytoscape, networkx), the seed files `citygraph
// seed` loads (bulk CSV, in a zip with dossiers for what CSV cannot hold),
// and JSON lines. It pages through the store and writes as it goes, so its
// memory does not grow with the graph; everything that can be refused is
// checked before the first byte.
package export

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
)

// Format is an export's file format.
type Format string

const (
	GraphML   Format = "graphml"
	SeedCSV   Format = "csv"
	JSONLines Format = "jsonl"
)

// Formats lists the formats in the order messages name them.
var Formats = []Format{GraphML, SeedCSV, JSONLines}

// Request is what one export asks for: a format and a scope (the whole
// graph, a neighbourhood, or the nodes of one kind a filter keeps).
type Request struct {
	Format Format
	// File, with SeedCSV, asks for one CSV file (one of SeedFiles) instead
	// of the zip of them all.
	File string
	// Neighbourhood, when Center is set, is the scope.
	Neighbourhood *domain.NeighbourhoodQuery
	// Filter, when set, is the scope: the nodes of Filter.Kind it keeps.
	Filter *domain.NodeQuery
}

// params are the query parameters ParseRequest reads.
var params = []string{"format", "file", "center", "depth", "kinds", "limit", "kind", "where", "country", "grouping", "orgKind", "sector"}

// ParseRequest reads an export's query parameters. Every mistake is an
// EINVALID error that names the parameter and says what it takes.
func ParseRequest(q url.Values) (Request, error) {
	for name, vs := range q {
		if !slices.Contains(params, name) {
			return Request{}, domain.Errorf(domain.EINVALID, "unknown parameter %q; /export takes %s", name, strings.Join(params, ", "))
		}
		if len(vs) > 1 {
			return Request{}, domain.Errorf(domain.EINVALID, "parameter %q is given %d times; give it once", name, len(vs))
		}
	}
	var r Request
	switch f := Format(q.Get("format")); {
	case f == "":
		return r, domain.Errorf(domain.EINVALID, "format is missing; ask for format=graphml (Gephi, Cytoscape, networkx), csv (the seed files) or jsonl (JSON lines)")
	case !slices.Contains(Formats, f):
		return r, domain.Errorf(domain.EINVALID, "unknown format %q; use graphml, csv or jsonl", q.Get("format"))
	default:
		r.Format = f
	}
	if file := q.Get("file"); file != "" {
		if r.Format != SeedCSV {
			return r, domain.Errorf(domain.EINVALID, "file=%s is for format=csv; the %s format is one file already", file, r.Format)
		}
		if !slices.Contains(SeedFiles, file) {
			return r, domain.Errorf(domain.EINVALID, "unknown file %q; use one of %s, or leave file out for a zip of them all", file, strings.Join(SeedFiles, ", "))
		}
		r.File = file
	}
	center, kind := q.Get("center"), q.Get("kind")
	switch {
	case center != "" && kind != "":
		return r, domain.Errorf(domain.EINVALID, "center and kind choose different scopes; give center (a neighbourhood) or kind (a filtered set), not both")
	case center != "":
		nq, err := neighbourhoodQuery(q)
		if err != nil {
			return r, err
		}
		r.Neighbourhood = nq
	case kind != "":
		fq, err := filterQuery(q)
		if err != nil {
			return r, err
		}
		r.Filter = fq
	default:
		for _, p := range []string{"depth", "kinds", "limit", "where", "country", "grouping", "orgKind", "sector"} {
			if q.Has(p) {
				return r, domain.Errorf(domain.EINVALID, "%s needs a scope: give center=Kind:slug for a neighbourhood (depth, kinds, limit) or kind=Kind for a filtered set (where, country, grouping, orgKind, sector)", p)
			}
		}
	}
	if r.Format == SeedCSV && r.File == "" && (r.Neighbourhood != nil || r.Filter != nil) {
		return r, domain.Errorf(domain.EINVALID,
			"format=csv without file= is the whole graph as seed files; for a part of the graph ask for one file (file=cities, …) or use graphml or jsonl")
	}
	return r, nil
}

func neighbourhoodQuery(q url.Values) (*domain.NeighbourhoodQuery, error) {
	for _, p := range []string{"where", "country", "grouping", "orgKind", "sector"} {
		if q.Has(p) {
			return nil, domain.Errorf(domain.EINVALID, "%s filters a kind=… export, not a neighbourhood (center=…)", p)
		}
	}
	center, err := domain.ParseNodeKey(q.Get("center"))
	if err != nil {
		return nil, err
	}
	nq := &domain.NeighbourhoodQuery{Center: center}
	for _, c := range []struct {
		name string
		to   *int
	}{{"depth", &nq.Depth}, {"limit", &nq.Limit}} {
		if !q.Has(c.name) {
			continue
		}
		v, err := strconv.Atoi(q.Get(c.name))
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "%s %q is not a whole number", c.name, q.Get(c.name))
		}
		count := domain.NeighbourhoodDepth
		if c.name == "limit" {
			count = domain.NeighbourhoodLimit
		}
		if err := count.Check(v); err != nil {
			return nil, err
		}
		*c.to = v
	}
	if ks := q.Get("kinds"); ks != "" {
		for _, k := range strings.Split(ks, ",") {
			ek, err := domain.ParseEdgeKind(strings.TrimSpace(k))
			if err != nil {
				return nil, err
			}
			nq.Kinds = append(nq.Kinds, ek)
		}
	}
	return nq, nq.Normalize()
}

func filterQuery(q url.Values) (*domain.NodeQuery, error) {
	for _, p := range []string{"depth", "kinds", "limit"} {
		if q.Has(p) {
			return nil, domain.Errorf(domain.EINVALID, "%s shapes a neighbourhood (center=…), not a kind=… export", p)
		}
	}
	kind, err := domain.ParseKind(q.Get("kind"))
	if err != nil {
		return nil, err
	}
	fq := &domain.NodeQuery{Kind: kind, Filter: domain.NodeFilter{
		Country: q.Get("country"), Grouping: q.Get("grouping"),
		OrgKind: domain.OrgKind(q.Get("orgKind")), Sector: domain.Sector(q.Get("sector"))}}
	if q.Has("where") {
		// The same filter a GraphQL list's where argument takes, as JSON.
		var v any
		if err := json.Unmarshal([]byte(q.Get("where")), &v); err != nil {
			return nil, domain.Errorf(domain.EINVALID, "where is not JSON (%v); give a filter object such as {\"population\": {\"gt\": 5000000}}", err)
		}
		w, err := graph.ParseWhere(v, kind)
		if err != nil {
			return nil, err
		}
		fq.Where = w
	}
	return fq, fq.Normalize()
}

// Export is a checked request, ready to write.
type Export struct {
	st    domain.Store
	req   Request
	scope scope
	// Items counts the nodes, relations or rows written so far.
	Items int
}

// Prepare checks what can be checked before the first byte: the store
// answers, and the neighbourhood's centre exists (the neighbourhood is read
// now; it is bounded by domain.MaxNeighbourhoodNodes). Its errors are the
// store's: ENOTFOUND for an unknown centre, EUNAVAILABLE, ETIMEOUT.
func Prepare(ctx context.Context, st domain.Store, req Request) (*Export, error) {
	x := &Export{st: st, req: req}
	switch {
	case req.Neighbourhood != nil:
		n := &neighbourhood{q: *req.Neighbourhood}
		if err := n.load(ctx, st); err != nil {
			return nil, err
		}
		x.scope = n
	case req.Filter != nil:
		x.scope = &filtered{q: *req.Filter}
		probe := *req.Filter
		probe.Page = domain.Page{First: 1, NoTotal: true}
		if _, err := st.ListNodes(ctx, probe); err != nil {
			return nil, err
		}
	default:
		x.scope = wholeGraph{}
		if err := st.Ping(ctx); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// ContentType is the export's media type.
func (x *Export) ContentType() string {
	switch {
	case x.req.Format == GraphML:
		return "application/graphml+xml"
	case x.req.Format == JSONLines:
		return "application/jsonl"
	case x.req.File != "":
		return "text/csv; charset=utf-8"
	}
	return "application/zip"
}

// FileName is the name a browser saves the export under.
func (x *Export) FileName() string {
	base := "citygraph-" + x.scope.name()
	switch {
	case x.req.Format == GraphML:
		return base + ".graphml"
	case x.req.Format == JSONLines:
		return base + ".jsonl"
	case x.req.File != "":
		return base + "-" + x.req.File + ".csv"
	}
	return base + "-seed.zip"
}

// streamWriter is a format that takes the scope's nodes, then its relations.
type streamWriter interface {
	begin() error
	nodes([]domain.Node) error
	edges([]domain.Edge) error
	end() error
}

// Write streams the export to w, calling flush after each page so that the
// client receives it as it is made. An error after the first byte leaves w
// incomplete; the caller must not present it as whole.
func (x *Export) Write(ctx context.Context, w io.Writer, flush func() error) error {
	if flush == nil {
		flush = func() error { return nil }
	}
	if x.req.Format == SeedCSV {
		s := &seedFiles{st: x.st, flush: flush}
		var err error
		if x.req.File == "" {
			err = s.writeZip(ctx, w)
		} else {
			err = s.writeFile(ctx, x.scope, x.req.File, w)
		}
		x.Items = s.written
		return err
	}
	var sw streamWriter = newGraphML(w)
	if x.req.Format == JSONLines {
		sw = newJSONLines(w)
	}
	if err := sw.begin(); err != nil {
		return err
	}
	err := x.scope.nodes(ctx, x.st, func(ns []domain.Node) error {
		x.Items += len(ns)
		if err := sw.nodes(ns); err != nil {
			return err
		}
		return flush()
	})
	if err != nil {
		return err
	}
	err = x.scope.edges(ctx, x.st, func(es []domain.Edge) error {
		x.Items += len(es)
		if err := sw.edges(es); err != nil {
			return err
		}
		return flush()
	})
	if err != nil {
		return err
	}
	if err := sw.end(); err != nil {
		return err
	}
	return flush()
}

// writeFile writes one CSV format's rows for the scope: the scope's nodes
// of the file's kind (with the relations their rows hold, read from the
// store), or its relations of the file's kind. It is a spreadsheet's view:
// a row holds what its format has columns for.
func (s *seedFiles) writeFile(ctx context.Context, sc scope, file string, w io.Writer) error {
	f := &csvFile{name: file, open: func(string) (io.Writer, error) { return w, nil }}
	if _, whole := sc.(wholeGraph); whole {
		if err := s.csvRows(ctx, f, file, false); err != nil {
			return err
		}
		return f.close()
	}
	emit := func(fields []string) error {
		s.written++
		return f.row(fields)
	}
	var err error
	if ek, ok := relationFiles[file]; ok {
		err = sc.edges(ctx, s.st, func(es []domain.Edge) error {
			for _, e := range es {
				if e.Kind == ek {
					if err := emit(edgeRow(e)); err != nil {
						return err
					}
				}
			}
			return f.flush(s.flush)
		})
	} else {
		kind := map[string]domain.Kind{"sources": domain.KindSource, "cities": domain.KindCity, "projects": domain.KindProject}[file]
		err = sc.nodes(ctx, s.st, func(ns []domain.Node) error {
			var page []domain.Node
			for _, n := range ns {
				if n.Key().Kind == kind {
					page = append(page, n)
				}
			}
			rel, err := relationsAt(ctx, s.st, keysOf(page), recordWants[kind])
			if err != nil {
				return err
			}
			for _, n := range page {
				if err := emit(nodeRow(n, rel)); err != nil {
					return err
				}
			}
			return f.flush(s.flush)
		})
	}
	if err != nil {
		return err
	}
	return f.close()
}
