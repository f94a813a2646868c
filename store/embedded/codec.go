package embedded

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/citygraph/citygraph/domain"
)

// The one place values are encoded for disk: JSON of the domain structs.
// Nodes live in one bucket per kind (the bucket name is the kind tag), keyed
// by slug; edges in one bucket keyed by their EdgeKey string.

var edgesBucket = []byte("edges")

// The change log: change sets by sequence number (8 bytes, big-endian),
// the history index (node key, 0, sequence number → nothing), and the
// idempotency records ((author, 0, key) → sequence number).
var (
	changesBucket     = []byte("changes")
	historyBucket     = []byte("history")
	idempotencyBucket = []byte("idempotency")
)

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

// encodeEdge writes e as the JSON object json.Marshal would, less the
// fields that hold their zero value. json.Unmarshal into a zero Edge leaves
// an absent field zero, so decodeEdge (and any older reader, which also
// used json.Unmarshal) reads back the same edge; files written with every
// field still read. A partnership shrinks from about 300 bytes to about
// 170, and a bulk load writes that many fewer bbolt pages; building the
// bytes by hand also spares the reflection that dominated encoding.
func encodeEdge(e *domain.Edge) ([]byte, error) {
	size := 200 + len(e.From.ID) + len(e.To.ID) + len(e.Note) + len(e.Request) + len(e.RequestZh) + len(e.Level) + len(e.Instrument)
	for _, s := range e.Sources {
		size += len(s) + 3
	}
	b := make([]byte, 0, size) // room for the whole encoding, in one allocation
	b = append(b, `{"Kind":`...)
	b = appendJSONString(b, string(e.Kind))
	b = append(b, `,"From":`...)
	b = appendNodeKey(b, e.From)
	b = append(b, `,"To":`...)
	b = appendNodeKey(b, e.To)
	b = appendStringField(b, "Since", string(e.Since))
	b = appendStringField(b, "Role", string(e.Role))
	b = appendStringField(b, "PartnershipKind", string(e.PartnershipKind))
	b = appendStringField(b, "Status", string(e.Status))
	if e.Through != nil {
		b = append(b, `,"Through":`...)
		b = appendNodeKey(b, *e.Through)
	}
	b = appendIntField(b, "DelegationSize", int64(e.DelegationSize))
	b = appendStringField(b, "Level", e.Level)
	b = appendIntField(b, "Position", int64(e.Position))
	b = appendStringField(b, "Request", e.Request)
	b = appendStringField(b, "RequestZh", e.RequestZh)
	if e.Amount != nil {
		b = append(b, `,"Amount":{"Amount":`...)
		b = strconv.AppendInt(b, int64(e.Amount.Amount), 10)
		b = append(b, `,"Currency":`...)
		b = appendJSONString(b, string(e.Amount.Currency))
		b = append(b, '}')
	}
	b = appendStringField(b, "Instrument", e.Instrument)
	b = appendStringField(b, "Note", e.Note)
	if len(e.Sources) > 0 {
		b = append(b, `,"Sources":[`...)
		for i, s := range e.Sources {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	}
	b = appendStringField(b, "Until", string(e.Until))
	b = appendIntField(b, "Version", e.Version)
	return append(b, '}'), nil
}

func appendNodeKey(b []byte, k domain.NodeKey) []byte {
	b = append(b, `{"Kind":`...)
	b = appendJSONString(b, string(k.Kind))
	b = append(b, `,"ID":`...)
	b = appendJSONString(b, k.ID)
	return append(b, '}')
}

func appendStringField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

func appendIntField(b []byte, name string, v int64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, v, 10)
}

// appendJSONString copies plain printable ASCII as it is and leaves every
// other string (quotes, controls, HTML characters, non-ASCII, invalid
// UTF-8) to encoding/json, so that escaping is exactly the standard one.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

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
