package telemetry_test

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/embedded"
)

// planStore runs plans, as both stores do once they implement domain.PlanRunner.
type planStore struct {
	domain.Store
	runs int
}

func (s *planStore) Run(context.Context, *domain.Plan) (*domain.Answers, error) {
	s.runs++
	return domain.NewAnswers(), nil
}

// planLogStore runs plans and keeps a load log, as the Neo4j store does.
type planLogStore struct{ planStore }

func (s *planLogStore) Loads(context.Context, int) ([]domain.Load, error) { return nil, nil }

func TestStoreRunsPlansOnlyWhereTheStoreDoes(t *testing.T) {
	base, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	tel := telemetry.New(telemetry.Options{Metrics: true})
	plain := &loadLogStore{Store: base}
	if _, ok := domain.Store(plain).(domain.PlanRunner); ok {
		t.Fatal("the test's plain store runs plans; it must not")
	}
	cases := []struct {
		name     string
		st       domain.Store
		wantLogs bool
	}{
		{"a store that runs plans", &planStore{Store: base}, false},
		{"a store that runs plans and keeps a load log", &planLogStore{planStore{Store: base}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := tel.Store(c.st)
			run, ok := d.(domain.PlanRunner)
			if !ok {
				t.Fatal("the decorated store does not implement domain.PlanRunner; requests would not be planned")
			}
			if _, err := run.Run(context.Background(), &domain.Plan{}); err != nil {
				t.Fatal(err)
			}
			var runs int
			switch s := c.st.(type) {
			case *planStore:
				runs = s.runs
			case *planLogStore:
				runs = s.runs
			}
			if runs != 1 {
				t.Errorf("inner Run calls = %d, want 1", runs)
			}
			if _, ok := d.(domain.LoadLog); ok != c.wantLogs {
				t.Errorf("decorated store implements domain.LoadLog: %v, want %v", ok, c.wantLogs)
			}
		})
	}
	t.Run("a store that does not run plans", func(t *testing.T) {
		if _, ok := tel.Store(plain).(domain.PlanRunner); ok {
			t.Error("the decorated store implements domain.PlanRunner while the store it wraps does not")
		}
	})
}
