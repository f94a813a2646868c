package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"

	"github.com/citygraph/citygraph/domain"
)

// The decorated store is always a domain.Writer: every store implements
// it (the contract suite requires it), so the three calls are counted and
// traced like the others and passed through. A store without it (a test
// double) answers EINTERNAL.
var _ domain.Writer = (*store)(nil)

func (s *store) writer() (domain.Writer, error) {
	w, ok := s.next.(domain.Writer)
	if !ok {
		return nil, domain.Errorf(domain.EINTERNAL, "this store keeps no change log")
	}
	return w, nil
}

func (s *store) Write(ctx context.Context, wr *domain.Write) (*domain.ChangeSet, error) {
	w, err := s.writer()
	if err != nil {
		return nil, err
	}
	var attrs []attribute.KeyValue
	if wr != nil {
		attrs = append(attrs, attribute.Int("citygraph.store.rows", len(wr.Nodes)+len(wr.Edges)),
			attribute.String("citygraph.store.operation", wr.Operation), attribute.Bool("citygraph.store.dry_run", wr.DryRun))
	}
	return observe(ctx, s.t, "Write", func(ctx context.Context) (*domain.ChangeSet, error) {
		return w.Write(ctx, wr)
	}, attrs...)
}

func (s *store) Changes(ctx context.Context, after int64, first int) ([]domain.ChangeSet, error) {
	w, err := s.writer()
	if err != nil {
		return nil, err
	}
	return observe(ctx, s.t, "Changes", func(ctx context.Context) ([]domain.ChangeSet, error) {
		return w.Changes(ctx, after, first)
	})
}

func (s *store) History(ctx context.Context, key domain.NodeKey, first int) ([]domain.ChangeSet, error) {
	w, err := s.writer()
	if err != nil {
		return nil, err
	}
	return observe(ctx, s.t, "History", func(ctx context.Context) ([]domain.ChangeSet, error) {
		return w.History(ctx, key, first)
	})
}
