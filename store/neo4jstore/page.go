package neo4jstore

import (
	"fmt"

	"github.com/citygraph/citygraph/domain"
)

// keyset is the condition for rows after the cursor in params "ak"/"ai"
// over sort key sk and tie id, ascending or descending.
func keyset(after string, desc bool, sk, id string, params map[string]any) (string, error) {
	if after == "" {
		return "true", nil
	}
	c, err := domain.DecodeCursor(after)
	if err != nil {
		return "", err
	}
	params["ak"], params["ai"] = c.Key, c.ID
	op := ">"
	if desc {
		op = "<"
	}
	return fmt.Sprintf("(%[1]s %[3]s $ak OR (%[1]s = $ak AND %[2]s %[3]s $ai))", sk, id, op), nil
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return ""
}
