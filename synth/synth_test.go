package synth_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
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

// TestGenerateSharesNoKeyWithTheProjectData loads the project's seed data,
// then a synthetic graph with every private-use country code: a synthetic
// key that named a real node would overwrite it (China as "Country CN").
func TestGenerateSharesNoKeyWithTheProjectData(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatalf("embedded.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := seed.LoadProject(ctx, st); err != nil {
		t.Fatalf("LoadProject: %v", err)
	}
	b := synth.Generate(7, 25*synth.MaxCountries)

	t.Run("no synthetic node key names a node of the seed data", func(t *testing.T) {
		keys := make([]domain.NodeKey, len(b.Nodes))
		for i, n := range b.Nodes {
			keys[i] = n.Key()
		}
		found, err := st.Nodes(ctx, keys)
		if err != nil {
			t.Fatalf("Nodes: %v", err)
		}
		for _, n := range found {
			if n != nil {
				t.Errorf("synthetic key %s is in the seed data", n.Key())
			}
		}
	})

	t.Run("loading the synthetic graph after the seed data changes nothing of it", func(t *testing.T) {
		rep, err := st.Apply(ctx, b, domain.ApplyOptions{})
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		for k, c := range rep.Nodes {
			if c.Updated != 0 || c.Unchanged != 0 {
				t.Errorf("%s: got %d updated and %d unchanged, want every node created", k, c.Updated, c.Unchanged)
			}
		}
		for k, c := range rep.Edges {
			if c.Updated != 0 || c.Unchanged != 0 {
				t.Errorf("%s: got %d updated and %d unchanged, want every relation created", k, c.Updated, c.Unchanged)
			}
		}
	})

	t.Run("countries are the private-use codes", func(t *testing.T) {
		var got []string
		for _, n := range b.Nodes {
			if n.Key().Kind == domain.KindCountry {
				got = append(got, n.Key().ID)
			}
		}
		want := []string{"AA", "QM", "QN", "QO", "QP", "QQ", "QR", "QS", "QT", "QU", "QV", "QW", "QX", "QY", "QZ",
			"XA", "XB", "XC", "XD", "XE", "XF", "XG", "XH", "XI", "XJ", "XL", "XM", "XN", "XO", "XP", "XQ", "XR",
			"XS", "XT", "XU", "XV", "XW", "XX", "XY", "XZ", "ZZ"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got countries %v, want %v", got, want)
		}
	})
}
