package domain

import (
	"reflect"
	"slices"
)

// fieldDef is one field of a node kind or of a relation, with a column for
// each concern that reads it: change sets and merges (fields.go),
// projections (projection.go), where filters (filterfields.go, and through
// graph/filterschema the schema's filter inputs), orders and aggregates
// (orderings.go). Each field is written once, in nodeFieldDefs or
// edgeFieldDefs; the concerns' own tables are read from these.
type fieldDef struct {
	// goName is the struct field that holds it; "" for a field computed
	// from another (a financing's currency, from its amount).
	goName string
	// name is its name in GraphQL, in where filters and in change sets.
	name string
	// prop is the stored property that holds it, which projections, orders
	// and aggregates name it by; name when empty.
	prop string
	// value is how it compares, sorts and is read; zero for a field that
	// does neither (a list, a location, a note).
	value valueDef
	// filter describes it in a node kind's where filter (schema/filter.graphqls);
	// "" where filters may not name it.
	filter string
	// edgeFilters describes a relation field in the where filter of each
	// relation kind that may name it.
	edgeFilters map[EdgeKind]string
	// sorted: lists may be ordered by it, and aggregate it if it is a number.
	sorted bool
	// amountProp and currencyProp are the stored properties of money that
	// is not stored under prop and "currency".
	amountProp, currencyProp string
	// omit lists the concerns that leave the field out.
	omit omission
}

// omission lists concerns a field is no part of.
type omission uint8

const (
	// omitFromChanges: not a change set's field, and a write does not set
	// it (a node's slug is its key; a version is counted by the store).
	omitFromChanges omission = 1 << iota
	// omitFromProjections: a Projection may not name it, so a selection
	// of it reads the node whole (a node's slug is always read).
	omitFromProjections
)

// property is the field's stored property name (see prop).
func (f *fieldDef) property() string {
	if f.prop != "" {
		return f.prop
	}
	return f.name
}

// valueDef is how a field's value compares and sorts, and how to read it
// from a node or relation: typed getters, not reflection, as filters and
// orders read them once per item on the request path.
type valueDef struct {
	typ FieldType
	// enumType names a FieldEnum's GraphQL enum; enum lists its values.
	enumType string
	enum     []string
	// always: every item has it (a slug, a name), so it is never unknown.
	always bool
	// get reads the value (a string, an int64 or a bool) from a node or a
	// *Edge; ok is false when it is unknown or x is of another type.
	get func(x any) (v any, ok bool)
	// money reads a money field whole.
	money func(x any) *Money
}

// sortType is how the value orders and aggregates: money (an amount with
// its currency) per currency, whole numbers as numbers, the rest as text.
func (v valueDef) sortType() SortType {
	switch v.typ {
	case FieldDecimal:
		return SortMoney
	case FieldInt:
		return SortInt
	}
	return SortText
}

// The value constructors: each reads one typed field of X (a node type,
// Node for the fields every node has, or *Edge).

func text[X any](f func(X) string) valueDef {
	return valueDef{typ: FieldString, get: reader(f, strOf)}
}

func requiredText[X any](f func(X) string) valueDef {
	return valueDef{typ: FieldString, always: true, get: reader(f, knownText)}
}

func enum[X any, T ~string](typ string, values []T, f func(X) T) valueDef {
	return valueDef{typ: FieldEnum, enumType: typ, enum: enumValues(values),
		get: reader(f, func(v T) (any, bool) { return strOf(string(v)) })}
}

func number[X any, I ~int | ~int64](f func(X) I) valueDef {
	return valueDef{typ: FieldInt, get: reader(f, func(n I) (any, bool) { return intOf(int64(n)) })}
}

func date[X any](f func(X) Date) valueDef {
	return valueDef{typ: FieldDate, get: reader(f, dateOf)}
}

func flag[X any](f func(X) bool) valueDef {
	return valueDef{typ: FieldBool, get: reader(f, knownFlag)}
}

// reader reads a field with f from an item of type X and converts it with
// conv; an item of another type has no such field.
func reader[X, T any](f func(X) T, conv func(T) (any, bool)) func(any) (any, bool) {
	return func(x any) (any, bool) {
		if v, ok := x.(X); ok {
			return conv(f(v))
		}
		return nil, false
	}
}

// knownText and knownFlag are values every item has, zero or not (not
// generic: boxing a type parameter's value allocates on every call).
func knownText(s string) (any, bool) { return s, true }
func knownFlag(b bool) (any, bool)   { return b, true }

