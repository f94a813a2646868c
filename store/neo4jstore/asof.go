package neo4jstore

import (
	"fmt"
)

// asOf is the condition that relation variable r existed on $asOf: from
// its since to the day before its until, as domain.Edge.ActiveOn says.
func asOf(r string) string {
	return fmt.Sprintf("($asOf = '' OR ((%[1]s.since IS NULL OR %[1]s.since <= $asOf) AND (%[1]s.until IS NULL OR $asOf < %[1]s.until)))", r)
}
