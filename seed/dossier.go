package seed

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/citygraph/citygraph/domain"
)

// The record types below mirror schema/dossier.schema.json field for
// field; the schema (additionalProperties: false) is what rejects unknown
// fields, so a field added here must be added there too (the project-data
// and worked-example tests fail otherwise). They are exported with JSON
// tags as well, so that package export writes dossiers with the same
// types the loader reads (a dossier may be JSON).

type dossier struct {
	Sources       []SourceRecord       `yaml:"sources"`
	Groupings     []GroupingRecord     `yaml:"groupings"`
	Countries     []NodeRecord         `yaml:"countries"`
	Cities        []CityRecord         `yaml:"cities"`
	Organizations []OrganizationRecord `yaml:"organizations"`
	FundingBodies []FundingBodyRecord  `yaml:"fundingBodies"`
	Memberships   []MembershipRecord   `yaml:"memberships"`
	Events        []EventRecord        `yaml:"events"`
	Series        []NodeRecord         `yaml:"series"`
	Initiatives   []NodeRecord         `yaml:"initiatives"`
	Forum         *ForumRecord         `yaml:"forum"`
	Forums        []ForumRecord        `yaml:"forums"`
	Projects      []ProjectRecord      `yaml:"projects"`
	Financings    []FinancingRecord    `yaml:"financings"`
	Partnerships  []PartnershipRecord  `yaml:"partnerships"`
}

// Text keeps a scalar exactly as written, so that 2015, 2015-09-19 and
// 207600000 reach ParseDate and ParseDecimal without a detour via floats or
// timestamps.
type Text string

func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a single value", n.Line)
	}
	*t = Text(n.Value)
	return nil
}

// Ref names another node by slug, either bare or with the relation's own
// sources and note: `seat: beijing` or `seat: {id: beijing, sources: [x]}`.
type Ref struct {
	ID      string   `yaml:"id" json:"id"`
	Sources []string `yaml:"sources" json:"sources,omitempty"`
	Note    string   `yaml:"note" json:"note,omitempty"`
}

func (r *Ref) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.ID = n.Value
		return nil
	}
	type plain Ref
	return n.Decode((*plain)(r))
}