// amount is a money field: it compares by its amount in hundredths.
func amount[X any](f func(X) *Money) valueDef {
	money := func(x any) *Money {
		if v, ok := x.(X); ok {
			return f(v)
		}
		return nil
	}
	return valueDef{typ: FieldDecimal, money: money, get: func(x any) (any, bool) {
		if m := money(x); m != nil {
			return int64(m.Amount), true
		}
		return nil, false
	}}
}

// currency is the currency of a money field, as text.
func currency[X any](f func(X) *Money) valueDef {
	return text(func(x X) string {
		if m := f(x); m != nil {
			return string(m.Currency)
		}
		return ""
	})
}

func strOf(s string) (any, bool) { return s, s != "" }
func intOf(n int64) (any, bool)  { return n, n != 0 }
func dateOf(d Date) (any, bool)  { return string(d), d != "" }

func enumValues[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// metaFieldDefs are the fields every node has (Meta's), in the order the
// schema's filters show them.
var metaFieldDefs = []fieldDef{
	{goName: "ID", name: "id", omit: omitFromChanges | omitFromProjections, sorted: true,
		value: requiredText(func(n Node) string { return n.Base().ID }), filter: "The slug (a country's ISO code)."},
	{goName: "Name", name: "name", sorted: true,
		value: requiredText(func(n Node) string { return n.Base().Name }), filter: "The English name."},
	{goName: "NameZh", name: "nameZh", sorted: true,
		value: text(func(n Node) string { return n.Base().NameZh }), filter: "The Chinese name (contains and startsWith take Chinese text)."},
	{goName: "Aliases", name: "aliases"},
	{goName: "Description", name: "description"},
	{goName: "Sources", name: "sources"},
	{goName: "Version", name: "version", omit: omitFromChanges},
}

// nodeFieldDefs are each node kind's own fields (Meta's are in
// metaFieldDefs), in the order the schema's filters show them; change sets
// and projections list them in the struct's order.
var nodeFieldDefs = map[Kind][]fieldDef{
	KindCountry: nil,
	KindGrouping: {
		{goName: "Acronym", name: "acronym", sorted: true,
			value: text(func(n *Grouping) string { return n.Acronym }), filter: "The acronym (ASEAN)."},
	},
	KindCity: {
		{goName: "Region", name: "region", sorted: true,
			value: text(func(n *City) string { return n.Region }), filter: "The province or region."},
		{goName: "RegionZh", name: "regionZh", sorted: true,
			value: text(func(n *City) string { return n.RegionZh }), filter: "The province or region in Chinese."},
		{goName: "Population", name: "population", sorted: true,
			value: number(func(n *City) int64 { return n.Population }), filter: "The population; null when unknown."},
		{goName: "PopulationYear", name: "populationYear", sorted: true,
			value: number(func(n *City) int { return n.PopulationYear }), filter: "The year the population was counted."},
		{goName: "IsCapital", name: "isCapital",
			value: flag(func(n *City) bool { return n.IsCapital }), filter: "Whether the city is its country's capital."},
		{goName: "Division", name: "division", sorted: true,
			value: enum("Division", Divisions, func(n *City) Division { return n.Division }), filter: "What kind of place it is."},
		{goName: "Location", name: "location"},
	},
	KindOrganization: {
		{goName: "OrgKind", name: "kind", prop: "orgKind", sorted: true,
			value: enum("OrganizationKind", OrgKinds, func(n *Organization) OrgKind { return n.OrgKind }), filter: "The kind of organisation."},
	},
	KindFundingBody: {
		{goName: "Acronym", name: "acronym", sorted: true,
			value: text(func(n *FundingBody) string { return n.Acronym }), filter: "The acronym (AIIB)."},
		{goName: "Founded", name: "founded", sorted: true,
			value: date(func(n *FundingBody) Date { return n.Founded }), filter: "When it was founded."},
		{goName: "Capital", name: "capital", sorted: true, amountProp: "capitalAmount", currencyProp: "capitalCurrency",
			value: amount(func(n *FundingBody) *Money { return n.Capital })},
		{goName: "CapitalNote", name: "capitalNote"},
	},
	KindForumSeries: nil,
	KindEvent: {
		{goName: "FirstHeld", name: "firstHeld", sorted: true,
			value: date(func(n *Event) Date { return n.FirstHeld }), filter: "When it was first held."},
	},
	KindForum: {
		{goName: "Edition", name: "edition", sorted: true,
			value: number(func(n *Forum) int { return n.Edition }), filter: "The edition's number."},
		{goName: "StartDate", name: "startDate", sorted: true,
			value: date(func(n *Forum) Date { return n.StartDate }), filter: "The first day."},
		{goName: "EndDate", name: "endDate", sorted: true,
			value: date(func(n *Forum) Date { return n.EndDate }), filter: "The last day."},
		{goName: "Theme", name: "theme", sorted: true,
			value: text(func(n *Forum) string { return n.Theme }), filter: "The theme in English."},
		{goName: "ThemeZh", name: "themeZh", sorted: true,
			value: text(func(n *Forum) string { return n.ThemeZh }), filter: "The theme in Chinese."},
		{goName: "Participants", name: "participants", sorted: true,
			value: number(func(n *Forum) int { return n.Participants }), filter: "The reported number of participants."},
		{goName: "Officials", name: "officials", sorted: true,
			value: number(func(n *Forum) int { return n.Officials }), filter: "The governors and mayors attending."},
		{goName: "AttendanceNote", name: "attendanceNote"},
	},
	KindTopic: {
		{goName: "SubThemes", name: "subThemes"},
		{goName: "SubThemesZh", name: "subThemesZh"},
	},
	KindAgreement: {
		{goName: "Date", name: "date", sorted: true,
			value: date(func(n *Agreement) Date { return n.Date }), filter: "When it was adopted."},
		{goName: "Points", name: "points"},
		{goName: "PointsZh", name: "pointsZh"},
	},
	KindInitiative: nil,
	KindProject: {
		{goName: "Sector", name: "sector", sorted: true,
			value: enum("Sector", Sectors, func(n *Project) Sector { return n.Sector }), filter: "The project's sector."},
		{goName: "Status", name: "status", sorted: true,
			value: enum("ProjectStatus", ProjectStatuses, func(n *Project) ProjectStatus { return n.Status }), filter: "The project's status."},
	},
	KindSource: {
		{goName: "Publisher", name: "publisher", sorted: true,
			value: text(func(n *Source) string { return n.Publisher }), filter: "The publisher."},
		{goName: "Author", name: "author", sorted: true,
			value: text(func(n *Source) string { return n.Author }), filter: "The author."},
		{goName: "Date", name: "date", sorted: true,
			value: date(func(n *Source) Date { return n.Date }), filter: "When it was published."},
		// Not projected: a source stored before URLs were a list holds them
		// in an old url property, which only a whole read looks at.
		{goName: "URLs", name: "urls", omit: omitFromProjections},
		{goName: "File", name: "file"},
	},
}

// edgeFieldDefs are a relation's fields (every relation kind has the same
// struct; edgeFilters says which kinds filter on each), in the order the
// schema's filters show them. A relation's kind and ends are its key, not
// fields.
var edgeFieldDefs = []fieldDef{
	{goName: "PartnershipKind", name: "kind", prop: "partnershipKind", sorted: true,
		value:       enum("PartnershipKind", PartnershipKinds, func(e *Edge) PartnershipKind { return e.PartnershipKind }),
		edgeFilters: map[EdgeKind]string{EdgePartnerOf: "The kind of partnership."}},
	{goName: "Status", name: "status", sorted: true,
		value:       enum("PartnershipStatus", PartnershipStatuses, func(e *Edge) PartnershipStatus { return e.Status }),
		edgeFilters: map[EdgeKind]string{EdgePartnerOf: "Whether it is established or pending."}},
	{goName: "Role", name: "role", sorted: true,
		value:       enum("Role", Roles, func(e *Edge) Role { return e.Role }),
		edgeFilters: map[EdgeKind]string{EdgeOrganised: "The organiser's part."}},
	{goName: "DelegationSize", name: "delegationSize", sorted: true,
		value:       number(func(e *Edge) int { return e.DelegationSize }),
		edgeFilters: map[EdgeKind]string{EdgeAttended: "How many people the delegation had."}},
	{goName: "Level", name: "level", sorted: true,
		value:       text(func(e *Edge) string { return e.Level }),
		edgeFilters: map[EdgeKind]string{EdgeAttended: "The delegation's level."}},
	{goName: "Position", name: "position", sorted: true,
		value:       number(func(e *Edge) int { return e.Position }),
		edgeFilters: map[EdgeKind]string{EdgeDiscussed: "The agenda position, from 1."}},
	{goName: "Request", name: "request",
		value:       text(func(e *Edge) string { return e.Request }),
		edgeFilters: map[EdgeKind]string{EdgeCalledOn: "What the forum asked, in English."}},
	{goName: "RequestZh", name: "requestZh",
		value:       text(func(e *Edge) string { return e.RequestZh }),
		edgeFilters: map[EdgeKind]string{EdgeCalledOn: "What the forum asked, in Chinese."}},
	{goName: "Amount", name: "amount", sorted: true, currencyProp: "currency",
		value:       amount(func(e *Edge) *Money { return e.Amount }),
		edgeFilters: map[EdgeKind]string{EdgeFinanced: "The financier's share (compared within one currency: add currency)."}},
	{name: "currency", sorted: true,
		value:       currency(func(e *Edge) *Money { return e.Amount }),
		edgeFilters: map[EdgeKind]string{EdgeFinanced: "The amount's ISO 4217 currency."}},
	{goName: "Instrument", name: "instrument", sorted: true,
		value:       text(func(e *Edge) string { return e.Instrument }),
		edgeFilters: map[EdgeKind]string{EdgeFinanced: "The instrument (loan, equity)."}},
	{goName: "Since", name: "since", sorted: true,
		value: date(func(e *Edge) Date { return e.Since }),
		edgeFilters: map[EdgeKind]string{
			EdgePartnerOf: "When it began.",
			EdgeMemberOf:  "When the country joined.",
			EdgeSigned:    "When it was signed.",
			EdgeFinanced:  "When it was approved.",
		}},
	{goName: "Through", name: "through"},
	{goName: "Note", name: "note"},
	{goName: "Sources", name: "sources"},
	{goName: "Until", name: "until"},
	{goName: "Version", name: "version", omit: omitFromChanges},
}

// structField is a field def with where its struct holds it.
type structField struct {
	*fieldDef
	index []int
}

// Each kind's and the relation's struct fields, in the struct's order (Meta's
// first): the order change sets, clear lists and projections list them in.
var (
	nodeStructFields = func() map[Kind][]structField {
		m := map[Kind][]structField{}
		for _, k := range Kinds {
			m[k] = structFields(reflect.TypeOf(NewNode(k, "")).Elem(), append(slices.Clone(metaFieldDefs), nodeFieldDefs[k]...))
		}
		return m
	}()
	edgeStructFields = structFields(reflect.TypeOf(Edge{}), edgeFieldDefs)
)

// structFields lists the defs of t's fields that are fields of struct t,
// in t's order. A struct field with no def is in no concern's table (the
// table test lists each).
func structFields(t reflect.Type, defs []fieldDef) []structField {
	var out []structField
	for i := range defs {
		if defs[i].goName == "" {
			continue
		}
		if sf, ok := t.FieldByName(defs[i].goName); ok {
			out = append(out, structField{fieldDef: &defs[i], index: sf.Index})
		}
	}
	slices.SortFunc(out, func(a, b structField) int { return slices.Compare(a.index, b.index) })
	return out
}

// Each kind's, Meta's and the relation's field defs by stored name (see
// fieldDef.prop), as orders and aggregates name them.
var (
	nodeFieldsByProp = func() map[kindField]*fieldDef {
		m := map[kindField]*fieldDef{}
		for _, k := range Kinds {
			for name, f := range byProp(metaFieldDefs, nodeFieldDefs[k]) {
				m[kindField{k, name}] = f
			}
		}
		return m
	}()
	metaFieldsByProp = byProp(metaFieldDefs)
	edgeFieldsByProp = byProp(edgeFieldDefs)
)

type kindField struct {
	kind Kind
	prop string
}

// sortedNodeFields are the fields lists may be ordered by, by node struct
// type: NodeValue reads one per item and key, and a type hashes faster
// than names do.
var sortedNodeFields = func() map[reflect.Type][]*fieldDef {
	m := map[reflect.Type][]*fieldDef{}
	for _, k := range Kinds {
		t := reflect.TypeOf(NewNode(k, ""))
		for _, defs := range [][]fieldDef{metaFieldDefs, nodeFieldDefs[k]} {
			for i := range defs {
				if defs[i].sorted {
					m[t] = append(m[t], &defs[i])
				}
			}
		}
	}
	return m
}()

// sortedNodeField returns n's field that lists may be ordered by of the
// given stored name.
func sortedNodeField(n Node, prop string) (*fieldDef, bool) {
	for _, f := range sortedNodeFields[reflect.TypeOf(n)] {
		if f.property() == prop {
			return f, true
		}
	}
	return nil, false
}

func byProp(tables ...[]fieldDef) map[string]*fieldDef {
	m := map[string]*fieldDef{}
	for _, defs := range tables {
		for i := range defs {
			m[defs[i].property()] = &defs[i]
		}
	}
	return m
}

// withoutOmitted returns the fields of fs that concern o does not omit.
func withoutOmitted(fs []structField, o omission) []structField {
	var out []structField
	for _, f := range fs {
		if f.omit&o == 0 {
			out = append(out, f)
		}
	}
	return out
}
