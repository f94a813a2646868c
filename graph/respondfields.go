package graph

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/model"
	"github.com/vektah/gqlparser/v2/ast"
)

// What respondFromPlan knows of the schema: per GraphQL object type, the
// Go value behind it (its category) and what CollectFields needs; per
// field, how its resolver and marshaler write it. The categories are read
// from the schema and the planner's tables (relationFields, listFields),
// so a relation field added there is written here without a change.

// category is the Go value behind a GraphQL object type, as gqlgen.yml binds it.
type category int

const (
	categoryUnknown        category = iota
	categoryQuery                   // the root
	categoryNode                    // a domain node (City, Forum, …)
	categoryRelConnection           // model.RelConnection (PartnershipConnection, …)
	categoryRelEdge                 // model.RelEdge (PartnershipEdge, …)
	categoryNodeConnection          // model.NodeConnection (CityConnection, …)
	categoryNodeEdge                // model.NodeEdge (CityEdge, …)
	categoryPageInfo
	categoryGeoPoint
	categoryMoney
	categoryAttendance // model.CountryAttendance
	categoryAggregate  // model.Aggregate (CityAggregate, FinancingAggregate, …)
	categoryIntStats
	categoryMoneyStats
)

// responseShapes is the schema as the writer reads it.
type responseShapes struct {
	// satisfies lists, per object type, the type and the interfaces and
	// unions it belongs to: what generated.go passes to CollectFields.
	satisfies map[string][]string
	category  map[string]category
	// nodes and edges are the leaf fields of node types and relation edges.
	nodes map[string]map[string]leaf[domain.Node]
	edges map[string]leaf[*domain.Edge]
}

func newResponseShapes(schema *ast.Schema) *responseShapes {
	s := &responseShapes{satisfies: map[string][]string{}, category: map[string]category{}, nodes: nodeLeaves(), edges: edgeLeaves()}
	for name, def := range schema.Types {
		if def.Kind != ast.Object {
			continue
		}
		sat := append([]string{name}, def.Interfaces...)
		for _, u := range schema.Types {
			if u.Kind == ast.Union && slices.Contains(u.Types, name) {
				sat = append(sat, u.Name)
			}
		}
		s.satisfies[name] = sat
	}
	s.category["Query"] = categoryQuery
	s.category["PageInfo"] = categoryPageInfo
	s.category["GeoPoint"] = categoryGeoPoint
	s.category["Money"] = categoryMoney
	s.category["CountryAttendance"] = categoryAttendance
	s.category["IntStats"] = categoryIntStats
	s.category["MoneyStats"] = categoryMoneyStats
	for _, k := range domain.Kinds {
		if _, ok := s.nodes[string(k)]; ok {
			s.category[string(k)] = categoryNode
		}
	}
	connection := func(typ string, conn, edge category) {
		def := schema.Types[typ]
		if def == nil {
			return
		}
		s.category[typ] = conn
		if e := def.Fields.ForName("edges"); e != nil {
			s.category[e.Type.Name()] = edge
		}
		if a := def.Fields.ForName("aggregate"); a != nil {
			s.category[a.Type.Name()] = categoryAggregate
		}
	}
	for object, fields := range relationFields {
		for name, rf := range fields {
			def := schema.Types[object]
			if def == nil || def.Fields.ForName(name) == nil {
				continue
			}
			typ := def.Fields.ForName(name).Type.Name()
			switch rf.shape {
			case shapeConnection:
				connection(typ, categoryRelConnection, categoryRelEdge)
			case shapeNodes:
				connection(typ, categoryNodeConnection, categoryNodeEdge)
			}
		}
	}
	if schema.Query != nil {
		for name := range listFields {
			if f := schema.Query.Fields.ForName(name); f != nil {
				connection(f.Type.Name(), categoryNodeConnection, categoryNodeEdge)
			}
		}
	}
	return s
}

// holds says whether a field of type fieldType may hold an object of type typ.
func (s *responseShapes) holds(fieldType, typ string) bool {
	return fieldType == typ || slices.Contains(s.satisfies[typ], fieldType)
}

// leaf writes one field of a value of type S; false when gqlgen would
// report an error for it.
type leaf[S any] func(r *responder, f *graphql.CollectedField, s S) bool

