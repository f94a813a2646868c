// Package model holds the Go types behind the GraphQL schema's connection,
// edge and graph types. Node types are the domain's own; these wrap store
// pages so that one Go type serves every connection of its shape.
package model

import "github.com/citygraph/citygraph/domain"

// PageInfo is Relay pagination information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

func pageInfo(cursors []string, hasNext, hasPrevious bool) *PageInfo {
	p := &PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if len(cursors) > 0 {
		p.StartCursor, p.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return p
}

// cursorAt is the i-th item's cursor; none when the page was read without
// cursors, as its selection reads none (domain.Page.NoCursors).
func cursorAt(cursors []string, i int) string {
	if i < len(cursors) {
		return cursors[i]
	}
	return ""
}

// NodeConnection backs every list of nodes (CityConnection, …).
type NodeConnection struct {
	Page domain.NodePage
}

// Edges returns the page's items with their cursors.
func (c *NodeConnection) Edges() []*NodeEdge {
	out := make([]*NodeEdge, len(c.Page.Items))
	for i, n := range c.Page.Items {
		out[i] = &NodeEdge{Cursor: cursorAt(c.Page.Cursors, i), Node: n}
	}
	return out
}

// PageInfo returns the page's pagination information.
func (c *NodeConnection) PageInfo() *PageInfo {
	return pageInfo(c.Page.Cursors, c.Page.HasNextPage, c.Page.HasPreviousPage)
}

// TotalCount is the number of matching nodes on every page.
func (c *NodeConnection) TotalCount() int { return c.Page.TotalCount }

// NodeEdge is a node in a list.
type NodeEdge struct {
	Cursor string
	Node   domain.Node
}

// RelConnection backs every list of relations (PartnershipConnection, …).
// Anchor is the node the relations were asked of.
type RelConnection struct {
	Anchor domain.NodeKey
	Page   domain.EdgePage
}

// Edges returns the page's relations with their cursors.
func (c *RelConnection) Edges() []*RelEdge {
	out := make([]*RelEdge, len(c.Page.Items))
	for i := range c.Page.Items {
		out[i] = &RelEdge{Cursor: cursorAt(c.Page.Cursors, i), Edge: c.Page.Items[i], Anchor: c.Anchor}
	}
	return out
}

// PageInfo returns the page's pagination information.
func (c *RelConnection) PageInfo() *PageInfo {
	return pageInfo(c.Page.Cursors, c.Page.HasNextPage, c.Page.HasPreviousPage)
}

// TotalCount is the number of matching relations on every page.
func (c *RelConnection) TotalCount() int { return c.Page.TotalCount }

// RelEdge is one relation seen from Anchor; its methods are the relation
// properties the edge types expose.
type RelEdge struct {
	Cursor string
	Edge   domain.Edge
	Anchor domain.NodeKey
}

// Other is the node at the far end from the anchor.
func (e *RelEdge) Other() domain.NodeKey { return e.Edge.Other(e.Anchor) }

func (e *RelEdge) Kind() domain.PartnershipKind { return e.Edge.PartnershipKind }
func (e *RelEdge) Status() domain.PartnershipStatus {
	if e.Edge.Status == "" {
		return domain.PartnershipEstablished
	}
	return e.Edge.Status
}
func (e *RelEdge) Since() domain.Date    { return e.Edge.Since }
func (e *RelEdge) Date() domain.Date     { return e.Edge.Since }
func (e *RelEdge) Approved() domain.Date { return e.Edge.Since }
func (e *RelEdge) Role() domain.Role     { return e.Edge.Role }
func (e *RelEdge) Note() *string         { return optional(e.Edge.Note) }
func (e *RelEdge) Level() *string        { return optional(e.Edge.Level) }
func (e *RelEdge) Request() *string      { return optional(e.Edge.Request) }
func (e *RelEdge) RequestZh() *string    { return optional(e.Edge.RequestZh) }
func (e *RelEdge) Instrument() *string   { return optional(e.Edge.Instrument) }
func (e *RelEdge) Amount() *domain.Money { return e.Edge.Amount }
func (e *RelEdge) Position() int         { return e.Edge.Position }
func (e *RelEdge) Until() domain.Date    { return e.Edge.Until }
func (e *RelEdge) DelegationSize() *int {
	if e.Edge.DelegationSize == 0 {
		return nil
	}
	return &e.Edge.DelegationSize
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Subgraph is a neighbourhood for drawing.
type Subgraph struct {
	Nodes     []domain.Node
	Edges     []*Relation
	Truncated bool
}

// Relation is an edge of a subgraph with its properties.
type Relation struct {
	Edge domain.Edge
}

func (r *Relation) Kind() domain.EdgeKind { return r.Edge.Kind }
func (r *Relation) From() string          { return r.Edge.From.String() }
func (r *Relation) To() string            { return r.Edge.To.String() }
func (r *Relation) Since() domain.Date    { return r.Edge.Since }
func (r *Relation) Note() *string         { return optional(r.Edge.Note) }
func (r *Relation) Amount() *domain.Money { return r.Edge.Amount }
func (r *Relation) Until() domain.Date    { return r.Edge.Until }
func (r *Relation) Version() int64        { return r.Edge.Version }
func (r *Relation) Level() *string        { return optional(r.Edge.Level) }
func (r *Relation) Request() *string      { return optional(r.Edge.Request) }
func (r *Relation) RequestZh() *string    { return optional(r.Edge.RequestZh) }
func (r *Relation) Instrument() *string   { return optional(r.Edge.Instrument) }
func (r *Relation) Status() *domain.PartnershipStatus {
	if r.Edge.Status == "" {
		return nil
	}
	return &r.Edge.Status
}
func (r *Relation) DelegationSize() *int {
	if r.Edge.DelegationSize == 0 {
		return nil
	}
	return &r.Edge.DelegationSize
}
func (r *Relation) Position() *int {
	if r.Edge.Position == 0 {
		return nil
	}
	return &r.Edge.Position
}
func (r *Relation) Role() *domain.Role {
	if r.Edge.Role == "" {
		return nil
	}
	return &r.Edge.Role
}
func (r *Relation) PartnershipKind() *domain.PartnershipKind {
	if r.Edge.PartnershipKind == "" {
		return nil
	}
	return &r.Edge.PartnershipKind
}

// CountryAttendance is a forum's attendees from one country.
type CountryAttendance struct {
	Country       *domain.Country
	Cities        []*domain.City
	Organizations []*domain.Organization
}

// FundingTotal is a funding total with the grouping it was asked by, so
// that its group can be named.
type FundingTotal struct {
	domain.FundingTotal
	GroupBy domain.FundingGroup
	// Dims are every dimension it was grouped by (GroupBy the first).
	Dims []domain.FundingGroup
}

// Groups are the total's group in each dimension.
func (t *FundingTotal) Groups() []*FundingTotalGroup {
	out := make([]*FundingTotalGroup, len(t.Dims))
	for i, d := range t.Dims {
		g := t.Group
		if i < len(t.FundingTotal.Groups) {
			g = t.FundingTotal.Groups[i]
		}
		out[i] = &FundingTotalGroup{By: d, Group: g}
	}
	return out
}

// FundingTotalGroup is a funding total's group in one dimension.
type FundingTotalGroup struct {
	By    domain.FundingGroup
	Group string
}

// RankedCity is a ranking row with the metric it was ranked by, so that
// its value can be shown as a count or an amount.
type RankedCity struct {
	domain.RankedCity
	Metric domain.RankMetric
}
