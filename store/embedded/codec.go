package embedded

import (
	"encoding/json"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// The one place values are encoded for disk: JSON of the domain structs.
// Nodes live in one bucket per kind (the bucket name is the kind tag), keyed
// by slug; edges in one bucket keyed by their EdgeKey string.

var edgesBucket = []byte("edges")

func nodeBucket(k domain.Kind) []byte { return []byte("node:" + string(k)) }

func edgeDiskKey(k domain.EdgeKey) []byte { return []byte(k.String()) }

func encodeNode(n domain.Node) ([]byte, error) { return json.Marshal(n) }

func decodeNode(k domain.Kind, data []byte) (domain.Node, error) {
	n := domain.NewNode(k, "")
	if n == nil {
		return nil, domain.Errorf(domain.EINTERNAL, "unknown node kind %q on disk", k)
	}
	if err := json.Unmarshal(data, n); err != nil {
		return nil, err
	}
	canonNode(n)
	return n, nil
}

func encodeEdge(e *domain.Edge) ([]byte, error) { return json.Marshal(e) }

func decodeEdge(data []byte) (*domain.Edge, error) {
	e := &domain.Edge{}
	if err := json.Unmarshal(data, e); err != nil {
		return nil, err
	}
	canonEdge(e)
	return e, nil
}

// clone returns a deep copy, so that neither a caller's later edits nor a
// reader's change a stored value.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// cloneNode deep-copies n in canonical form (empty slices are nil, so that
// a value read back from disk compares equal to the one written).
func cloneNode(n domain.Node) domain.Node {
	var c domain.Node
	switch v := n.(type) {
	case *domain.Country:
		x := *v
		c = &x
	case *domain.Grouping:
		x := *v
		c = &x
	case *domain.City:
		x := *v
		x.Location = clonePtr(v.Location)
		c = &x
	case *domain.Organization:
		x := *v
		c = &x
	case *domain.FundingBody:
		x := *v
		x.Capital = clonePtr(v.Capital)
		c = &x
	case *domain.ForumSeries:
		x := *v
		c = &x
	case *domain.Event:
		x := *v
		c = &x
	case *domain.Forum:
		x := *v
		c = &x
	case *domain.Topic:
		x := *v
		c = &x
	case *domain.Agreement:
		x := *v
		c = &x
	case *domain.Initiative:
		x := *v
		c = &x
	case *domain.Project:
		x := *v
		c = &x
	case *domain.Source:
		x := *v
		c = &x
	default:
		return nil
	}
	canonNode(c)
	return c
}

// canonNode replaces every slice by a private copy, nil when empty.
func canonNode(n domain.Node) {
	m := n.Base()
	m.Aliases, m.Sources = nilIfEmpty(m.Aliases), nilIfEmpty(m.Sources)
	switch v := n.(type) {
	case *domain.Topic:
		v.SubThemes, v.SubThemesZh = nilIfEmpty(v.SubThemes), nilIfEmpty(v.SubThemesZh)
	case *domain.Agreement:
		v.Points, v.PointsZh = nilIfEmpty(v.Points), nilIfEmpty(v.PointsZh)
	}
}

func cloneEdge(e *domain.Edge) domain.Edge {
	c := *e
	canonEdge(&c)
	return c
}

func canonEdge(e *domain.Edge) {
	e.Through, e.Amount = clonePtr(e.Through), clonePtr(e.Amount)
	e.Sources = nilIfEmpty(e.Sources)
}
