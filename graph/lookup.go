package graph

import (
	"context"
	"strings"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
)

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

// node answers node(id:): INVALID_ARGUMENT for an ill-formed ID, NOT_FOUND
// for a well-formed ID that names nothing.
func (r *Resolver) node(ctx context.Context, id string) (domain.Node, error) {
	key, err := domain.ParseNodeKey(id)
	if err != nil {
		return nil, err
	}
	n, err := loader.For(ctx).Node(ctx, key)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "no node with ID %q", id)
	}
	return n, nil
}

// nodes answers nodes(ids:), null where a node does not exist.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]domain.Node, error) {
	if len(ids) > domain.MaxNodeIDs {
		return nil, domain.Errorf(domain.EINVALID, "at most %d IDs at once, got %d", domain.MaxNodeIDs, len(ids))
	}
	keys := make([]domain.NodeKey, len(ids))
	for i, id := range ids {
		k, err := domain.ParseNodeKey(id)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return loader.For(ctx).Nodes(ctx, keys)
}
