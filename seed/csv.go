package seed

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// CSVHeaders lists the bulk CSV formats by name, each with its exact header
// row; a file is recognised by its header (column order included).
var CSVHeaders = map[string][]string{
	"sources":      {"id", "title", "title_zh", "publisher", "author", "date", "url", "file", "description"},
	"cities":       {"id", "name", "name_zh", "country", "division", "region", "region_zh", "lat", "lon", "population", "population_year", "capital", "sources"},
	"partnerships": {"city", "partner", "kind", "status", "since", "through", "note", "sources"},
	"memberships":  {"country", "grouping", "funding_body", "since", "note", "sources"},
	"projects":     {"id", "name", "name_zh", "sector", "status", "country", "city", "description", "sources"},
	"financings":   {"funding_body", "project", "amount", "currency", "instrument", "approved", "note", "sources"},
}

// csvFormats is the order formats are listed in messages.
var csvFormats = []string{"sources", "cities", "partnerships", "memberships", "projects", "financings"}

// csvRow is one data row with its columns by name.
type csvRow struct {
	b      *builder
	at     Position
	cols   map[string]int
	fields []string
}

func (r *csvRow) get(col string) string { return strings.TrimSpace(r.fields[r.cols[col]]) }

func (r *csvRow) col(col string) Position {
	p := r.at
	p.Field = col
	return p
}

// list splits a multi-valued cell ("a; b").
func (r *csvRow) list(col string) []string {
	v := r.get(col)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *csvRow) date(col string) domain.Date {
	v := r.get(col)
	if wellFormedDate(v) {
		return domain.Date(v)
	}
	d, err := domain.ParseDate(v)
	if err != nil {
		r.b.problem(r.col(col), "", strconv.Quote(v), "a date YYYY, YYYY-MM or YYYY-MM-DD")
	}
	return d
}

func (r *csvRow) float(col string) (float64, bool) {
	v := r.get(col)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.b.problem(r.col(col), "", strconv.Quote(v), "a decimal number")
		return 0, false
	}
	return f, true
}

func (r *csvRow) int(col string) int64 {
	v := r.get(col)
	if v == "" {
		return 0
	}
	i, err := strconv.ParseInt(v, 10, 64)
	if err != nil || i < 0 {
		r.b.problem(r.col(col), "", strconv.Quote(v), "a whole number, zero or more")
	}
	return i
}

// node and edge add a row's record; a CSV problem's line is the row's.
func (r *csvRow) node(n domain.Node) { r.b.addNode(n, r.at, nil) }
func (r *csvRow) edge(e domain.Edge) { r.b.addEdge(e, r.at, nil) }

func (b *builder) parseCSV(file string, data []byte) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet exports
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // count columns ourselves to report every bad row
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		b.problems = append(b.problems, domain.Problem{File: file, Line: 1, Field: "(header)", Found: "an empty file", Expected: "a header row"})
		return
	}
	if err != nil {
		b.csvError(file, err)
		return
	}
	format := ""
	got := strings.Join(header, ",")
	for _, f := range csvFormats {
		if got == strings.Join(CSVHeaders[f], ",") {
			format = f
		}
	}
	if format == "" {
		var want []string
		for _, f := range csvFormats {
			want = append(want, f+": "+strings.Join(CSVHeaders[f], ","))
		}
		b.problems = append(b.problems, domain.Problem{File: file, Line: 1, Field: "(header)",
			Found: strconv.Quote(truncateText(got, 120)), Expected: "one of the headers " + strings.Join(want, " | ")})
		return
	}
	// Size the batch and its bookkeeping once for a bulk file instead of
	// growing them (and rehashing the maps) row by row.
	lines := bytes.Count(data, []byte{'\n'}) + 1
	b.reserve(lines)
	cols := map[string]int{}
	for i, c := range CSVHeaders[format] {
		cols[c] = i
	}
	row := csvRow{b: b, cols: cols}
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			if !b.csvError(file, err) {
				return
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		row.at = Position{File: file, Line: line}
		row.fields = fields
		b.pos.Rows++
		if len(fields) == 1 && fields[0] == "" {
			continue // a blank line
		}
		if len(fields) != len(header) {
			b.problem(row.at, "(columns)", fmt.Sprintf("%d columns", len(fields)), fmt.Sprintf("%d columns as in the %s header", len(header), format))
			continue
		}
		csvRows[format](&row)
	}
}

// csvError records a CSV syntax error; it reports whether reading can go on.
func (b *builder) csvError(file string, err error) bool {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		b.problems = append(b.problems, domain.Problem{File: file, Line: pe.Line, Field: fmt.Sprintf("(column %d)", pe.Column),
			Found: pe.Err.Error(), Expected: "well-formed CSV (quote fields that hold commas, double quotes inside quotes)"})
		return true
	}
	b.problems = append(b.problems, domain.Problem{File: file, Field: "(file)", Found: err.Error(), Expected: "a readable CSV file"})
	return false
}

func truncateText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

