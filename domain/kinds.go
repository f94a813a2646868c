package domain

import (
	"fmt"
	"slices"
)

// Kind is the kind of a node (a thing) in the graph. The value is the
// GraphQL type name and the Neo4j label.
type Kind string

const (
	KindCountry      Kind = "Country"
	KindGrouping     Kind = "Grouping"
	KindCity         Kind = "City"
	KindOrganization Kind = "Organization"
	KindFundingBody  Kind = "FundingBody"
	KindForumSeries  Kind = "ForumSeries"
	KindForum        Kind = "Forum"
	KindEvent        Kind = "Event"
	KindTopic        Kind = "Topic"
	KindAgreement    Kind = "Agreement"
	KindInitiative   Kind = "Initiative"
	KindProject      Kind = "Project"
	KindSource       Kind = "Source"
)

// Kinds lists every node kind in a stable order (the order reports use).
var Kinds = []Kind{
	KindSource, KindGrouping, KindCountry, KindCity, KindOrganization, KindFundingBody,
	KindEvent, KindForumSeries, KindForum, KindTopic, KindAgreement, KindInitiative, KindProject,
}

// Valid reports whether k is a known node kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// ParseKind returns the Kind named s or an EINVALID error listing the kinds.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if !k.Valid() {
		return "", Errorf(EINVALID, "unknown node kind %q; expected one of %v", s, Kinds)
	}
	return k, nil
}

// EdgeKind is the kind of a relation. The value is the Neo4j relationship type.
type EdgeKind string

const (
	// City → Country.
	EdgeInCountry EdgeKind = "IN_COUNTRY"
	// Country → Grouping (ASEAN, BRICS) or FundingBody, with Since.
	EdgeMemberOf EdgeKind = "MEMBER_OF"
	// Organization → City (its seat).
	EdgeSeatedIn EdgeKind = "SEATED_IN"
	// FundingBody → City (its headquarters).
	EdgeHeadquarteredIn EdgeKind = "HEADQUARTERED_IN"
	// Organization → Forum, with Role.
	EdgeOrganised EdgeKind = "ORGANISED"
	// City or Organization → Forum, with DelegationSize and Level.
	EdgeAttended EdgeKind = "ATTENDED"
	// Forum → ForumSeries.
	EdgeEditionOf EdgeKind = "EDITION_OF"
	// Forum or Event → City.
	EdgeHeldIn EdgeKind = "HELD_IN"
	// Forum → Event (the larger event it sits in).
	EdgePartOf EdgeKind = "PART_OF"
	// Forum → Topic, with Order.
	EdgeDiscussed EdgeKind = "DISCUSSED"
	// Forum → Agreement.
	EdgeAdopted EdgeKind = "ADOPTED"
	// City → Agreement, with Since (the signature date).
	EdgeSigned EdgeKind = "SIGNED"
	// City — City, undirected, with PartnershipKind, Status, Since, Through.
	EdgePartnerOf EdgeKind = "PARTNER_OF"
	// Forum → FundingBody, with Request.
	EdgeCalledOn EdgeKind = "CALLED_ON"
	// FundingBody → Project, with Amount, Instrument and Since (approval date).
	EdgeFinanced EdgeKind = "FINANCED"
	// Project → City or Country.
	EdgeLocatedIn EdgeKind = "LOCATED_IN"
	// Any node → Initiative.
	EdgeRefersTo EdgeKind = "REFERS_TO"
)

// EdgeRule says which node kinds an edge kind connects.
type EdgeRule struct {
	From []Kind
	To   []Kind
	// Undirected edges are stored once with From < To (see Edge.Normalize)
	// and read from either end.
	Undirected bool
}

// EdgeRules is the schema of the graph's relations. Stores and the seed
// loader reject an edge whose ends do not fit its rule.
var EdgeRules = map[EdgeKind]EdgeRule{
	EdgeInCountry:       {From: []Kind{KindCity}, To: []Kind{KindCountry}},
	EdgeMemberOf:        {From: []Kind{KindCountry}, To: []Kind{KindGrouping, KindFundingBody}},
	EdgeSeatedIn:        {From: []Kind{KindOrganization}, To: []Kind{KindCity}},
	EdgeHeadquarteredIn: {From: []Kind{KindFundingBody}, To: []Kind{KindCity}},
	EdgeOrganised:       {From: []Kind{KindOrganization}, To: []Kind{KindForum}},
	EdgeAttended:        {From: []Kind{KindCity, KindOrganization}, To: []Kind{KindForum}},
	EdgeEditionOf:       {From: []Kind{KindForum}, To: []Kind{KindForumSeries}},
	EdgeHeldIn:          {From: []Kind{KindForum, KindEvent}, To: []Kind{KindCity}},
	EdgePartOf:          {From: []Kind{KindForum}, To: []Kind{KindEvent}},
	EdgeDiscussed:       {From: []Kind{KindForum}, To: []Kind{KindTopic}},
	EdgeAdopted:         {From: []Kind{KindForum}, To: []Kind{KindAgreement}},
	EdgeSigned:          {From: []Kind{KindCity}, To: []Kind{KindAgreement}},
	EdgePartnerOf:       {From: []Kind{KindCity}, To: []Kind{KindCity}, Undirected: true},
	EdgeCalledOn:        {From: []Kind{KindForum}, To: []Kind{KindFundingBody}},
	EdgeFinanced:        {From: []Kind{KindFundingBody}, To: []Kind{KindProject}},
	EdgeLocatedIn:       {From: []Kind{KindProject}, To: []Kind{KindCity, KindCountry}},
	EdgeRefersTo: {From: []Kind{KindCountry, KindCity, KindOrganization, KindFundingBody, KindForumSeries,
		KindForum, KindEvent, KindTopic, KindAgreement, KindProject, KindInitiative}, To: []Kind{KindInitiative}},
}

// EdgeKinds lists every edge kind in a stable order.
var EdgeKinds = []EdgeKind{
	EdgeInCountry, EdgeMemberOf, EdgeSeatedIn, EdgeHeadquarteredIn, EdgeOrganised, EdgeAttended,
	EdgeEditionOf, EdgeHeldIn, EdgePartOf, EdgeDiscussed, EdgeAdopted, EdgeSigned, EdgePartnerOf,
	EdgeCalledOn, EdgeFinanced, EdgeLocatedIn, EdgeRefersTo,
}

// ParseEdgeKind returns the EdgeKind named s or an EINVALID error.
func ParseEdgeKind(s string) (EdgeKind, error) {
	k := EdgeKind(s)
	if _, ok := EdgeRules[k]; !ok {
		return "", Errorf(EINVALID, "unknown relation kind %q; expected one of %v", s, EdgeKinds)
	}
	return k, nil
}

// Check reports whether an edge of kind k may connect from to to.
func (k EdgeKind) Check(from, to Kind) error {
	r, ok := EdgeRules[k]
	if !ok {
		return Errorf(EINVALID, "unknown relation kind %q", k)
	}
	if !slices.Contains(r.From, from) || !slices.Contains(r.To, to) {
		return &Error{Code: EINVALID, Message: fmt.Sprintf(
			"relation %s cannot link %s to %s; it links %v to %v", k, from, to, r.From, r.To)}
	}
	return nil
}
