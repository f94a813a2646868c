package telemetry

import (
	"context"
	"time"

	"github.com/citygraph/citygraph/domain"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Store returns st with every call counted, timed and traced (a span per
// call, a child of the request's span). It implements domain.LoadLog
// exactly when st does, and domain.PlanRunner likewise (plan.go), since
// the GraphQL layer asks for them by assertion.
func (t *Telemetry) Store(st domain.Store) domain.Store {
	s := &store{next: st, t: t}
	if log, ok := st.(domain.LoadLog); ok {
		return withPlans(&storeWithLoadLog{store: s, log: log}, st)
	}
	return withPlans(s, st)
}

type store struct {
	next domain.Store
	t    *Telemetry
}

var _ domain.Store = (*store)(nil)

// observe runs one store call inside its span and records its metrics.
func observe[T any](ctx context.Context, t *Telemetry, method string, call func(context.Context) (T, error), attrs ...attribute.KeyValue) (T, error) {
	ctx, span := t.tracer.Start(ctx, "store."+method, trace.WithAttributes(attrs...))
	defer span.End()
	start := time.Now()
	v, err := call(ctx)
	t.metrics.storeCall(method, err, time.Since(start))
	if err != nil {
		code := domain.ErrorCode(err)
		span.SetAttributes(semconv.ErrorTypeKey.String(string(code)))
		// A bad query or a missing node is the caller's; these are the store's.
		if code == domain.EINTERNAL || code == domain.EUNAVAILABLE || code == domain.ETIMEOUT {
			span.SetStatus(codes.Error, err.Error())
		}
	}
	return v, err
}

// keys is the batch size of a read, which says more about its cost than
// the query does.
func keys(n int) attribute.KeyValue { return attribute.Int("citygraph.store.keys", n) }

func (s *store) Nodes(ctx context.Context, ks []domain.NodeKey) ([]domain.Node, error) {
	return observe(ctx, s.t, "Nodes", func(ctx context.Context) ([]domain.Node, error) {
		return s.next.Nodes(ctx, ks)
	}, keys(len(ks)))
}

func (s *store) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	return observe(ctx, s.t, "ListNodes", func(ctx context.Context) (domain.NodePage, error) {
		return s.next.ListNodes(ctx, q)
	})
}

func (s *store) Edges(ctx context.Context, q domain.EdgeQuery, anchors []domain.NodeKey) ([]domain.EdgePage, error) {
	return observe(ctx, s.t, "Edges", func(ctx context.Context) ([]domain.EdgePage, error) {
		return s.next.Edges(ctx, q, anchors)
	}, keys(len(anchors)))
}

func (s *store) Neighbourhood(ctx context.Context, q domain.NeighbourhoodQuery) (domain.Subgraph, error) {
	return observe(ctx, s.t, "Neighbourhood", func(ctx context.Context) (domain.Subgraph, error) {
		return s.next.Neighbourhood(ctx, q)
	})
}

// Apply also counts the rows a load wrote, by kind and outcome.
func (s *store) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	rows := 0
	if b != nil {
		rows = len(b.Nodes) + len(b.Edges)
	}
	rep, err := observe(ctx, s.t, "Apply", func(ctx context.Context) (domain.Report, error) {
		return s.next.Apply(ctx, b, opt)
	}, attribute.Int("citygraph.store.rows", rows), attribute.Bool("citygraph.store.dry_run", opt.DryRun))
	if !opt.DryRun {
		s.t.metrics.seedLoaded(rep) // a failed load reports nothing written
	}
	return rep, err
}

func (s *store) Paths(ctx context.Context, q domain.PathQuery) ([]domain.Path, error) {
	return observe(ctx, s.t, "Paths", func(ctx context.Context) ([]domain.Path, error) {
		return s.next.Paths(ctx, q)
	})
}

func (s *store) FundingTotals(ctx context.Context, q domain.FundingQuery) ([]domain.FundingTotal, error) {
	return observe(ctx, s.t, "FundingTotals", func(ctx context.Context) ([]domain.FundingTotal, error) {
		return s.next.FundingTotals(ctx, q)
	})
}

func (s *store) RankCities(ctx context.Context, q domain.RankQuery) ([]domain.RankedCity, error) {
	return observe(ctx, s.t, "RankCities", func(ctx context.Context) ([]domain.RankedCity, error) {
		return s.next.RankCities(ctx, q)
	})
}

func (s *store) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	return observe(ctx, s.t, "SuggestPartners", func(ctx context.Context) ([]domain.Suggestion, error) {
		return s.next.SuggestPartners(ctx, q)
	})
}

func (s *store) Near(ctx context.Context, q domain.NearQuery) ([]domain.NearCity, error) {
	return observe(ctx, s.t, "Near", func(ctx context.Context) ([]domain.NearCity, error) {
		return s.next.Near(ctx, q)
	})
}

func (s *store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	return observe(ctx, s.t, "Search", func(ctx context.Context) ([]domain.SearchHit, error) {
		return s.next.Search(ctx, q)
	})
}

func (s *store) Ping(ctx context.Context) error {
	_, err := observe(ctx, s.t, "Ping", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.next.Ping(ctx)
	})
	return err
}

func (s *store) Close() error {
	_, err := observe(context.Background(), s.t, "Close", func(context.Context) (struct{}, error) {
		return struct{}{}, s.next.Close()
	})
	return err
}

// storeWithLoadLog is the decorated store of a store that keeps a load log.
type storeWithLoadLog struct {
	*store
	log domain.LoadLog
}

var _ domain.LoadLog = (*storeWithLoadLog)(nil)

func (s *storeWithLoadLog) Loads(ctx context.Context, first int) ([]domain.Load, error) {
	return observe(ctx, s.t, "Loads", func(ctx context.Context) ([]domain.Load, error) {
		return s.log.Loads(ctx, first)
	})
}
