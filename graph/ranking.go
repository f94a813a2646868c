package graph

import (
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/model"
)

func rankedCities(rs []domain.RankedCity, m domain.RankMetric) []*model.RankedCity {
	out := make([]*model.RankedCity, len(rs))
	for i, r := range rs {
		out[i] = &model.RankedCity{RankedCity: r, Metric: m}
	}
	return out
}

// rankValue shows a count as a whole number and funding as its amount.
func rankValue(c *model.RankedCity) domain.Decimal {
	if c.Metric == domain.RankByFunding {
		return domain.Decimal(c.Value)
	}
	return domain.Decimal(c.Value * 100)
}