// nodeLeaves are the fields of each node type that its Go struct (or a
// resolver reading only it) answers. id, sources and the relation fields
// are written by nodeWriter.
func nodeLeaves() map[string]map[string]leaf[domain.Node] {
	meta := map[string]leaf[domain.Node]{
		"slug":        required(func(n domain.Node) string { return n.Base().ID }),
		"name":        required(func(n domain.Node) string { return n.Base().Name }),
		"nameZh":      optionalText(func(n domain.Node) string { return n.Base().NameZh }),
		"aliases":     texts(func(n domain.Node) []string { return n.Base().Aliases }),
		"description": optionalText(func(n domain.Node) string { return n.Base().Description }),
		"version":     integer(func(n domain.Node) int64 { return n.Base().Version }),
	}
	own := map[domain.Kind]map[string]leaf[domain.Node]{
		domain.KindCountry: {
			"code": required(func(n domain.Node) string { return n.Base().ID }),
		},
		domain.KindGrouping: {
			"acronym": optionalText(on(func(g *domain.Grouping) string { return g.Acronym })),
		},
		domain.KindCity: {
			"division":       enum(on(func(c *domain.City) domain.Division { return c.Division })),
			"region":         optionalText(on(func(c *domain.City) string { return c.Region })),
			"regionZh":       optionalText(on(func(c *domain.City) string { return c.RegionZh })),
			"location":       geoPoint(on(func(c *domain.City) *domain.GeoPoint { return c.Location })),
			"population":     optionalCount(on(func(c *domain.City) int64 { return c.Population })),
			"populationYear": optionalCount(on(func(c *domain.City) int64 { return int64(c.PopulationYear) })),
			"isCapital":      boolean(on(func(c *domain.City) bool { return c.IsCapital })),
		},
		domain.KindOrganization: {
			"kind": enum(on(func(o *domain.Organization) domain.OrgKind { return o.OrgKind })),
		},
		domain.KindFundingBody: {
			"acronym":     required(on(func(b *domain.FundingBody) string { return b.Acronym })),
			"founded":     date(on(func(b *domain.FundingBody) domain.Date { return b.Founded })),
			"capital":     money(on(func(b *domain.FundingBody) *domain.Money { return b.Capital })),
			"capitalNote": optionalText(on(func(b *domain.FundingBody) string { return b.CapitalNote })),
		},
		domain.KindForumSeries: {},
		domain.KindEvent: {
			"firstHeld": date(on(func(e *domain.Event) domain.Date { return e.FirstHeld })),
		},
		domain.KindForum: {
			"edition":        optionalCount(on(func(f *domain.Forum) int64 { return int64(f.Edition) })),
			"startDate":      date(on(func(f *domain.Forum) domain.Date { return f.StartDate })),
			"endDate":        date(on(func(f *domain.Forum) domain.Date { return f.EndDate })),
			"theme":          optionalText(on(func(f *domain.Forum) string { return f.Theme })),
			"themeZh":        optionalText(on(func(f *domain.Forum) string { return f.ThemeZh })),
			"participants":   optionalCount(on(func(f *domain.Forum) int64 { return int64(f.Participants) })),
			"officials":      optionalCount(on(func(f *domain.Forum) int64 { return int64(f.Officials) })),
			"attendanceNote": optionalText(on(func(f *domain.Forum) string { return f.AttendanceNote })),
		},
		domain.KindTopic: {
			"subThemes":   texts(on(func(t *domain.Topic) []string { return t.SubThemes })),
			"subThemesZh": texts(on(func(t *domain.Topic) []string { return t.SubThemesZh })),
		},
		domain.KindAgreement: {
			"date":     date(on(func(a *domain.Agreement) domain.Date { return a.Date })),
			"points":   texts(on(func(a *domain.Agreement) []string { return a.Points })),
			"pointsZh": texts(on(func(a *domain.Agreement) []string { return a.PointsZh })),
		},
		domain.KindInitiative: {},
		domain.KindProject: {
			"sector": enum(on(func(p *domain.Project) domain.Sector { return p.Sector })),
			"status": enum(on(func(p *domain.Project) domain.ProjectStatus { return p.Status })),
		},
		domain.KindSource: {
			"publisher": optionalText(on(func(s *domain.Source) string { return s.Publisher })),
			"author":    optionalText(on(func(s *domain.Source) string { return s.Author })),
			"date":      date(on(func(s *domain.Source) domain.Date { return s.Date })),
			"urls":      texts(on(func(s *domain.Source) []string { return s.URLs })),
			"url":       optionalText(on(func(s *domain.Source) string { return deref(firstURL(s)) })),
			"file":      optionalText(on(func(s *domain.Source) string { return s.File })),
		},
	}
	out := map[string]map[string]leaf[domain.Node]{}
	for kind, fields := range own {
		m := map[string]leaf[domain.Node]{}
		for name, w := range meta {
			m[name] = w
		}
		for name, w := range fields {
			m[name] = w
		}
		out[string(kind)] = m
	}
	return out
}

