// Package mutation is the one table of citygraph's mutations: for every
// node kind create, update and delete, and for every relation add, update,
// end (where it has a life span) and delete. From the table, graph/gen
// writes schema/mutation.graphqls (SDL) and the GraphQL layer reads each
// mutation's input into a domain.Write (Build), so a rule is written once
// for every kind.
package mutation

import (
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Relation is a relation kind as the mutations name it.
type Relation struct {
	// Name is the relation's name in mutation field and type names
	// (addPartnership, PartnershipPayload).
	Name string
	Kind domain.EdgeKind
	// What is the relation in words, for descriptions.
	What string
	// From and To say what each end is, for the input's descriptions.
	From, To string
	// Fields are the relation's own properties a write may set, by their
	// names on the Relation type.
	Fields []string
	// LifeSpan relations can be ended with a date (endPartnership): they
	// keep their history, and asOf queries see them until that date.
	LifeSpan bool
}

// Relations lists every relation kind a mutation may write.
var Relations = []Relation{
	{Name: "Partnership", Kind: domain.EdgePartnerOf, What: "a partnership between two cities (姐妹城市 / 友好城市)",
		From: "one city", To: "the other city", Fields: []string{"partnershipKind", "status", "since", "through", "note"}, LifeSpan: true},
	{Name: "Membership", Kind: domain.EdgeMemberOf, What: "a country's membership of a grouping or funding body",
		From: "the member country", To: "the grouping or funding body", Fields: []string{"since", "note"}, LifeSpan: true},
	{Name: "Financing", Kind: domain.EdgeFinanced, What: "a funding body's financing of a project",
		From: "the funding body", To: "the project", Fields: []string{"amount", "instrument", "since", "note"}, LifeSpan: true},
	{Name: "Attendance", Kind: domain.EdgeAttended, What: "a city's or organisation's attendance at a forum edition",
		From: "the city or organisation that attended", To: "the forum edition", Fields: []string{"delegationSize", "level", "note"}},
	{Name: "Signature", Kind: domain.EdgeSigned, What: "a city's signature of an agreement",
		From: "the city that signed", To: "the agreement", Fields: []string{"since", "note"}},
	{Name: "OrganiserRole", Kind: domain.EdgeOrganised, What: "an organisation's part in organising a forum edition",
		From: "the organisation", To: "the forum edition", Fields: []string{"role", "note"}},
	{Name: "Appeal", Kind: domain.EdgeCalledOn, What: "a forum edition's appeal to a funding body",
		From: "the forum edition that made the appeal", To: "the funding body called on", Fields: []string{"request", "requestZh", "note"}},
	{Name: "Location", Kind: domain.EdgeLocatedIn, What: "where a project is located",
		From: "the project", To: "the city or country it is located in", Fields: []string{"note"}},
	{Name: "CityCountry", Kind: domain.EdgeInCountry, What: "the country a city is in",
		From: "the city", To: "its country", Fields: []string{"note"}},
	{Name: "Seat", Kind: domain.EdgeSeatedIn, What: "the city an organisation sits in",
		From: "the organisation", To: "the city of its seat", Fields: []string{"note"}},
	{Name: "Headquarters", Kind: domain.EdgeHeadquarteredIn, What: "the city of a funding body's headquarters",
		From: "the funding body", To: "the city of its headquarters", Fields: []string{"note"}},
	{Name: "Edition", Kind: domain.EdgeEditionOf, What: "a forum edition's place in its series",
		From: "the forum edition", To: "the forum series", Fields: []string{"note"}},
	{Name: "Venue", Kind: domain.EdgeHeldIn, What: "the city a forum edition or event was held in",
		From: "the forum edition or event", To: "the city", Fields: []string{"note"}},
	{Name: "ForumEvent", Kind: domain.EdgePartOf, What: "the larger event a forum edition sat in",
		From: "the forum edition", To: "the event", Fields: []string{"note"}},
	{Name: "AgendaItem", Kind: domain.EdgeDiscussed, What: "a topic on a forum edition's agenda",
		From: "the forum edition", To: "the topic", Fields: []string{"position", "note"}},
	{Name: "Adoption", Kind: domain.EdgeAdopted, What: "a forum edition's adoption of an agreement",
		From: "the forum edition", To: "the agreement", Fields: []string{"note"}},
	{Name: "Reference", Kind: domain.EdgeRefersTo, What: "a node's reference to an initiative",
		From: "the node that refers to it", To: "the initiative", Fields: []string{"note"}},
}

// Target is what one Mutation field writes: a node kind or a relation,
// and how.
type Target struct {
	Mode domain.WriteMode
	// Kind is set for a node mutation, Relation for a relation mutation.
	Kind     domain.Kind
	Relation *Relation
}

// The verbs of mutation field names, by mode. Nodes are created, relations
// added; the auth rule reads the same names (delete* needs admin).
var (
	nodeVerbs     = []verb{{"create", domain.Create}, {"update", domain.Update}, {"delete", domain.Delete}}
	relationVerbs = []verb{{"add", domain.Create}, {"update", domain.Update}, {"end", domain.End}, {"delete", domain.Delete}}
)

type verb struct {
	name string
	mode domain.WriteMode
}

// Parse returns the target of the Mutation field named field.
func Parse(field string) (Target, bool) {
	for _, v := range nodeVerbs {
		if k, ok := strings.CutPrefix(field, v.name); ok && domain.Kind(k).Valid() {
			return Target{Mode: v.mode, Kind: domain.Kind(k)}, true
		}
	}
	for _, v := range relationVerbs {
		name, ok := strings.CutPrefix(field, v.name)
		if !ok {
			continue
		}
		for i := range Relations {
			r := &Relations[i]
			if r.Name == name && (v.mode != domain.End || r.LifeSpan) {
				return Target{Mode: v.mode, Relation: r}, true
			}
		}
	}
	return Target{}, false
}

// lowerFirst is a type name as a field name: City → city, FundingBody → fundingBody.
func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }
