package synth_test

import (
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

func TestGenerate(t *testing.T) {
	b := synth.Generate(42, 300)

	t.Run("the same seed gives the same graph", func(t *testing.T) {
		if !reflect.DeepEqual(b, synth.Generate(42, 300)) {
			t.Error("two batches from seed 42 differ")
		}
		if reflect.DeepEqual(b, synth.Generate(43, 300)) {
			t.Error("seeds 42 and 43 gave the same batch")
		}
	})

	t.Run("every node and edge is valid and every reference resolves", func(t *testing.T) {
		keys := map[domain.NodeKey]bool{}
		for _, n := range b.Nodes {
			if ps := domain.ValidateNode(n); len(ps) > 0 {
				t.Errorf("%s: %v", n.Key(), ps)
			}
			if keys[n.Key()] {
				t.Errorf("%s twice", n.Key())
			}
			keys[n.Key()] = true
		}
		edges := map[domain.EdgeKey]bool{}
		for i := range b.Edges {
			e := &b.Edges[i]
			if ps := domain.ValidateEdge(e); len(ps) > 0 {
				t.Errorf("%s: %v", e.Key(), ps)
			}
			if !keys[e.From] || !keys[e.To] {
				t.Errorf("%s has an end outside the batch", e.Key())
			}
			if edges[e.Key()] {
				t.Errorf("%s twice", e.Key())
			}
			edges[e.Key()] = true
		}
	})

	t.Run("cities have about ten partners and projects several currencies", func(t *testing.T) {
		counts := map[domain.EdgeKind]int{}
		currencies := map[domain.Currency]bool{}
		for _, e := range b.Edges {
			counts[e.Kind]++
			if e.Amount != nil {
				currencies[e.Amount.Currency] = true
			}
		}
		if got, want := 2*counts[domain.EdgePartnerOf]/300, 10; got != want {
			t.Errorf("got %d partners per city on average, want %d", got, want)
		}
		if len(currencies) < 2 {
			t.Errorf("got financings in %d currencies, want several", len(currencies))
		}
		for _, k := range []domain.EdgeKind{domain.EdgeAttended, domain.EdgeSigned, domain.EdgeFinanced, domain.EdgeLocatedIn, domain.EdgeMemberOf, domain.EdgeOrganised} {
			if counts[k] == 0 {
				t.Errorf("no %s relations", k)
			}
		}
	})
}