// MetaRecord holds the fields every node's record has.
type MetaRecord struct {
	ID          string   `yaml:"id" json:"id"`
	Name        string   `yaml:"name" json:"name,omitempty"`
	NameZh      string   `yaml:"nameZh" json:"nameZh,omitempty"`
	Aliases     []string `yaml:"aliases" json:"aliases,omitempty"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Sources     []string `yaml:"sources" json:"sources,omitempty"`
	RefersTo    []Ref    `yaml:"refersTo" json:"refersTo,omitempty"`
	// Clear names the fields to empty in the stored node (a load merges:
	// a field the record leaves out keeps its stored value).
	Clear []string `yaml:"clear" json:"clear,omitempty"`
}

func (m MetaRecord) domain() domain.Meta {
	return domain.Meta{ID: m.ID, Name: m.Name, NameZh: m.NameZh, Aliases: m.Aliases, Description: m.Description, Sources: m.Sources}
}

// NodeRecord is a country's, a forum series' or an initiative's record.
type NodeRecord struct {
	MetaRecord `yaml:",inline"`
}

// SourceRecord is a source (sources); its title is the node's name.
type SourceRecord struct {
	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	TitleZh   string `yaml:"titleZh" json:"titleZh,omitempty"`
	Publisher string `yaml:"publisher" json:"publisher,omitempty"`
	Author    string `yaml:"author" json:"author,omitempty"`
	Date      Text   `yaml:"date" json:"date,omitempty"`
	// URL is one address, or several joined by " ; " (the older form);
	// URLs are several, as a list.
	URL         string   `yaml:"url" json:"url,omitempty"`
	URLs        []string `yaml:"urls" json:"urls,omitempty"`
	File        string   `yaml:"file" json:"file,omitempty"`
	Description string   `yaml:"description" json:"description,omitempty"`
}

// GroupingRecord is a grouping of countries (groupings).
type GroupingRecord struct {
	MetaRecord `yaml:",inline"`
	Acronym    string `yaml:"acronym" json:"acronym,omitempty"`
}

// CityRecord is a city with its country (cities).
type CityRecord struct {
	MetaRecord     `yaml:",inline"`
	Country        *Ref     `yaml:"country" json:"country,omitempty"`
	Division       string   `yaml:"division" json:"division,omitempty"`
	Region         string   `yaml:"region" json:"region,omitempty"`
	RegionZh       string   `yaml:"regionZh" json:"regionZh,omitempty"`
	Lat            *float64 `yaml:"lat" json:"lat,omitempty"`
	Lon            *float64 `yaml:"lon" json:"lon,omitempty"`
	Population     int64    `yaml:"population" json:"population,omitempty"`
	PopulationYear int      `yaml:"populationYear" json:"populationYear,omitempty"`
	Capital        bool     `yaml:"capital" json:"capital,omitempty"`
}

// OrganizationRecord is an organisation with its seat (organizations).
type OrganizationRecord struct {
	MetaRecord `yaml:",inline"`
	Kind       string `yaml:"kind" json:"kind,omitempty"`
	Seat       *Ref   `yaml:"seat" json:"seat,omitempty"`
}

// MoneyRecord is an amount in a currency, the amount as written.
type MoneyRecord struct {
	Amount   Text   `yaml:"amount" json:"amount"`
	Currency string `yaml:"currency" json:"currency"`
}

// FundingBodyRecord is a funding body with its headquarters (fundingBodies).
type FundingBodyRecord struct {
	MetaRecord   `yaml:",inline"`
	Acronym      string       `yaml:"acronym" json:"acronym,omitempty"`
	Founded      Text         `yaml:"founded" json:"founded,omitempty"`
	Headquarters *Ref         `yaml:"headquarters" json:"headquarters,omitempty"`
	Capital      *MoneyRecord `yaml:"capital" json:"capital,omitempty"`
	CapitalNote  string       `yaml:"capitalNote" json:"capitalNote,omitempty"`
}

// MembershipRecord is a country's membership of a grouping or a funding body (memberships).
type MembershipRecord struct {
	Country     string   `yaml:"country" json:"country"`
	Grouping    string   `yaml:"grouping" json:"grouping,omitempty"`
	FundingBody string   `yaml:"fundingBody" json:"fundingBody,omitempty"`
	Since       Text     `yaml:"since" json:"since,omitempty"`
	Until       Text     `yaml:"until" json:"until,omitempty"`
	Note        string   `yaml:"note" json:"note,omitempty"`
	Sources     []string `yaml:"sources" json:"sources,omitempty"`
}

// EventRecord is an event with the city it is held in (events).
type EventRecord struct {
	MetaRecord `yaml:",inline"`
	FirstHeld  Text `yaml:"firstHeld" json:"firstHeld,omitempty"`
	HeldIn     *Ref `yaml:"heldIn" json:"heldIn,omitempty"`
}

// ForumRecord is a forum edition with its organisers, attendees, topics, agreements and appeals (forum, forums).
type ForumRecord struct {
	MetaRecord     `yaml:",inline"`
	Series         *Ref              `yaml:"series" json:"series,omitempty"`
	Edition        int               `yaml:"edition" json:"edition,omitempty"`
	StartDate      Text              `yaml:"startDate" json:"startDate,omitempty"`
	EndDate        Text              `yaml:"endDate" json:"endDate,omitempty"`
	HostCity       *Ref              `yaml:"hostCity" json:"hostCity,omitempty"`
	Theme          string            `yaml:"theme" json:"theme,omitempty"`
	ThemeZh        string            `yaml:"themeZh" json:"themeZh,omitempty"`
	Participants   int               `yaml:"participants" json:"participants,omitempty"`
	Officials      int               `yaml:"officials" json:"officials,omitempty"`
	AttendanceNote string            `yaml:"attendanceNote" json:"attendanceNote,omitempty"`
	PartOf         *Ref              `yaml:"partOf" json:"partOf,omitempty"`
	Organisers     []OrganiserRecord `yaml:"organisers" json:"organisers,omitempty"`
	Attendees      []AttendeeRecord  `yaml:"attendees" json:"attendees,omitempty"`
	Topics         []TopicRecord     `yaml:"topics" json:"topics,omitempty"`
	Agreements     []AgreementRecord `yaml:"agreements" json:"agreements,omitempty"`
	Appeals        []AppealRecord    `yaml:"appeals" json:"appeals,omitempty"`
}

// OrganiserRecord is an organisation's part in organising a forum.
type OrganiserRecord struct {
	Organization string   `yaml:"organization" json:"organization"`
	Role         string   `yaml:"role" json:"role"`
	Note         string   `yaml:"note" json:"note,omitempty"`
	Sources      []string `yaml:"sources" json:"sources,omitempty"`
}

// AttendeeRecord is a city or organisation attending a forum.
type AttendeeRecord struct {
	City           string   `yaml:"city" json:"city,omitempty"`
	Organization   string   `yaml:"organization" json:"organization,omitempty"`
	DelegationSize int      `yaml:"delegationSize" json:"delegationSize,omitempty"`
	Level          string   `yaml:"level" json:"level,omitempty"`
	Date           Text     `yaml:"date" json:"date,omitempty"`
	Note           string   `yaml:"note" json:"note,omitempty"`
	Sources        []string `yaml:"sources" json:"sources,omitempty"`
}

// TopicRecord is a forum's agenda item; its position is its place in the list.
type TopicRecord struct {
	MetaRecord  `yaml:",inline"`
	SubThemes   []string `yaml:"subThemes" json:"subThemes,omitempty"`
	SubThemesZh []string `yaml:"subThemesZh" json:"subThemesZh,omitempty"`
}

// AgreementRecord is an agreement a forum adopted, with its signatories.
type AgreementRecord struct {
	MetaRecord  `yaml:",inline"`
	Date        Text              `yaml:"date" json:"date,omitempty"`
	Points      []string          `yaml:"points" json:"points,omitempty"`
	PointsZh    []string          `yaml:"pointsZh" json:"pointsZh,omitempty"`
	Signatories []SignatoryRecord `yaml:"signatories" json:"signatories,omitempty"`
}

// SignatoryRecord is a city signing an agreement.
type SignatoryRecord struct {
	City    string   `yaml:"city" json:"city"`
	Date    Text     `yaml:"date" json:"date,omitempty"`
	Note    string   `yaml:"note" json:"note,omitempty"`
	Sources []string `yaml:"sources" json:"sources,omitempty"`
}

// AppealRecord is what a forum asked of a funding body.
type AppealRecord struct {
	FundingBody string   `yaml:"fundingBody" json:"fundingBody"`
	Request     string   `yaml:"request" json:"request,omitempty"`
	RequestZh   string   `yaml:"requestZh" json:"requestZh,omitempty"`
	Note        string   `yaml:"note" json:"note,omitempty"`
	Sources     []string `yaml:"sources" json:"sources,omitempty"`
}

// ProjectRecord is a project with its locations and financings (projects).
type ProjectRecord struct {
	MetaRecord `yaml:",inline"`
	Sector     string           `yaml:"sector" json:"sector,omitempty"`
	Status     string           `yaml:"status" json:"status,omitempty"`
	LocatedIn  []LocationRecord `yaml:"locatedIn" json:"locatedIn,omitempty"`
	// Financings are the project's, with no project field of their own.
	Financings []FinancingRecord `yaml:"financings" json:"financings,omitempty"`
}

// LocationRecord is a city or country a project is located in.
type LocationRecord struct {
	City    string   `yaml:"city" json:"city,omitempty"`
	Country string   `yaml:"country" json:"country,omitempty"`
	Note    string   `yaml:"note" json:"note,omitempty"`
	Sources []string `yaml:"sources" json:"sources,omitempty"`
}

// FinancingRecord is a funding body's share of a project (financings, or a project's).
type FinancingRecord struct {
	FundingBody string   `yaml:"fundingBody" json:"fundingBody"`
	Project     string   `yaml:"project" json:"project"`
	Amount      Text     `yaml:"amount" json:"amount"`
	Currency    string   `yaml:"currency" json:"currency"`
	Instrument  string   `yaml:"instrument" json:"instrument,omitempty"`
	Approved    Text     `yaml:"approved" json:"approved,omitempty"`
	Until       Text     `yaml:"until" json:"until,omitempty"`
	Note        string   `yaml:"note" json:"note,omitempty"`
	Sources     []string `yaml:"sources" json:"sources,omitempty"`
}

// PartnershipRecord is a partnership between two cities (partnerships).
type PartnershipRecord struct {
	City    string   `yaml:"city" json:"city"`
	Partner string   `yaml:"partner" json:"partner"`
	Kind    string   `yaml:"kind" json:"kind"`
	Status  string   `yaml:"status" json:"status,omitempty"`
	Since   Text     `yaml:"since" json:"since,omitempty"`
	Until   Text     `yaml:"until" json:"until,omitempty"`
	Through string   `yaml:"through" json:"through,omitempty"`
	Note    string   `yaml:"note" json:"note,omitempty"`
	Sources []string `yaml:"sources" json:"sources,omitempty"`
}

// parseDossier checks a dossier against the schema, then turns each record
// into nodes and relations.
func (b *builder) parseDossier(file string, data []byte, isJSON bool) {
	doc, probs := parseYAML(file, data, isJSON, b.limits)
	b.problems = append(b.problems, probs...)
	if doc == nil || len(probs) > 0 {
		return
	}
	if probs := validateSchema(file, doc); len(probs) > 0 {
		b.problems = append(b.problems, probs...)
		return
	}
	var d dossier
	if len(doc.root.Content) > 0 {
		if err := doc.root.Decode(&d); err != nil {
			// The schema should have caught this; report it rather than lose it.
			b.problems = append(b.problems, domain.Problem{File: file, Line: 1, Field: "(document)",
				Found: strings.TrimPrefix(err.Error(), "yaml: "), Expected: "a dossier matching schema/dossier.schema.json"})
			return
		}
	}
	(&dossierBuilder{builder: b, file: file, doc: doc}).build(&d)
}

// dossierBuilder turns one decoded dossier into nodes and relations,
// knowing each record's path for line numbers.
type dossierBuilder struct {
	*builder
	file string
	doc  *yamlDoc
}

// rec is a record's location: its path in the document.
type rec []string

func (r rec) at(d *dossierBuilder) Position {
	return Position{File: d.file, Line: d.doc.line(r...), Field: fieldName(r)}
}

func (r rec) sub(s ...string) rec { return append(clone(r), s...) }

func (r rec) idx(name string, i int) rec { return r.sub(name, strconv.Itoa(i)) }

// lines finds the line of a domain field name within the record; domain
// names such as sources[0] map onto the path sources/0.
func (r rec) lines(d *dossierBuilder) lineOf {
	return func(field string) int {
		p := clone(r)
		for _, part := range strings.Split(field, ".") {
			name, index, ok := strings.Cut(part, "[")
			p = append(p, name)
			if ok {
				p = append(p, strings.TrimSuffix(index, "]"))
			}
		}
		return d.doc.line(p...)
	}
}

func (d *dossierBuilder) node(r rec, n domain.Node) {
	d.pos.Rows++
	d.addNode(n, r.at(d), r.lines(d))
}

// edge adds a relation written at r; with no sources of its own it cites
// the sources of the record it is written in.
func (d *dossierBuilder) edge(r rec, e domain.Edge, own, inherited []string) {
	d.pos.Rows++
	e.Sources = own
	if len(own) == 0 {
		e.Sources = inherited
	}
	d.addEdge(e, r.at(d), r.lines(d))
}

func (d *dossierBuilder) refEdge(r rec, kind domain.EdgeKind, from domain.NodeKey, toKind domain.Kind, to *Ref, inherited []string) {
	if to == nil {
		return
	}
	d.edge(r, domain.Edge{Kind: kind, From: from, To: domain.NodeKey{Kind: toKind, ID: to.ID}, Note: to.Note}, to.Sources, inherited)
}

// refersTo adds the relations and the clear list that every record's
// meta may carry.
func (d *dossierBuilder) refersTo(r rec, from domain.NodeKey, m MetaRecord) {
	if len(m.Clear) > 0 {
		if d.batch.Clear == nil {
			d.batch.Clear = map[domain.NodeKey][]string{}
		}
		d.batch.Clear[from] = m.Clear
	}
	for i := range m.RefersTo {
		d.refEdge(r.idx("refersTo", i), domain.EdgeRefersTo, from, domain.KindInitiative, &m.RefersTo[i], m.Sources)
	}
}

// date parses a written date; a bad one is a problem at r.field.
func (d *dossierBuilder) date(r rec, field string, t Text) domain.Date {
	v, err := domain.ParseDate(string(t))
	if err != nil {
		d.problem(r.sub(field).at(d), "", strconv.Quote(string(t)), "a date YYYY, YYYY-MM or YYYY-MM-DD")
	}
	return v
}

func (d *dossierBuilder) money(r rec, amount Text, currency string) *domain.Money {
	a, err := domain.ParseDecimal(string(amount))
	if err != nil {
		d.problem(r.sub("amount").at(d), "", strconv.Quote(string(amount)), "a decimal amount with at most two decimals")
		return nil
	}
	if a < 0 {
		d.problem(r.sub("amount").at(d), "", string(amount), "a non-negative amount")
		return nil
	}
	return &domain.Money{Amount: a, Currency: domain.Currency(currency)}
}

func (d *dossierBuilder) build(doc *dossier) {
	root := rec{}
	for i, s := range doc.Sources {
		r := root.idx("sources", i)
		d.node(r, &domain.Source{Meta: domain.Meta{ID: s.ID, Name: s.Title, NameZh: s.TitleZh, Description: s.Description},
			Publisher: s.Publisher, Author: s.Author, Date: d.date(r, "date", s.Date), URLs: append(domain.SplitURLs(s.URL), s.URLs...), File: s.File})
	}
	for i, g := range doc.Groupings {
		r := root.idx("groupings", i)
		d.node(r, &domain.Grouping{Meta: g.domain(), Acronym: g.Acronym})
		d.refersTo(r, domain.NodeKey{Kind: domain.KindGrouping, ID: g.ID}, g.MetaRecord)
	}
	for i, c := range doc.Countries {
		r := root.idx("countries", i)
		d.node(r, &domain.Country{Meta: c.domain()})
		d.refersTo(r, domain.NodeKey{Kind: domain.KindCountry, ID: c.ID}, c.MetaRecord)
	}
	for i := range doc.Cities {
		d.city(root.idx("cities", i), &doc.Cities[i])
	}
	for i := range doc.Organizations {
		o := &doc.Organizations[i]
		r := root.idx("organizations", i)
		k := domain.NodeKey{Kind: domain.KindOrganization, ID: o.ID}
		d.node(r, &domain.Organization{Meta: o.domain(), OrgKind: domain.OrgKind(o.Kind)})
		d.refEdge(r.sub("seat"), domain.EdgeSeatedIn, k, domain.KindCity, o.Seat, o.Sources)
		d.refersTo(r, k, o.MetaRecord)
	}
	for i := range doc.FundingBodies {
		f := &doc.FundingBodies[i]
		r := root.idx("fundingBodies", i)
		k := domain.NodeKey{Kind: domain.KindFundingBody, ID: f.ID}
		n := &domain.FundingBody{Meta: f.domain(), Acronym: f.Acronym, Founded: d.date(r, "founded", f.Founded), CapitalNote: f.CapitalNote}
		if f.Capital != nil {
			n.Capital = d.money(r.sub("capital"), f.Capital.Amount, f.Capital.Currency)
		}
		d.node(r, n)
		d.refEdge(r.sub("headquarters"), domain.EdgeHeadquarteredIn, k, domain.KindCity, f.Headquarters, f.Sources)
		d.refersTo(r, k, f.MetaRecord)
	}
	for i, m := range doc.Memberships {
		r := root.idx("memberships", i)
		to := domain.NodeKey{Kind: domain.KindGrouping, ID: m.Grouping}
		if m.FundingBody != "" {
			to = domain.NodeKey{Kind: domain.KindFundingBody, ID: m.FundingBody}
		}
		d.edge(r, domain.Edge{Kind: domain.EdgeMemberOf, From: domain.NodeKey{Kind: domain.KindCountry, ID: m.Country}, To: to,
			Since: d.date(r, "since", m.Since), Until: d.date(r, "until", m.Until), Note: m.Note}, m.Sources, nil)
	}
	for i := range doc.Events {
		e := &doc.Events[i]
		r := root.idx("events", i)
		k := domain.NodeKey{Kind: domain.KindEvent, ID: e.ID}
		d.node(r, &domain.Event{Meta: e.domain(), FirstHeld: d.date(r, "firstHeld", e.FirstHeld)})
		d.refEdge(r.sub("heldIn"), domain.EdgeHeldIn, k, domain.KindCity, e.HeldIn, e.Sources)
		d.refersTo(r, k, e.MetaRecord)
	}
	for i, s := range doc.Series {
		r := root.idx("series", i)
		d.node(r, &domain.ForumSeries{Meta: s.domain()})
		d.refersTo(r, domain.NodeKey{Kind: domain.KindForumSeries, ID: s.ID}, s.MetaRecord)
	}
	for i, s := range doc.Initiatives {
		r := root.idx("initiatives", i)
		d.node(r, &domain.Initiative{Meta: s.domain()})
		d.refersTo(r, domain.NodeKey{Kind: domain.KindInitiative, ID: s.ID}, s.MetaRecord)
	}
	if doc.Forum != nil {
		d.forum(root.sub("forum"), doc.Forum)
	}
	for i := range doc.Forums {
		d.forum(root.idx("forums", i), &doc.Forums[i])
	}
	for i := range doc.Projects {
		d.project(root.idx("projects", i), &doc.Projects[i])
	}
	for i, f := range doc.Financings {
		d.financing(root.idx("financings", i), f.Project, f, nil)
	}
	for i, p := range doc.Partnerships {
		d.partnership(root.idx("partnerships", i), p)
	}
}

func (d *dossierBuilder) city(r rec, c *CityRecord) {
	n := &domain.City{Meta: c.domain(), Division: domain.Division(c.Division), Region: c.Region, RegionZh: c.RegionZh,
		Population: c.Population, PopulationYear: c.PopulationYear, IsCapital: c.Capital}
	if n.Division == "" {
		n.Division = domain.DivisionCity
	}
	switch {
	case c.Lat != nil && c.Lon != nil:
		n.Location = &domain.GeoPoint{Lat: *c.Lat, Lon: *c.Lon}
	case c.Lat != nil || c.Lon != nil:
		d.problem(r.at(d), "lat/lon", "only one of lat and lon", "both, or neither")
	}
	d.node(r, n)
	k := n.Key()
	d.refEdge(r.sub("country"), domain.EdgeInCountry, k, domain.KindCountry, c.Country, c.Sources)
	d.refersTo(r, k, c.MetaRecord)
}

func (d *dossierBuilder) forum(r rec, f *ForumRecord) {
	k := domain.NodeKey{Kind: domain.KindForum, ID: f.ID}
	d.node(r, &domain.Forum{Meta: f.domain(), Edition: f.Edition, StartDate: d.date(r, "startDate", f.StartDate),
		EndDate: d.date(r, "endDate", f.EndDate), Theme: f.Theme, ThemeZh: f.ThemeZh, Participants: f.Participants,
		Officials: f.Officials, AttendanceNote: f.AttendanceNote})
	src := f.Sources
	d.refEdge(r.sub("series"), domain.EdgeEditionOf, k, domain.KindForumSeries, f.Series, src)
	d.refEdge(r.sub("hostCity"), domain.EdgeHeldIn, k, domain.KindCity, f.HostCity, src)
	d.refEdge(r.sub("partOf"), domain.EdgePartOf, k, domain.KindEvent, f.PartOf, src)
	d.refersTo(r, k, f.MetaRecord)
	for i, o := range f.Organisers {
		d.edge(r.idx("organisers", i), domain.Edge{Kind: domain.EdgeOrganised, Role: domain.Role(o.Role), Note: o.Note,
			From: domain.NodeKey{Kind: domain.KindOrganization, ID: o.Organization}, To: k}, o.Sources, src)
	}
	for i, a := range f.Attendees {
		from := domain.NodeKey{Kind: domain.KindCity, ID: a.City}
		if a.Organization != "" {
			from = domain.NodeKey{Kind: domain.KindOrganization, ID: a.Organization}
		}
		ar := r.idx("attendees", i)
		d.edge(ar, domain.Edge{Kind: domain.EdgeAttended, From: from, To: k, Since: d.date(ar, "date", a.Date),
			DelegationSize: a.DelegationSize, Level: a.Level, Note: a.Note}, a.Sources, src)
	}
	for i := range f.Topics {
		t := &f.Topics[i]
		tr := r.idx("topics", i)
		tk := domain.NodeKey{Kind: domain.KindTopic, ID: t.ID}
		if len(t.Sources) == 0 {
			t.Sources = src
		}
		d.node(tr, &domain.Topic{Meta: t.domain(), SubThemes: t.SubThemes, SubThemesZh: t.SubThemesZh})
		d.edge(tr, domain.Edge{Kind: domain.EdgeDiscussed, From: k, To: tk, Position: i + 1}, t.Sources, nil)
		d.refersTo(tr, tk, t.MetaRecord)
	}
	for i := range f.Agreements {
		a := &f.Agreements[i]
		ar := r.idx("agreements", i)
		ak := domain.NodeKey{Kind: domain.KindAgreement, ID: a.ID}
		if len(a.Sources) == 0 {
			a.Sources = src
		}
		d.node(ar, &domain.Agreement{Meta: a.domain(), Date: d.date(ar, "date", a.Date), Points: a.Points, PointsZh: a.PointsZh})
		d.edge(ar, domain.Edge{Kind: domain.EdgeAdopted, From: k, To: ak}, a.Sources, nil)
		d.refersTo(ar, ak, a.MetaRecord)
		for j, s := range a.Signatories {
			sr := ar.idx("signatories", j)
			d.edge(sr, domain.Edge{Kind: domain.EdgeSigned, From: domain.NodeKey{Kind: domain.KindCity, ID: s.City}, To: ak,
				Since: d.date(sr, "date", s.Date), Note: s.Note}, s.Sources, a.Sources)
		}
	}
	for i, a := range f.Appeals {
		d.edge(r.idx("appeals", i), domain.Edge{Kind: domain.EdgeCalledOn, From: k,
			To:      domain.NodeKey{Kind: domain.KindFundingBody, ID: a.FundingBody},
			Request: a.Request, RequestZh: a.RequestZh, Note: a.Note}, a.Sources, src)
	}
}

func (d *dossierBuilder) project(r rec, p *ProjectRecord) {
	k := domain.NodeKey{Kind: domain.KindProject, ID: p.ID}
	d.node(r, &domain.Project{Meta: p.domain(), Sector: domain.Sector(p.Sector), Status: domain.ProjectStatus(p.Status)})
	d.refersTo(r, k, p.MetaRecord)
	for i, l := range p.LocatedIn {
		to := domain.NodeKey{Kind: domain.KindCity, ID: l.City}
		if l.Country != "" {
			to = domain.NodeKey{Kind: domain.KindCountry, ID: l.Country}
		}
		d.edge(r.idx("locatedIn", i), domain.Edge{Kind: domain.EdgeLocatedIn, From: k, To: to, Note: l.Note}, l.Sources, p.Sources)
	}
	for i, f := range p.Financings {
		d.financing(r.idx("financings", i), p.ID, f, p.Sources)
	}
}

func (d *dossierBuilder) financing(r rec, project string, f FinancingRecord, inherited []string) {
	e := domain.Edge{Kind: domain.EdgeFinanced, From: domain.NodeKey{Kind: domain.KindFundingBody, ID: f.FundingBody},
		To: domain.NodeKey{Kind: domain.KindProject, ID: project}, Since: d.date(r, "approved", f.Approved),
		Until: d.date(r, "until", f.Until), Amount: d.money(r, f.Amount, f.Currency), Instrument: f.Instrument, Note: f.Note}
	if e.Amount == nil {
		d.pos.Rows++
		return // the amount's problem is already reported
	}
	d.edge(r, e, f.Sources, inherited)
}

func (d *dossierBuilder) partnership(r rec, p PartnershipRecord) {
	e := domain.Edge{Kind: domain.EdgePartnerOf, From: domain.NodeKey{Kind: domain.KindCity, ID: p.City},
		To: domain.NodeKey{Kind: domain.KindCity, ID: p.Partner}, PartnershipKind: domain.PartnershipKind(p.Kind),
		Status: partnershipStatus(p.Status), Since: d.date(r, "since", p.Since), Until: d.date(r, "until", p.Until), Note: p.Note}
	if p.Through != "" {
		t, err := domain.ParseNodeKey(p.Through)
		if err != nil {
			d.problem(r.sub("through").at(d), "", strconv.Quote(p.Through), "Agreement:slug or Forum:slug")
		} else {
			e.Through = &t
		}
	}
	d.edge(r, e, p.Sources, nil)
}

// partnershipStatus defaults to established: a source that lists a pair
// without qualification reports a concluded partnership.
func partnershipStatus(s string) domain.PartnershipStatus {
	if s == "" {
		return domain.PartnershipEstablished
	}
	return domain.PartnershipStatus(s)
}
