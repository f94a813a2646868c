package export

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// SeedFiles names the bulk CSV files, in the order a zip holds them; each
// is one of the formats seed.CSVHeaders defines.
var SeedFiles = []string{"sources", "cities", "partnerships", "memberships", "projects", "financings"}

// maxCSVPart is where a CSV file is cut into another (cities-2.csv, …),
// well below the seed loader's default limit of 256 MiB a file. A
// variable so that tests can cut small graphs into parts.
var maxCSVPart int64 = 128 << 20

// maxNotes bounds the lines NOT-EXPORTED.txt lists (it counts the rest).
const maxNotes = 1000

// seedFiles writes the graph as the files `citygraph seed` reads: a zip of
// the six bulk CSV files, holding every record they can hold exactly, and
// dossiers (graph-001.json, …) for the rest: the kinds no CSV format holds
// (countries, forums, …) and the records whose fields a CSV row would lose
// (a city's aliases, a relation with sources of its own). Loading the zip's
// files into an empty store gives the same graph. What neither format can
// say (a topic no forum discusses, a relation's end date) is listed in
// NOT-EXPORTED.txt, which the loader skips.
type seedFiles struct {
	st    domain.Store
	flush func() error
	notes []string
	// unheld counts what NOT-EXPORTED.txt lists; written counts rows.
	unheld, written int
}

func (s *seedFiles) note(format string, args ...any) {
	s.unheld++
	if len(s.notes) < maxNotes {
		s.notes = append(s.notes, fmt.Sprintf(format, args...))
	}
}

// edgeWant names relations to read at each node of a page: a kind and the
// end the node is (Out: the stored start, In: the end).
type edgeWant struct {
	kind domain.EdgeKind
	dir  domain.Direction
}

// stored holds a page's relations by want and by node.
type stored map[edgeWant]map[domain.NodeKey][]domain.Edge

func (s stored) of(kind domain.EdgeKind, dir domain.Direction, k domain.NodeKey) []domain.Edge {
	return s[edgeWant{kind, dir}][k]
}

