package peer

import (
	"context"
	"fmt"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/synth"
)

// SynthSeed is the seed of the benchmark's synthetic graph, so that every
// run measures the same graph.
const SynthSeed = 10

// Load writes the benchmark's graph: a synthetic graph of about cities
// cities beside the project's seed data. synth's keys never name a real
// node, so the order of the two loads does not matter.
func Load(ctx context.Context, st domain.Store, cities int) error {
	if cities > 0 {
		b := synth.Generate(SynthSeed, cities)
		if _, err := st.Apply(ctx, b, domain.ApplyOptions{BatchRows: 20_000}); err != nil {
			return fmt.Errorf("loading %d synthetic cities: %w", cities, err)
		}
	}
	if _, err := seed.LoadProject(ctx, st); err != nil {
		return fmt.Errorf("loading the seed data: %w", err)
	}
	return nil
}
