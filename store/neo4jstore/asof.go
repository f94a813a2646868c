package neo4jstore

import (
	"fmt"
)

// asOf is the condition that relation variable r existed on $asOf.
func asOf(r string) string {
	return fmt.Sprintf("($asOf = '' OR %[1]s.since IS NULL OR %[1]s.since <= $asOf)", r)
}