// relationsAt reads the wanted relations at nodes.
func relationsAt(ctx context.Context, st domain.Store, keys []domain.NodeKey, wants []edgeWant) (stored, error) {
	out := stored{}
	for _, w := range wants {
		m := map[domain.NodeKey][]domain.Edge{}
		err := eachEdgeOf(ctx, st, domain.EdgeQuery{Kind: w.kind, Direction: w.dir}, keys, func(a domain.NodeKey, e domain.Edge) error {
			k := e.Key()
			if (w.dir == domain.Out && k.From == a) || (w.dir == domain.In && k.To == a) {
				m[a] = append(m[a], e)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out[w] = m
	}
	return out, nil
}

// pages calls fn with each page of the nodes of kind k in the whole graph
// and the wanted relations at them.
func (s *seedFiles) pages(ctx context.Context, k domain.Kind, wants []edgeWant, fn func([]domain.Node, stored) error) error {
	return pageNodes(ctx, s.st, domain.NodeQuery{Kind: k}, func(page []domain.Node) error {
		rel, err := relationsAt(ctx, s.st, keysOf(page), wants)
		if err != nil {
			return err
		}
		return fn(page, rel)
	})
}

// storedEdges calls fn with the whole graph's relations of kind ek, a
// batch at a time.
func (s *seedFiles) storedEdges(ctx context.Context, ek domain.EdgeKind, fn func([]domain.Edge) error) error {
	for _, k := range domain.EdgeRules[ek].From {
		err := pageNodes(ctx, s.st, domain.NodeQuery{Kind: k}, func(page []domain.Node) error {
			return startingAt(ctx, s.st, ek, keysOf(page), nil, fn)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recordWants are the relations a node's CSV row or dossier record holds.
var recordWants = map[domain.Kind][]edgeWant{
	domain.KindCity:    {{domain.EdgeInCountry, domain.Out}, {domain.EdgeRefersTo, domain.Out}},
	domain.KindProject: {{domain.EdgeLocatedIn, domain.Out}, {domain.EdgeRefersTo, domain.Out}},
}

// writeZip writes the whole graph as a zip of seed files.
func (s *seedFiles) writeZip(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	modified := time.Now().UTC()
	open := func(name string) (io.Writer, error) {
		if err := s.flush(); err != nil {
			return nil, err
		}
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	}
	for _, f := range SeedFiles {
		cw := &csvFile{open: open, name: f, limit: maxCSVPart}
		if err := s.csvRows(ctx, cw, f, true); err != nil {
			return err
		}
		if err := cw.close(); err != nil {
			return err
		}
	}
	d := &dossierWriter{open: open}
	if err := s.dossier(ctx, d); err != nil {
		return err
	}
	if err := d.closeFile(); err != nil {
		return err
	}
	if s.unheld > 0 {
		nw, err := open("NOT-EXPORTED.txt")
		if err != nil {
			return err
		}
		fmt.Fprintf(nw, "%d fact(s) of the graph have no place in the seed formats and are not in this export:\n", s.unheld)
		for _, n := range s.notes {
			fmt.Fprintln(nw, n)
		}
		if s.unheld > len(s.notes) {
			fmt.Fprintf(nw, "… and %d more\n", s.unheld-len(s.notes))
		}
	}
	return zw.Close()
}

// csvFile writes one bulk CSV format, starting another file (cities-2.csv)
// past limit bytes, if limit is set.
type csvFile struct {
	open  func(name string) (io.Writer, error)
	name  string
	limit int64
	part  int
	cw    *csv.Writer
	count *countingWriter
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (f *csvFile) row(fields []string) error {
	if f.cw != nil && f.limit > 0 && f.count.n > f.limit {
		if err := f.close(); err != nil {
			return err
		}
	}
	if f.cw == nil {
		if err := f.start(); err != nil {
			return err
		}
	}
	if err := f.cw.Write(fields); err != nil {
		return err
	}
	if f.limit > 0 {
		f.cw.Flush() // so that count sees the row; the zip entry buffers anyway
	}
	return f.cw.Error()
}

func (f *csvFile) start() error {
	f.part++
	name := f.name + ".csv"
	if f.part > 1 {
		name = fmt.Sprintf("%s-%d.csv", f.name, f.part)
	}
	w, err := f.open(name)
	if err != nil {
		return err
	}
	f.count = &countingWriter{w: w}
	f.cw = csv.NewWriter(f.count)
	return f.cw.Write(seed.CSVHeaders[f.name])
}

// flush sends the rows written so far on, then calls next.
func (f *csvFile) flush(next func() error) error {
	if f.cw != nil {
		f.cw.Flush()
		if err := f.cw.Error(); err != nil {
			return err
		}
	}
	return next()
}

// close ends the current file; a format with no rows still gets its header.
func (f *csvFile) close() error {
	if f.cw == nil && f.part == 0 {
		if err := f.start(); err != nil {
			return err
		}
	}
	if f.cw == nil {
		return nil
	}
	f.cw.Flush()
	err := f.cw.Error()
	f.cw = nil
	return err
}

// csvRows writes the whole graph's rows of one CSV format; with exact, only
// the records the row holds whole (the dossier takes the others).
func (s *seedFiles) csvRows(ctx context.Context, f *csvFile, format string, exact bool) error {
	emit := func(fields []string) error {
		s.written++
		return f.row(fields)
	}
	switch format {
	case "sources", "cities", "projects":
		kind := map[string]domain.Kind{"sources": domain.KindSource, "cities": domain.KindCity, "projects": domain.KindProject}[format]
		return s.pages(ctx, kind, recordWants[kind], func(page []domain.Node, rel stored) error {
			for _, n := range page {
				if exact && !s.nodeFitsCSV(n, rel) {
					continue
				}
				if err := emit(nodeRow(n, rel)); err != nil {
					return err
				}
			}
			return f.flush(s.flush)
		})
	default:
		ek := relationFiles[format]
		return s.storedEdges(ctx, ek, func(es []domain.Edge) error {
			for _, e := range es {
				if exact && !edgeFitsCSV(e) {
					continue
				}
				if err := emit(edgeRow(e)); err != nil {
					return err
				}
			}
			return f.flush(s.flush)
		})
	}
}

// relationFiles are the CSV formats of one relation each.
var relationFiles = map[string]domain.EdgeKind{
	"partnerships": domain.EdgePartnerOf, "memberships": domain.EdgeMemberOf, "financings": domain.EdgeFinanced,
}

// nodeRow is a node's CSV row, with the relations the row holds.
func nodeRow(n domain.Node, rel stored) []string {
	m := n.Base()
	switch n := n.(type) {
	case *domain.Source:
		return []string{m.ID, m.Name, m.NameZh, n.Publisher, n.Author, string(n.Date), strings.Join(n.URLs, " "), n.File, m.Description}
	case *domain.City:
		country := ""
		if in := rel.of(domain.EdgeInCountry, domain.Out, n.Key()); len(in) > 0 {
			country = in[0].To.ID
		}
		lat, lon := "", ""
		if n.Location != nil {
			lat, lon = formatFloat(n.Location.Lat), formatFloat(n.Location.Lon)
		}
		capital := ""
		if n.IsCapital {
			capital = "true"
		}
		return []string{m.ID, m.Name, m.NameZh, country, string(n.Division), n.Region, n.RegionZh, lat, lon,
			nonZero(n.Population), nonZero(int64(n.PopulationYear)), capital, strings.Join(m.Sources, ";")}
	case *domain.Project:
		var countries, cities []string
		for _, e := range rel.of(domain.EdgeLocatedIn, domain.Out, n.Key()) {
			if e.To.Kind == domain.KindCountry {
				countries = append(countries, e.To.ID)
			} else {
				cities = append(cities, e.To.ID)
			}
		}
		return []string{m.ID, m.Name, m.NameZh, string(n.Sector), string(n.Status), strings.Join(countries, ";"),
			strings.Join(cities, ";"), m.Description, strings.Join(m.Sources, ";")}
	}
	return nil
}

// edgeRow is a relation's CSV row.
func edgeRow(e domain.Edge) []string {
	src := strings.Join(e.Sources, ";")
	switch e.Kind {
	case domain.EdgePartnerOf:
		return []string{e.From.ID, e.To.ID, string(e.PartnershipKind), string(e.Status), string(e.Since), throughText(e.Through), e.Note, src}
	case domain.EdgeMemberOf:
		m := membershipRec(e)
		return []string{m.Country, m.Grouping, m.FundingBody, string(m.Since), m.Note, src}
	case domain.EdgeFinanced:
		amount, currency := "", ""
		if e.Amount != nil {
			amount, currency = e.Amount.Amount.String(), string(e.Amount.Currency)
		}
		return []string{e.From.ID, e.To.ID, amount, currency, e.Instrument, string(e.Since), e.Note, src}
	}
	return nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func nonZero(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// trimmed reports whether no value has surrounding spaces, which the CSV
// reader trims.
func trimmed(values ...string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) != v {
			return false
		}
	}
	return true
}

// holdsOnly reports whether e has no properties but its ends, sources,
// version and those clear zeroes: what a format that holds those keeps whole.
func holdsOnly(e domain.Edge, clear func(*domain.Edge)) bool {
	e.Kind, e.From, e.To, e.Sources, e.Version = "", domain.NodeKey{}, domain.NodeKey{}, nil, 0
	if clear != nil {
		clear(&e)
	}
	return reflect.ValueOf(e).IsZero()
}

// recordEdge reports whether a relation written inside a record (a city's
// country, a project's location) is what the CSV row makes of it: the
// record's sources and nothing else.
func recordEdge(e domain.Edge, sources []string) bool {
	return holdsOnly(e, nil) && slices.Equal(e.Sources, sources)
}

func (s *seedFiles) nodeFitsCSV(n domain.Node, rel stored) bool {
	m := n.Base()
	if !trimmed(m.ID, m.Name, m.NameZh, m.Description) {
		return false
	}
	switch n := n.(type) {
	case *domain.Source:
		// The CSV url cell holds the addresses separated by spaces.
		return trimmed(append([]string{n.Publisher, n.Author, n.File}, n.URLs...)...) && !slices.ContainsFunc(n.URLs, hasSpace)
	case *domain.City:
		in := rel.of(domain.EdgeInCountry, domain.Out, n.Key())
		return len(m.Aliases) == 0 && m.Description == "" && n.Division != "" && trimmed(n.Region, n.RegionZh) &&
			len(rel.of(domain.EdgeRefersTo, domain.Out, n.Key())) == 0 && len(in) == 1 && recordEdge(in[0], m.Sources)
	case *domain.Project:
		if len(m.Aliases) > 0 || len(rel.of(domain.EdgeRefersTo, domain.Out, n.Key())) > 0 {
			return false
		}
		for _, e := range rel.of(domain.EdgeLocatedIn, domain.Out, n.Key()) {
			if !recordEdge(e, m.Sources) {
				return false
			}
		}
		return true
	}
	return false
}

// edgeHeld are, per relation kind of its own file, the properties its CSV
// row and dossier record hold.
var edgeHeld = map[domain.EdgeKind]func(*domain.Edge){
	domain.EdgePartnerOf: func(e *domain.Edge) { e.PartnershipKind, e.Status, e.Since, e.Through, e.Note = "", "", "", nil, "" },
	domain.EdgeMemberOf:  func(e *domain.Edge) { e.Since, e.Note = "", "" },
	domain.EdgeFinanced:  func(e *domain.Edge) { e.Amount, e.Instrument, e.Since, e.Note = nil, "", "", "" },
}

func edgeFitsCSV(e domain.Edge) bool {
	switch e.Kind {
	case domain.EdgePartnerOf:
		// An empty status reads back as established.
		return e.Status != "" && trimmed(e.Note) && holdsOnly(e, edgeHeld[e.Kind])
	case domain.EdgeFinanced:
		return e.Amount != nil && trimmed(e.Instrument, e.Note) && holdsOnly(e, edgeHeld[e.Kind])
	}
	return trimmed(e.Note) && holdsOnly(e, edgeHeld[e.Kind])
}

func hasSpace(s string) bool { return strings.ContainsAny(s, " \t\r\n") }
