package model

import "github.com/99designs/gqlgen/graphql"

// The domain writes an absent optional text (a city without a Chinese
// region name, a source without an author) as the empty string, as Go
// does; GraphQL clients expect null for "no value". gqlgen.yml binds the
// String scalar to these functions, so every nullable String field shows
// "" as null without a resolver per field. A required String (a name, a
// slug, a cursor) is never empty: validation refuses such data, and were
// one empty, gqlgen would report a field error rather than pass "" off as
// a value.

// MarshalString writes s, or null when it is empty.
func MarshalString(s string) graphql.Marshaler {
	if s == "" {
		return graphql.Null
	}
	return graphql.MarshalString(s)
}

// UnmarshalString reads a String argument as gqlgen does.
func UnmarshalString(v any) (string, error) { return graphql.UnmarshalString(v) }
