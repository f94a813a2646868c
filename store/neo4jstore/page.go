package neo4jstore

import (
	"fmt"

	"github.com/citygraph/citygraph/domain"
)

// paramSet collects a statement's parameters. Its prefix keeps apart the
// parameters of the several queries one plan statement answers (Run);
// the single-read statements use no prefix.
type paramSet struct {
	m      map[string]any
	prefix string
}

// add sets a parameter and returns its reference ($name) for the text.
func (ps paramSet) add(name string, v any) string {
	ps.m[ps.prefix+name] = v
	return "$" + ps.prefix + name
}

// keyset is the condition for rows after the cursor (params "ak"/"ai")
// over sort key sk and tie id, ascending or descending.
func keyset(after string, desc bool, sk, id string, ps paramSet) (string, error) {
	if after == "" {
		return "true", nil
	}
	c, err := domain.DecodeCursor(after)
	if err != nil {
		return "", err
	}
	ak, ai := ps.add("ak", c.Key), ps.add("ai", c.ID)
	op := ">"
	if desc {
		op = "<"
	}
	return fmt.Sprintf("(%[1]s %[3]s %[4]s OR (%[1]s = %[4]s AND %[2]s %[3]s %[5]s))", sk, id, op, ak, ai), nil
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return ""
}
