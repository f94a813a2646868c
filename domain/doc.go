// Package domain holds citygraph's vocabulary: the things and relations of
// the city-partnership knowledge graph, the Store interface every backend
// implements, and the error type with codes that every layer speaks.
//
// It imports nothing of the project, so the stores, the seed loader and the
// GraphQL layer can all depend on it without depending on each other.
package domain
