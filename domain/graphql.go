package domain

import (
	"encoding/json"
	"io"
	"strconv"
	"unicode"
)

// GraphQL marshalling for the scalar types, so that gqlgen binds the Date
// and Decimal scalars to these types and input is validated where it is read.

// MarshalGQL writes the date as a JSON string, or null when it is unknown.
func (d Date) MarshalGQL(w io.Writer) {
	if d == "" {
		io.WriteString(w, "null")
		return
	}
	io.WriteString(w, strconv.Quote(string(d)))
}

// UnmarshalGQL reads and validates a date.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return Errorf(EINVALID, "a Date must be a string such as \"2015-09-19\", got %T", v)
	}
	p, err := ParseDate(s)
	*d = p
	return err
}

// MarshalGQL writes the amount as a JSON string: exact, and safe for
// JavaScript clients whose numbers lose precision past 2^53.
func (d Decimal) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(d.String())) }

// UnmarshalGQL reads an amount given as a string or a number.
func (d *Decimal) UnmarshalGQL(v any) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return Errorf(EINVALID, "a Decimal must be a string such as \"1.5\", got %T", v)
	}
	p, err := ParseDecimal(s)
	*d = p
	return err
}

// MarshalGQL writes the currency code.
func (c Currency) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(c))) }

// UnmarshalGQL reads and validates an ISO 4217 code.
func (c *Currency) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return Errorf(EINVALID, "a Currency must be a string such as \"USD\", got %T", v)
	}
	p, err := ParseCurrency(s)
	*c = p
	return err
}

// GraphQL names of node kinds: UPPER_SNAKE of the CamelCase kind
// (FundingBody → FUNDING_BODY).
func kindEnumName(k Kind) string {
	var b []byte
	for i, r := range string(k) {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b = append(b, '_')
		}
		b = append(b, byte(unicode.ToUpper(r)))
	}
	return string(b)
}

// MarshalGQL writes the kind as a GraphQL enum value (FUNDING_BODY).
func (k Kind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(kindEnumName(k))) }

// UnmarshalGQL reads a NodeKind enum value.
func (k *Kind) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	for _, c := range Kinds {
		if kindEnumName(c) == s {
			*k = c
			return nil
		}
	}
	return Errorf(EINVALID, "unknown node kind %q", s)
}

// MarshalGQL writes the relation kind (its values are already GraphQL enum names).
func (k EdgeKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(k))) }

// UnmarshalGQL reads a RelationKind enum value.
func (k *EdgeKind) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	p, err := ParseEdgeKind(s)
	*k = p
	return err
}

func (v LinkKind) MarshalGQL(w io.Writer)     { marshalEnum(w, string(v)) }
func (v FundingGroup) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v RankMetric) MarshalGQL(w io.Writer)   { marshalEnum(w, string(v)) }
func (v *LinkKind) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("link kind", x, LinkKinds)
	return
}
func (v *FundingGroup) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("funding group", x, FundingGroups)
	return
}
func (v *RankMetric) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("rank metric", x, RankMetrics)
	return
}