// edgeLeaves are the relation edges' own fields, the methods of
// model.RelEdge; every edge type has some of them.
func edgeLeaves() map[string]leaf[*domain.Edge] {
	return map[string]leaf[*domain.Edge]{
		"kind": enum(func(e *domain.Edge) domain.PartnershipKind { return e.PartnershipKind }),
		"status": enum(func(e *domain.Edge) domain.PartnershipStatus {
			if e.Status == "" {
				return domain.PartnershipEstablished
			}
			return e.Status
		}),
		"since":          date(func(e *domain.Edge) domain.Date { return e.Since }),
		"date":           date(func(e *domain.Edge) domain.Date { return e.Since }),
		"approved":       date(func(e *domain.Edge) domain.Date { return e.Since }),
		"until":          date(func(e *domain.Edge) domain.Date { return e.Until }),
		"role":           enum(func(e *domain.Edge) domain.Role { return e.Role }),
		"note":           optionalText(func(e *domain.Edge) string { return e.Note }),
		"level":          optionalText(func(e *domain.Edge) string { return e.Level }),
		"request":        optionalText(func(e *domain.Edge) string { return e.Request }),
		"requestZh":      optionalText(func(e *domain.Edge) string { return e.RequestZh }),
		"instrument":     optionalText(func(e *domain.Edge) string { return e.Instrument }),
		"amount":         money(func(e *domain.Edge) *domain.Money { return e.Amount }),
		"position":       integer(func(e *domain.Edge) int64 { return int64(e.Position) }),
		"delegationSize": optionalCount(func(e *domain.Edge) int64 { return int64(e.DelegationSize) }),
	}
}

// aggregateLeaves are the fields of the aggregate types, model.Aggregate's
// methods: each aggregate type has count and some of the others.
var aggregateLeaves = map[string]func(*model.Aggregate) any{
	"population":     func(a *model.Aggregate) any { return a.Population() },
	"populationYear": func(a *model.Aggregate) any { return a.PopulationYear() },
	"edition":        func(a *model.Aggregate) any { return a.Edition() },
	"participants":   func(a *model.Aggregate) any { return a.Participants() },
	"officials":      func(a *model.Aggregate) any { return a.Officials() },
	"delegationSize": func(a *model.Aggregate) any { return a.DelegationSize() },
	"position":       func(a *model.Aggregate) any { return a.Position() },
	"capital":        func(a *model.Aggregate) any { return a.Capital() },
	"amount":         func(a *model.Aggregate) any { return a.Amount() },
}

// aggregateField writes a field of an aggregate type, IntStats or MoneyStats.
func (r *responder) aggregateField(f *graphql.CollectedField, o obj) bool {
	if f.Name == "count" {
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), int64(o.agg.Count()), 10))
		return true
	}
	get, ok := aggregateLeaves[f.Name]
	if !ok {
		return false
	}
	switch v := get(o.agg).(type) {
	case *model.IntStats:
		return r.object("IntStats", f.Selections, obj{intStats: v})
	case []*model.MoneyStats:
		r.buf.WriteByte('[')
		for i, m := range v {
			if i > 0 {
				r.buf.WriteByte(',')
			}
			if !r.object("MoneyStats", f.Selections, obj{moneyStats: m}) {
				return false
			}
		}
		r.buf.WriteByte(']')
		return true
	}
	return false
}

func (r *responder) intStatsField(f *graphql.CollectedField, s *model.IntStats) bool {
	switch f.Name {
	case "count":
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), int64(s.Count()), 10))
	case "sum":
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), s.Sum(), 10))
	case "min", "max":
		v := s.Min()
		if f.Name == "max" {
			v = s.Max()
		}
		if v == nil {
			r.buf.WriteString("null")
		} else {
			r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), *v, 10))
		}
	case "average":
		avg := s.Average()
		if avg == nil {
			r.buf.WriteString("null")
			return true
		}
		return appendFloat(r.buf, *avg)
	default:
		return false
	}
	return true
}

