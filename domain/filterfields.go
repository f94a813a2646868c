package domain

import (
	"slices"
	"strings"
)

// FieldType is the type of a property a filter compares; it decides the
// operators a filter may apply and the Go type of their values (string,
// int64 or bool).
type FieldType string

const (
	// FieldString is text: eq, in, not, contains, startsWith, isNull.
	FieldString FieldType = "String"
	// FieldEnum is one of a fixed set of values (FilterField.Enum): eq, in, not, isNull.
	FieldEnum FieldType = "Enum"
	// FieldInt is a whole number: eq, in, not, lt, lte, gt, gte, isNull.
	FieldInt FieldType = "Int"
	// FieldDecimal is an amount in hundredths (Decimal), compared as FieldInt.
	FieldDecimal FieldType = "Decimal"
	// FieldDate is a Date, compared as text (dates order as strings), as FieldInt.
	FieldDate FieldType = "Date"
	// FieldBool is true or false (never unknown): eq.
	FieldBool FieldType = "Boolean"
)

// FilterField is one property a filter may compare. A property that is
// unknown (the zero value: no Chinese name, population 0, no amount) matches
// no operator but isNull, on every store; Always marks the properties every
// node has (its slug and name), which are never null.
type FilterField struct {
	// Name is the field's name in a filter and in GraphQL.
	Name string
	// Prop is the stored property's name (Neo4j), Name when empty.
	Prop string
	Type FieldType
	// Enum lists the allowed values of a FieldEnum; EnumType names its GraphQL type.
	Enum     []string
	EnumType string
	Always   bool
	Doc      string
	// value reads the property from a node or relation; ok is false when unknown.
	node func(Node) (v any, ok bool)
	edge func(*Edge) (v any, ok bool)
}

// Property is the stored name of the field.
func (f *FilterField) Property() string {
	if f.Prop != "" {
		return f.Prop
	}
	return f.Name
}

// Ops lists the operators the field's type allows, in the order GraphQL shows them.
func (t FieldType) Ops() []FilterOp {
	switch t {
	case FieldString:
		return []FilterOp{OpEq, OpIn, OpNot, OpContains, OpStartsWith, OpIsNull}
	case FieldEnum:
		return []FilterOp{OpEq, OpIn, OpNot, OpIsNull}
	case FieldBool:
		return []FilterOp{OpEq}
	}
	return []FilterOp{OpEq, OpIn, OpNot, OpLt, OpLte, OpGt, OpGte, OpIsNull}
}

// FilterRelation is a relation a node filter may quantify over (some,
// none, all): its name in a filter (the GraphQL relation field's name),
// the relation kind and direction it follows from the node, and the scope
// of its filter (the relation's properties and its far end as node).
type FilterRelation struct {
	Name      string
	Kind      EdgeKind
	Direction Direction
	Doc       string
}

// Scope is what a filter may name at one place: a node kind's fields and
// relations, or a relation's fields and its far end (Node).
type Scope struct {
	// Name is the scope's GraphQL input type (CityWhere, PartnershipWhere).
	Name      string
	Doc       string
	Fields    []FilterField
	Relations []FilterRelation
	// Edge is set for a relation's scope: the relation kind, the
	// direction it is followed in, and the far end's kinds (node may name
	// them, with the fields they share when there are several).
	Edge      EdgeKind
	Direction Direction
	Far       []Kind
}

