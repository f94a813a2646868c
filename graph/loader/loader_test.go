package loader_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// countingStore counts the reads that reach the store.
type countingStore struct {
	domain.Store
	nodes, edges, lists atomic.Int64
}

func (s *countingStore) Nodes(ctx context.Context, k []domain.NodeKey) ([]domain.Node, error) {
	s.nodes.Add(1)
	return s.Store.Nodes(ctx, k)
}

func (s *countingStore) Edges(ctx context.Context, q domain.EdgeQuery, a []domain.NodeKey) ([]domain.EdgePage, error) {
	s.edges.Add(1)
	return s.Store.Edges(ctx, q, a)
}

func (s *countingStore) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	s.lists.Add(1)
	return s.Store.ListNodes(ctx, q)
}

func store(t *testing.T) *countingStore {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Apply(context.Background(), synth.Generate(7, 50), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return &countingStore{Store: st}
}

func TestLoadersAnswerFromThePlanFirst(t *testing.T) {
	ctx := context.Background()
	st := store(t)
	city := domain.NodeKey{Kind: domain.KindCity, ID: "city-00001"}
	other := domain.NodeKey{Kind: domain.KindCity, ID: "city-00002"}
	partners := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 5}}
	if err := partners.Normalize(); err != nil {
		t.Fatal(err)
	}
	pages, err := st.Store.Edges(ctx, partners, []domain.NodeKey{city})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := st.Store.Nodes(ctx, []domain.NodeKey{city})
	if err != nil {
		t.Fatal(err)
	}
	list := domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 3}}
	if err := list.Normalize(); err != nil {
		t.Fatal(err)
	}
	listed, err := st.Store.ListNodes(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	a := domain.NewAnswers()
	a.Nodes[city] = nodes[0]
	a.SetPage(partners.Signature(), city, pages[0])
	a.Lists[list.Signature()] = listed

	l := loader.New(st)
	l.Answer(a)
	t.Run("what the plan read costs no store call", func(t *testing.T) {
		if n, err := l.Node(ctx, city); err != nil || n == nil || n.Key() != city {
			t.Errorf("Node = %v, %v; want %s", n, err, city)
		}
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 5}} // not normalized: the loader does it
		if p, err := l.Edges(ctx, q, city); err != nil || len(p.Items) != len(pages[0].Items) {
			t.Errorf("Edges = %d items, %v; want the plan's %d", len(p.Items), err, len(pages[0].Items))
		}
		if p, err := l.ListNodes(ctx, domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 3}}); err != nil || p.TotalCount != listed.TotalCount {
			t.Errorf("ListNodes = %+v, %v; want the plan's page", p, err)
		}
		if n, e, ls := st.nodes.Load(), st.edges.Load(), st.lists.Load(); n+e+ls != 0 {
			t.Errorf("store calls: nodes %d, edges %d, lists %d; want none", n, e, ls)
		}
	})
	t.Run("only what the plan missed is read, once", func(t *testing.T) {
		for range 2 {
			ns, err := l.Nodes(ctx, []domain.NodeKey{city, other})
			if err != nil || ns[0] == nil || ns[1] == nil || ns[1].Key() != other {
				t.Fatalf("Nodes = %v, %v; want both cities", ns, err)
			}
			if _, err := l.Edges(ctx, domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 5}}, other); err != nil {
				t.Fatal(err)
			}
		}
		if n, e := st.nodes.Load(), st.edges.Load(); n != 1 || e != 1 {
			t.Errorf("store calls: nodes %d, edges %d; want one each, for the city the plan missed", n, e)
		}
	})
	t.Run("a bad query is refused before any read", func(t *testing.T) {
		before := st.edges.Load()
		_, err := l.Edges(ctx, domain.EdgeQuery{Kind: "NO_SUCH_KIND"}, city)
		if domain.ErrorCode(err) != domain.EINVALID || st.edges.Load() != before {
			t.Errorf("err = %v, edges calls %d → %d; want INVALID_ARGUMENT and no call", err, before, st.edges.Load())
		}
	})
}
