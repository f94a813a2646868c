package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
)

// The helpers below turn GraphQL arguments into store queries; the
// resolvers are one-line calls to them.

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// optionalInt shows an absent count or year, which the domain stores as
// zero, as null.
func optionalInt[T int | int64](v T) *int {
	if v == 0 {
		return nil
	}
	i := int(v)
	return &i
}

// partLoads lists the store's loads written in parts; a store that writes
// every load in one transaction (no domain.LoadLog) has none.
func partLoads(ctx context.Context, st domain.Store, first *int) ([]*domain.Load, error) {
	n, err := domain.LoadCount.Given(first)
	if err != nil {
		return nil, err
	}
	log, ok := st.(domain.LoadLog)
	if !ok {
		return []*domain.Load{}, nil
	}
	loads, err := log.Loads(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]*domain.Load, len(loads))
	for i := range loads {
		out[i] = &loads[i]
	}
	return out, nil
}

// other loads the far end of a relation edge as T.
func other[T domain.Node](ctx context.Context, e *model.RelEdge) (T, error) {
	return loader.As[T](ctx, e.Other())
}

// listed returns a node list edge's node as T.
func listed[T domain.Node](e *model.NodeEdge) (T, error) {
	t, ok := e.Node.(T)
	if !ok {
		var zero T
		return zero, domain.Errorf(domain.EINTERNAL, "list holds a %s where %T was expected", e.Node.Key().Kind, zero)
	}
	return t, nil
}

// sources loads the sources a node cites.
func nodeSources(ctx context.Context, n domain.Node) ([]*domain.Source, error) {
	return loader.For(ctx).Sources(ctx, n.Base().Sources)
}

func globalID(n domain.Node) string { return n.Key().String() }

// lookup answers the typed lookups (city(slug:)): null and NOT_FOUND for an
// unknown slug, INVALID_ARGUMENT for an ill-formed one.
func lookup[T domain.Node](ctx context.Context, kind domain.Kind, slug string) (T, error) {
	var zero T
	if err := domain.ValidateSlug(slug); err != nil {
		return zero, err
	}
	t, err := loader.As[T](ctx, domain.NodeKey{Kind: kind, ID: slug})
	if err != nil {
		return zero, err
	}
	if domain.Node(t) == nil || isNil(t) {
		return zero, domain.Errorf(domain.ENOTFOUND, "no %s with slug %q; list them with the %s query", kind, slug, listQuery(kind))
	}
	return t, nil
}

func isNil[T domain.Node](t T) bool {
	var zero T
	return any(t) == any(zero)
}

func listQuery(k domain.Kind) string {
	switch k {
	case domain.KindCity:
		return "cities"
	case domain.KindCountry:
		return "countries"
	case domain.KindFundingBody:
		return "fundingBodies"
	}
	s := string(k)
	return strings.ToLower(s[:1]) + s[1:] + "s"
}

// cityKeys turns city slugs into keys.
func cityKeys(slugs []string) []domain.NodeKey {
	keys := make([]domain.NodeKey, len(slugs))
	for i, s := range slugs {
		keys[i] = domain.NodeKey{Kind: domain.KindCity, ID: s}
	}
	return keys
}

// loadAll loads nodes of one kind by slug, in order, skipping missing ones.
func loadAll[T domain.Node](ctx context.Context, kind domain.Kind, slugs []string) ([]T, error) {
	keys := make([]domain.NodeKey, len(slugs))
	for i, s := range slugs {
		keys[i] = domain.NodeKey{Kind: kind, ID: s}
	}
	nodes, err := loader.For(ctx).Nodes(ctx, keys)
	return loader.AllAs[T](nodes), err
}

// explain says in words why a city is suggested.
func explain(s *domain.Suggestion) string {
	var parts []string
	add := func(n int, one, many string) {
		if n == 1 {
			parts = append(parts, one)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf(many, n))
		}
	}
	add(len(s.SharedAgreements), "signed 1 agreement in common", "signed %d agreements in common")
	add(len(s.SharedForums), "attended 1 forum in common", "attended %d forums in common")
	add(len(s.SharedFunders), "shares 1 funding body", "shares %d funding bodies")
	out := strings.Join(parts, ", ")
	if s.DistanceKm != nil {
		out += fmt.Sprintf("; %.0f km apart", *s.DistanceKm)
	}
	return fmt.Sprintf("score %d: %s", s.Score, out)
}