var csvRows = map[string]func(r *csvRow){
	"sources": func(r *csvRow) {
		r.node(&domain.Source{Meta: domain.Meta{ID: r.get("id"), Name: r.get("title"), NameZh: r.get("title_zh"), Description: r.get("description")},
			Publisher: r.get("publisher"), Author: r.get("author"), Date: r.date("date"), URLs: domain.SplitURLs(r.get("url")), File: r.get("file")})
	},
	"cities": func(r *csvRow) {
		c := &domain.City{Meta: domain.Meta{ID: r.get("id"), Name: r.get("name"), NameZh: r.get("name_zh"), Sources: r.list("sources")},
			Division: domain.Division(r.get("division")), Region: r.get("region"), RegionZh: r.get("region_zh"),
			Population: r.int("population"), PopulationYear: int(r.int("population_year"))}
		if c.Division == "" {
			c.Division = domain.DivisionCity
		}
		switch v := strings.ToLower(r.get("capital")); v {
		case "", "false", "no":
		case "true", "yes":
			c.IsCapital = true
		default:
			r.b.problem(r.col("capital"), "", strconv.Quote(v), "true, false or empty")
		}
		if r.get("lat") != "" || r.get("lon") != "" {
			lat, ok1 := r.float("lat")
			lon, ok2 := r.float("lon")
			if ok1 && ok2 {
				c.Location = &domain.GeoPoint{Lat: lat, Lon: lon}
			}
		}
		r.node(c)
		r.edge(domain.Edge{Kind: domain.EdgeInCountry, From: c.Key(), To: domain.NodeKey{Kind: domain.KindCountry, ID: r.get("country")}, Sources: c.Sources})
	},
	"partnerships": func(r *csvRow) {
		e := domain.Edge{Kind: domain.EdgePartnerOf, From: domain.NodeKey{Kind: domain.KindCity, ID: r.get("city")},
			To: domain.NodeKey{Kind: domain.KindCity, ID: r.get("partner")}, PartnershipKind: domain.PartnershipKind(r.get("kind")),
			Status: partnershipStatus(r.get("status")), Since: r.date("since"), Note: r.get("note"), Sources: r.list("sources")}
		if t := r.get("through"); t != "" {
			k, err := domain.ParseNodeKey(t)
			if err != nil {
				r.b.problem(r.col("through"), "", strconv.Quote(t), "Agreement:slug or Forum:slug")
				return
			}
			e.Through = &k
		}
		r.edge(e)
	},
	"memberships": func(r *csvRow) {
		g, f := r.get("grouping"), r.get("funding_body")
		to := domain.NodeKey{Kind: domain.KindGrouping, ID: g}
		switch {
		case g != "" && f != "", g == "" && f == "":
			r.b.problem(r.col("grouping"), "", fmt.Sprintf("grouping %q and funding_body %q", g, f), "exactly one of grouping and funding_body")
			return
		case f != "":
			to = domain.NodeKey{Kind: domain.KindFundingBody, ID: f}
		}
		r.edge(domain.Edge{Kind: domain.EdgeMemberOf, From: domain.NodeKey{Kind: domain.KindCountry, ID: r.get("country")}, To: to,
			Since: r.date("since"), Note: r.get("note"), Sources: r.list("sources")})
	},
	"projects": func(r *csvRow) {
		p := &domain.Project{Meta: domain.Meta{ID: r.get("id"), Name: r.get("name"), NameZh: r.get("name_zh"), Description: r.get("description"),
			Sources: r.list("sources")}, Sector: domain.Sector(r.get("sector")), Status: domain.ProjectStatus(r.get("status"))}
		r.node(p)
		for _, c := range r.list("country") {
			r.edge(domain.Edge{Kind: domain.EdgeLocatedIn, From: p.Key(), To: domain.NodeKey{Kind: domain.KindCountry, ID: c}, Sources: p.Sources})
		}
		for _, c := range r.list("city") {
			r.edge(domain.Edge{Kind: domain.EdgeLocatedIn, From: p.Key(), To: domain.NodeKey{Kind: domain.KindCity, ID: c}, Sources: p.Sources})
		}
	},
	"financings": func(r *csvRow) {
		v := r.get("amount")
		a, err := domain.ParseDecimal(v)
		switch {
		case err != nil:
			r.b.problem(r.col("amount"), "", strconv.Quote(v), "a decimal amount with at most two decimals")
			return
		case a < 0:
			r.b.problem(r.col("amount"), "", v, "a non-negative amount")
			return
		}
		r.edge(domain.Edge{Kind: domain.EdgeFinanced, From: domain.NodeKey{Kind: domain.KindFundingBody, ID: r.get("funding_body")},
			To: domain.NodeKey{Kind: domain.KindProject, ID: r.get("project")}, Since: r.date("approved"),
			Amount: &domain.Money{Amount: a, Currency: domain.Currency(r.get("currency"))}, Instrument: r.get("instrument"),
			Note: r.get("note"), Sources: r.list("sources")})
	},
}

// wellFormedDate reports whether s is a calendar date YYYY, YYYY-MM or
// YYYY-MM-DD: the dates domain.ParseDate accepts, checked without its
// regular expression and time.Parse, which were a tenth of a bulk load.
// Anything else (empty, malformed) goes to domain.ParseDate for its
// verdict and message.
func wellFormedDate(s string) bool {
	digits := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return false
	}
	year, ok := digits(s[:4])
	if !ok || len(s) == 4 {
		return ok
	}
	month, ok := digits(s[5:7])
	if s[4] != '-' || !ok || month < 1 || month > 12 {
		return false
	}
	if len(s) == 7 {
		return true
	}
	day, ok := digits(s[8:10])
	if s[7] != '-' || !ok || day < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return day <= days
}