// Field returns the scope's field of that name.
func (s *Scope) Field(name string) *FilterField {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// Relation returns the scope's relation of that name.
func (s *Scope) Relation(name string) *FilterRelation {
	for i := range s.Relations {
		if s.Relations[i].Name == name {
			return &s.Relations[i]
		}
	}
	return nil
}

// NodeScope is the scope of a filter on nodes of one kind, nil for an unknown kind.
func NodeScope(k Kind) *Scope { return nodeScopes[k] }

// NodesScope is the scope of a filter on a node of any of kinds: the kind's
// own scope for one kind, else the fields every node has (EntityWhere).
func NodesScope(kinds []Kind) *Scope {
	if len(kinds) == 1 {
		return nodeScopes[kinds[0]]
	}
	return entityScope
}

// EdgeScope is the scope of a filter on relations of kind k followed in
// direction d (Both for an undirected kind), nil when none is defined.
func EdgeScope(k EdgeKind, d Direction) *Scope {
	if EdgeRules[k].Undirected {
		d = Both
	}
	return edgeScopes[edgeScopeKey{k, d}]
}

// Scopes lists every scope: the node kinds' in Kinds order, EntityWhere,
// then the relations' in EdgeKinds order (out before in).
func Scopes() []*Scope {
	var out []*Scope
	for _, k := range Kinds {
		out = append(out, nodeScopes[k])
	}
	out = append(out, entityScope)
	for _, k := range EdgeKinds {
		for _, d := range []Direction{Both, Out, In} {
			if s := edgeScopes[edgeScopeKey{k, d}]; s != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

type edgeScopeKey struct {
	kind EdgeKind
	dir  Direction
}

// filterField is f as a where filter's field, read from a node (edge
// false) or a relation.
func filterField(f *fieldDef, doc string, edge bool) FilterField {
	v := f.value
	out := FilterField{Name: f.name, Type: v.typ, Enum: v.enum, EnumType: v.enumType, Always: v.always, Doc: doc}
	if f.prop != "" && f.prop != f.name {
		out.Prop = f.prop
	}
	get := v.get
	if edge {
		out.edge = func(e *Edge) (any, bool) { return get(e) }
	} else {
		out.node = func(n Node) (any, bool) { return get(n) }
	}
	return out
}

// nodeFilterFields are the filter fields of defs, in their order.
func nodeFilterFields(defs []fieldDef) []FilterField {
	var out []FilterField
	for i := range defs {
		if defs[i].filter != "" {
			out = append(out, filterField(&defs[i], defs[i].filter, false))
		}
	}
	return out
}

var entityScope = &Scope{Name: "EntityWhere", Doc: "A filter on a node of any kind: the fields every node has.", Fields: nodeFilterFields(metaFieldDefs)}

var nodeScopes = func() map[Kind]*Scope {
	rel := func(name string, k EdgeKind, d Direction, doc string) FilterRelation {
		return FilterRelation{Name: name, Kind: k, Direction: d, Doc: doc}
	}
	// The relations bear the names of the GraphQL fields that read them.
	rels := map[Kind][]FilterRelation{
		KindCountry: {
			rel("memberships", EdgeMemberOf, Out, "The groupings and funding bodies it is a member of."),
			rel("cities", EdgeInCountry, In, "Its cities."),
		},
		KindGrouping: {rel("members", EdgeMemberOf, In, "Its member countries.")},
		KindCity: {
			rel("country", EdgeInCountry, Out, "Its country."),
			rel("partners", EdgePartnerOf, Both, "Its partnerships with other cities."),
			rel("forumsAttended", EdgeAttended, Out, "The forums it attended."),
			rel("agreementsSigned", EdgeSigned, Out, "The agreements it signed."),
			rel("organizations", EdgeSeatedIn, In, "The organisations seated in it."),
			rel("projects", EdgeLocatedIn, In, "The projects located in it."),
		},
		KindOrganization: {
			rel("seat", EdgeSeatedIn, Out, "The city it is seated in."),
			rel("forumsOrganised", EdgeOrganised, Out, "The forums it organised."),
			rel("forumsAttended", EdgeAttended, Out, "The forums it attended."),
		},
		KindFundingBody: {
			rel("headquarters", EdgeHeadquarteredIn, Out, "The city of its headquarters."),
			rel("members", EdgeMemberOf, In, "Its member countries."),
			rel("financings", EdgeFinanced, Out, "The projects it finances."),
			rel("calledOnBy", EdgeCalledOn, In, "The forums that called on it."),
		},
		KindForumSeries: {rel("editions", EdgeEditionOf, In, "Its editions.")},
		KindEvent:       {rel("heldIn", EdgeHeldIn, Out, "The city it was held in.")},
		KindForum: {
			rel("series", EdgeEditionOf, Out, "The series it is an edition of."),
			rel("hostCity", EdgeHeldIn, Out, "The city it was held in."),
			rel("partOf", EdgePartOf, Out, "The larger event it sat in."),
			rel("organisers", EdgeOrganised, In, "Its organisers."),
			rel("attendees", EdgeAttended, In, "The cities and organisations that attended."),
			rel("topics", EdgeDiscussed, Out, "Its agenda items."),
			rel("agreements", EdgeAdopted, Out, "The agreements it adopted."),
			rel("calledOn", EdgeCalledOn, Out, "The funding bodies it called on."),
			rel("initiatives", EdgeRefersTo, Out, "The initiatives it refers to."),
		},
		KindAgreement: {
			rel("adoptedBy", EdgeAdopted, In, "The forums that adopted it."),
			rel("signatories", EdgeSigned, In, "The cities that signed it."),
		},
		KindProject: {
			rel("locations", EdgeLocatedIn, Out, "The cities and countries it is located in."),
			rel("financings", EdgeFinanced, In, "The funding bodies that finance it."),
		},
	}
	out := map[Kind]*Scope{}
	for _, k := range Kinds {
		out[k] = &Scope{Name: string(k) + "Where", Doc: "A filter on " + string(k) + " nodes.",
			Fields: append(nodeFilterFields(metaFieldDefs), nodeFilterFields(nodeFieldDefs[k])...), Relations: rels[k]}
	}
	return out
}()

// edgeFields are the properties of each relation kind a filter may compare.
var edgeFields = func() map[EdgeKind][]FilterField {
	m := map[EdgeKind][]FilterField{}
	for i := range edgeFieldDefs {
		for k, doc := range edgeFieldDefs[i].edgeFilters {
			m[k] = append(m[k], filterField(&edgeFieldDefs[i], doc, true))
		}
	}
	return m
}()

// edgeScopeNames names each relation scope as the GraphQL edge type that
// shows it (PartnershipEdge → PartnershipWhere), or the far end's link.
var edgeScopeNames = map[edgeScopeKey]string{
	{EdgePartnerOf, Both}:      "Partnership",
	{EdgeInCountry, Out}:       "CountryLink",
	{EdgeInCountry, In}:        "CityLink",
	{EdgeMemberOf, Out}:        "Membership",
	{EdgeMemberOf, In}:         "Member",
	{EdgeSeatedIn, Out}:        "SeatLink",
	{EdgeSeatedIn, In}:         "SeatedOrganizationLink",
	{EdgeHeadquarteredIn, Out}: "HeadquartersLink",
	{EdgeOrganised, Out}:       "OrganisedForum",
	{EdgeOrganised, In}:        "Organiser",
	{EdgeAttended, Out}:        "AttendedForum",
	{EdgeAttended, In}:         "Attendee",
	{EdgeEditionOf, Out}:       "SeriesLink",
	{EdgeEditionOf, In}:        "EditionLink",
	{EdgeHeldIn, Out}:          "HostCityLink",
	{EdgePartOf, Out}:          "EventLink",
	{EdgeDiscussed, Out}:       "AgendaItem",
	{EdgeAdopted, Out}:         "AdoptedAgreementLink",
	{EdgeAdopted, In}:          "AdoptingForumLink",
	{EdgeSigned, Out}:          "SignedAgreement",
	{EdgeSigned, In}:           "Signatory",
	{EdgeCalledOn, Out}:        "Appeal",
	{EdgeCalledOn, In}:         "AppealingForum",
	{EdgeFinanced, Out}:        "Financing",
	{EdgeFinanced, In}:         "Financier",
	{EdgeLocatedIn, Out}:       "LocationLink",
	{EdgeLocatedIn, In}:        "LocatedProjectLink",
	{EdgeRefersTo, Out}:        "InitiativeLink",
}

var edgeScopes = func() map[edgeScopeKey]*Scope {
	out := map[edgeScopeKey]*Scope{}
	for key, name := range edgeScopeNames {
		r := EdgeRules[key.kind]
		far := r.To
		switch key.dir {
		case In:
			far = r.From
		case Both:
			far = append(append([]Kind{}, r.From...), r.To...)
		}
		far = uniqueKinds(far)
		out[key] = &Scope{Name: name + "Where", Fields: edgeFields[key.kind], Edge: key.kind, Direction: key.dir, Far: far,
			Doc: "A filter on " + string(key.kind) + " relations (" + strings.ToLower(string(key.dir)) + "): their properties and, with node, their far end."}
	}
	return out
}()

// uniqueKinds is ks without repeats, in their first order.
func uniqueKinds(ks []Kind) []Kind {
	var out []Kind
	for _, k := range ks {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