func (r *responder) moneyStatsField(f *graphql.CollectedField, s *model.MoneyStats) bool {
	switch f.Name {
	case "currency":
		s.Currency().MarshalGQL(r.buf)
	case "count":
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), int64(s.Count()), 10))
	case "min":
		s.Min().MarshalGQL(r.buf)
	case "max":
		s.Max().MarshalGQL(r.buf)
	case "sum":
		s.Sum().MarshalGQL(r.buf)
	case "average":
		return appendFloat(r.buf, s.Average())
	default:
		return false
	}
	return true
}

// on reads a field of one node type from a node of that type.
func on[T domain.Node, V any](get func(T) V) func(domain.Node) V {
	return func(n domain.Node) V { return get(n.(T)) }
}

// required is a String!: model.MarshalString makes "" null, an error.
func required[S any](get func(S) string) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		v := get(s)
		if v == "" {
			return false
		}
		appendQuoted(r.buf, v)
		return true
	}
}

// optionalText is a String: "" is null (model.MarshalString).
func optionalText[S any](get func(S) string) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		appendOptional(r.buf, get(s))
		return true
	}
}

// texts is a [String!]!: an empty element is an error.
func texts[S any](get func(S) []string) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		r.buf.WriteByte('[')
		for i, v := range get(s) {
			if v == "" {
				return false
			}
			if i > 0 {
				r.buf.WriteByte(',')
			}
			appendQuoted(r.buf, v)
		}
		r.buf.WriteByte(']')
		return true
	}
}

// integer is an Int!.
func integer[S any](get func(S) int64) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), get(s), 10))
		return true
	}
}

// optionalCount is an Int the domain keeps as zero when unknown (optionalInt).
func optionalCount[S any](get func(S) int64) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		v := get(s)
		if v == 0 {
			r.buf.WriteString("null")
			return true
		}
		r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), int64(int(v)), 10))
		return true
	}
}

func boolean[S any](get func(S) bool) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		appendBool(r.buf, get(s))
		return true
	}
}

// date is a Date, written as its MarshalGQL writes it, without allocating.
func date[S any](get func(S) domain.Date) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		d := get(s)
		if d == "" {
			r.buf.WriteString("null")
			return true
		}
		r.buf.Write(strconv.AppendQuote(r.buf.AvailableBuffer(), string(d)))
		return true
	}
}

// enum is an enum whose MarshalGQL is the domain's marshalEnum (the value
// upper-cased and quoted): plain ASCII is written here without
// allocating, anything else by MarshalGQL itself.
func enum[S any, V interface {
	~string
	MarshalGQL(io.Writer)
}](get func(S) V) leaf[S] {
	return func(r *responder, _ *graphql.CollectedField, s S) bool {
		v := get(s)
		b := append(r.buf.AvailableBuffer(), '"')
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				v.MarshalGQL(r.buf)
				return true
			}
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
		}
		r.buf.Write(append(b, '"'))
		return true
	}
}

func geoPoint[S any](get func(S) *domain.GeoPoint) leaf[S] {
	return func(r *responder, f *graphql.CollectedField, s S) bool {
		p := get(s)
		if p == nil {
			r.buf.WriteString("null")
			return true
		}
		return r.object("GeoPoint", f.Selections, obj{point: p})
	}
}

func money[S any](get func(S) *domain.Money) leaf[S] {
	return func(r *responder, f *graphql.CollectedField, s S) bool {
		m := get(s)
		if m == nil {
			r.buf.WriteString("null")
			return true
		}
		return r.object("Money", f.Selections, obj{money: m})
	}
}

// appendOptional writes a nullable String as model.MarshalString does.
func appendOptional(b *bytes.Buffer, s string) {
	if s == "" {
		b.WriteString("null")
		return
	}
	appendQuoted(b, s)
}

func appendBool(b *bytes.Buffer, v bool) {
	if v {
		b.WriteString("true")
	} else {
		b.WriteString("false")
	}
}

// appendFloat writes a Float as graphql.MarshalFloatContext does; an
// infinity or NaN is an error there.
func appendFloat(b *bytes.Buffer, f float64) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return false
	}
	fmt.Fprintf(b, "%g", f)
	return true
}

// appendQuoted writes s as a JSON string exactly as gqlgen's
// writeQuotedString (graphql.MarshalString) does: only control
// characters, '"' and '\\' are escaped, everything else is copied.
func appendQuoted(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	appendEscaped(b, s)
	b.WriteByte('"')
}

const hexDigits = "0123456789ABCDEF"

func appendEscaped(b *bytes.Buffer, s string) {
	start := 0
	// Byte by byte: every byte of a multi-byte character is copied as it is.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
}
