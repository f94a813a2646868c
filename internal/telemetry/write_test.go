package telemetry_test

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
)

func TestStorePassesTheWriterThrough(t *testing.T) {
	s := newService(t, telemetry.Options{Metrics: true}, nil)
	w, ok := s.store.(domain.Writer)
	if !ok {
		t.Fatal("the decorated store is not a domain.Writer; no write could reach the store")
	}
	before := s.scrape(t)
	ctx := context.Background()
	if _, err := w.Write(ctx, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{{Mode: domain.Update,
		Node: &domain.City{Meta: domain.Meta{ID: "no-such-city", Sources: []string{"x"}}}}}}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("update of a missing city: got %v, want NOT_FOUND", err)
	}
	if _, err := w.Changes(ctx, 0, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := w.History(ctx, domain.NodeKey{Kind: domain.KindCity, ID: "nanning"}, 10); err != nil {
		t.Fatal(err)
	}
	after := s.scrape(t)
	for _, c := range []struct {
		method, code string
	}{{"Write", "NOT_FOUND"}, {"Changes", "OK"}, {"History", "OK"}} {
		labels := map[string]string{"method": c.method, "code": c.code}
		if got := value(t, after, "citygraph_store_calls_total", labels) - value(t, before, "citygraph_store_calls_total", labels); got != 1 {
			t.Errorf("citygraph_store_calls_total%v grew by %v, want 1", labels, got)
		}
	}
}
