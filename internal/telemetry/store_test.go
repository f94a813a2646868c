package telemetry_test

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	dto "github.com/prometheus/client_model/go"
)

func TestStoreCountsCallsByMethodAndOutcome(t *testing.T) {
	s := newService(t, telemetry.Options{Metrics: true}, nil)
	before := s.scrape(t)
	ctx := context.Background()
	nanning := domain.NodeKey{Kind: domain.KindCity, ID: "nanning"}
	for range 2 {
		if _, err := s.store.Nodes(ctx, []domain.NodeKey{nanning}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.store.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Neighbourhood(ctx, domain.NeighbourhoodQuery{Center: domain.NodeKey{Kind: domain.KindCity, ID: "no-such-city"}}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("Neighbourhood of a missing city: got %v, want NOT_FOUND", err)
	}
	after := s.scrape(t)

	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"citygraph_store_calls_total", map[string]string{"method": "Nodes", "code": "OK"}, 2},
		{"citygraph_store_calls_total", map[string]string{"method": "Ping", "code": "OK"}, 1},
		{"citygraph_store_calls_total", map[string]string{"method": "Neighbourhood", "code": "NOT_FOUND"}, 1},
		{"citygraph_store_calls_total", map[string]string{"method": "Neighbourhood", "code": "OK"}, 0},
		{"citygraph_store_call_duration_seconds", map[string]string{"method": "Nodes"}, 2},
		{"citygraph_store_call_duration_seconds", map[string]string{"method": "Neighbourhood"}, 1},
	} {
		got := value(t, after, c.name, c.labels) - value(t, before, c.name, c.labels)
		if got != c.want {
			t.Errorf("%s%v grew by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

func TestStoreCountsSeedRows(t *testing.T) {
	// newService loaded the project's seed data once through the decorator.
	s := newService(t, telemetry.Options{Metrics: true}, nil)
	first := s.scrape(t)
	dry, err := seed.Load(context.Background(), s.store, seed.ProjectFS(), []string{"."}, seed.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	afterDry := s.scrape(t)
	if _, err := seed.LoadProject(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	second := s.scrape(t)

	cities := dry.Report.Nodes[domain.KindCity]
	if cities.Unchanged == 0 {
		t.Fatalf("the dry run found no unchanged cities (%+v); the seed data has cities", cities)
	}
	rows := func(families map[string]*dto.MetricFamily, kind, outcome string) float64 {
		return value(t, families, "citygraph_seed_rows_total", map[string]string{"kind": kind, "outcome": outcome})
	}
	all := func(families map[string]*dto.MetricFamily) float64 {
		return value(t, families, "citygraph_seed_rows_total", nil)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"cities created by the first load", rows(first, "City", "created"), float64(cities.Unchanged)},
		{"partnerships created by the first load", rows(first, "PARTNER_OF", "created"), float64(dry.Report.Edges[domain.EdgePartnerOf].Unchanged)},
		{"rows counted for a dry run", all(afterDry) - all(first), 0},
		{"cities unchanged by the second load", rows(second, "City", "unchanged"), float64(cities.Unchanged)},
		{"cities created by the second load", rows(second, "City", "created") - rows(first, "City", "created"), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// loadLogStore is a store that keeps a load log, as the Neo4j store does.
type loadLogStore struct {
	domain.Store
	asked []int
}

func (s *loadLogStore) Loads(_ context.Context, first int) ([]domain.Load, error) {
	s.asked = append(s.asked, first)
	return []domain.Load{{ID: "digest", Parts: 3, PartsDone: 2}}, nil
}

func TestStoreKeepsTheLoadLogOnlyWhereThereIsOne(t *testing.T) {
	base, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	tel := telemetry.New(telemetry.Options{Metrics: true})

	t.Run("a store without a load log gets none", func(t *testing.T) {
		if _, ok := domain.Store(base).(domain.LoadLog); ok {
			t.Fatal("the embedded store keeps a load log; this test needs a store that does not")
		}
		if _, ok := tel.Store(base).(domain.LoadLog); ok {
			t.Error("the decorated embedded store implements domain.LoadLog; want it not to, as the store it wraps")
		}
	})
	t.Run("a store with a load log passes it through, counted", func(t *testing.T) {
		inner := &loadLogStore{Store: base}
		log, ok := tel.Store(inner).(domain.LoadLog)
		if !ok {
			t.Fatal("the decorated store does not implement domain.LoadLog; the GraphQL layer would list no loads")
		}
		loads, err := log.Loads(context.Background(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(loads) != 1 || loads[0].ID != "digest" || len(inner.asked) != 1 || inner.asked[0] != 7 {
			t.Errorf("Loads(7): got %+v, inner store asked %v; want the inner store's one load, asked for 7", loads, inner.asked)
		}
		got := scrape(t, tel.MetricsHandler())
		if v := value(t, got, "citygraph_store_calls_total", map[string]string{"method": "Loads", "code": "OK"}); v != 1 {
			t.Errorf("Loads calls counted: got %v, want 1", v)
		}
	})
}
