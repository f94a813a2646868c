package storetest

import (
	"fmt"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// Synth is the synthetic graph the analytic oracles run on.
func Synth(t testing.TB) *domain.Batch {
	t.Helper()
	return synth.Generate(42, 300)
}

// withSynth opens a store holding Synth and an oracle over the same graph.
func withSynth(t *testing.T, open func(*testing.T) domain.Store) (domain.Store, *oracle) {
	t.Helper()
	s := open(t)
	b := Synth(t)
	mustApply(t, s, b)
	return s, newOracle(Synth(t))
}

// synthCity is the slug synth gives its i-th city.
func synthCity(i int) string { return fmt.Sprintf("city-%05d", i) }
