package neo4jstore

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

func notYet(what string) error {
	return domain.Errorf(domain.EINTERNAL, "%s is not implemented on the Neo4j store yet", what)
}

// Paths returns the shortest chains of cities linking q.From to q.To.
func (s *Store) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return nil, notYet("Paths")
}

// FundingTotals sums financings per group and currency.
func (s *Store) FundingTotals(ctx context.Context, q domain.FundingQuery) ([]domain.FundingTotal, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return nil, notYet("FundingTotals")
}

// RankCities ranks cities by a metric.
func (s *Store) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return nil, notYet("RankCities")
}

// SuggestPartners proposes cities that share forums, agreements or funders.
func (s *Store) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return nil, notYet("SuggestPartners")
}

// Near returns cities within a distance of a city or a point.
func (s *Store) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return nil, notYet("Near")
}

// Search finds nodes of any kind by English or Chinese text.
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return nil, notYet("Search")
}
