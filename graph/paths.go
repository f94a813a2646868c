package graph

import "github.com/citygraph/citygraph/domain"

// cityKeys turns city slugs into keys.
func cityKeys(slugs []string) []domain.NodeKey {
	keys := make([]domain.NodeKey, len(slugs))
	for i, s := range slugs {
		keys[i] = domain.NodeKey{Kind: domain.KindCity, ID: s}
	}
	return keys
}
