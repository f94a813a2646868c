package domain

import (
	"encoding/json"
	"io"
	"strconv"
)

// GraphQL marshalling for the scalar types, so that gqlgen binds the Date
// and Decimal scalars to these types and input is validated where it is read.

// MarshalGQL writes the date as a JSON string.
func (d Date) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

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
