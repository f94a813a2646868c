package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// expiringContext is a context whose deadline passes at its at-th look:
// Err returns nil before and DeadlineExceeded from then on (never, when at
// is 0). It counts the looks, so a test measures work in checks, not time.
type expiringContext struct {
	context.Context
	at    int64
	cause error
	looks atomic.Int64
}

func expiring(at int64) *expiringContext {
	return &expiringContext{Context: context.Background(), at: at, cause: context.DeadlineExceeded}
}

func (c *expiringContext) Err() error {
	if n := c.looks.Add(1); c.at > 0 && n >= c.at {
		return c.cause
	}
	return nil
}

// deadlineCities is the size of the synthetic graph the deadline tests
// share: large enough that every read below looks at its context several
// times.
const deadlineCities = 20_000

var deadlineStore = sync.OnceValues(func() (*embedded.Store, error) {
	s, err := embedded.Open("")
	if err != nil {
		return nil, err
	}
	if _, err := s.Apply(context.Background(), synth.Generate(7, deadlineCities), domain.ApplyOptions{}); err != nil {
		return nil, err
	}
	return s, nil
})

// fundedCity returns a city with a financed project: suggesting its
// partners walks the financings of every body that funds it.
func fundedCity(s *embedded.Store) (string, error) {
	totals, err := s.FundingTotals(context.Background(), domain.FundingQuery{GroupBy: domain.GroupByCity})
	if err != nil || len(totals) == 0 {
		return "", fmt.Errorf("finding a funded city: %v (%d totals)", err, len(totals))
	}
	return totals[0].Group, nil
}

// deadlineReads are the reads whose loops can be long, each asked
// something that makes it visit much of the graph.
var deadlineReads = []struct {
	name string
	run  func(ctx context.Context, s *embedded.Store) error
}{
	{"paths over every kind of link", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.Paths(ctx, domain.PathQuery{From: "city-00001", To: "city-05001", K: 10, MaxHops: 4})
		return err
	}},
	{"funding totals over every financing", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.FundingTotals(ctx, domain.FundingQuery{GroupBy: domain.GroupByCity})
		return err
	}},
	{"funding totals of one body", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.FundingTotals(ctx, domain.FundingQuery{GroupBy: domain.GroupByYear, FundingBody: "aiib"})
		return err
	}},
	{"ranking by partners", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.RankCities(ctx, domain.RankQuery{Metric: domain.RankByPartners, AsOf: "2020"})
		return err
	}},
	{"ranking by funding", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.RankCities(ctx, domain.RankQuery{Metric: domain.RankByFunding, Currency: "USD"})
		return err
	}},
	{"suggestions", func(ctx context.Context, s *embedded.Store) error {
		c, err := fundedCity(s)
		if err != nil {
			return err
		}
		_, err = s.SuggestPartners(ctx, domain.SuggestQuery{City: c})
		return err
	}},
	{"near", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.Near(ctx, domain.NearQuery{Point: &domain.GeoPoint{Lat: 20, Lon: 110}, RadiusKm: 20_000, First: 50})
		return err
	}},
	{"search", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.Search(ctx, domain.SearchQuery{Text: "silk road"})
		return err
	}},
	{"list nodes", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.ListNodes(ctx, domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Grouping: "asean"}})
		return err
	}},
	{"edges of many anchors", func(ctx context.Context, s *embedded.Store) error {
		anchors := make([]domain.NodeKey, 1000)
		for i := range anchors {
			anchors[i] = domain.NodeKey{Kind: domain.KindCity, ID: city(i, deadlineCities)}
		}
		_, err := s.Edges(ctx, domain.EdgeQuery{Kind: domain.EdgePartnerOf}, anchors)
		return err
	}},
	{"a plan three levels deep", func(ctx context.Context, s *embedded.Store) error {
		partners := domain.EdgeQuery{Kind: domain.EdgePartnerOf}
		_, err := s.Run(ctx, &domain.Plan{Roots: []domain.Root{{List: &domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: domain.MaxPageSize}},
			Reach: domain.Reach{Follow: []domain.Follow{{Query: partners, All: true, Ends: &domain.Reach{Follow: []domain.Follow{{Query: partners, All: true,
				Ends: &domain.Reach{Sources: true, Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgeInCountry}, Ends: &domain.Reach{}}}}}}}}}}}}})
		return err
	}},
	{"neighbourhood", func(ctx context.Context, s *embedded.Store) error {
		_, err := s.Neighbourhood(ctx, domain.NeighbourhoodQuery{Center: domain.NodeKey{Kind: domain.KindFundingBody, ID: "aiib"}, Depth: 3, Limit: 500})
		return err
	}},
}

// TestReadsStopAtTheDeadline passes each long read a context whose
// deadline passes at its n-th look, for n from the first look to the last
// that an unhurried run makes. The read must answer TIMEOUT and look no
// more after that: it stopped within one check interval of the deadline.
func TestReadsStopAtTheDeadline(t *testing.T) {
	s, err := deadlineStore()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range deadlineReads {
		t.Run(tc.name, func(t *testing.T) {
			free := expiring(0)
			if err := tc.run(free, s); err != nil {
				t.Fatalf("with no deadline: %v", err)
			}
			looks := free.looks.Load()
			t.Logf("an unhurried run looks at its context %d times", looks)
			// One look before the read starts, then one per check interval:
			// fewer than three means the loops never looked.
			if looks < 3 {
				t.Fatalf("an unhurried run looked at its context %d times; want at least 3 (the read's loops do not check it, or the graph is too small)", looks)
			}
			for _, at := range []int64{1, 2, looks / 2, looks - 1, looks} {
				ctx := expiring(at)
				err := tc.run(ctx, s)
				if got := domain.ErrorCode(err); got != domain.ETIMEOUT {
					t.Fatalf("deadline at look %d of %d: got %v (code %q), want code %s", at, looks, err, got, domain.ETIMEOUT)
				}
				if got := ctx.looks.Load(); got != at {
					t.Errorf("deadline at look %d of %d: the read looked %d times; want it to stop at the look that saw the deadline", at, looks, got)
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("deadline at look %d: %v does not wrap context.DeadlineExceeded", at, err)
				}
				if msg := domain.ErrorMessage(err); !strings.Contains(msg, "longer than the server allows") || !strings.Contains(msg, "ask for less") {
					t.Errorf("message %q; want it to say the request took too long and how to ask for less", msg)
				}
			}
		})
	}
}

// TestCancelledReadIsTimeout: a client that goes away stops the read the
// same way, with a message that says it was cancelled.
func TestCancelledReadIsTimeout(t *testing.T) {
	s, err := deadlineStore()
	if err != nil {
		t.Fatal(err)
	}
	ctx := expiring(3)
	ctx.cause = context.Canceled
	_, err = s.Near(ctx, domain.NearQuery{Point: &domain.GeoPoint{Lat: 20, Lon: 110}, RadiusKm: 20_000})
	if got := domain.ErrorCode(err); got != domain.ETIMEOUT {
		t.Fatalf("got %v (code %q), want code %s", err, got, domain.ETIMEOUT)
	}
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "cancelled") {
		t.Errorf("message %q; want it to say the request was cancelled", msg)
	}
	if got := ctx.looks.Load(); got != 3 {
		t.Errorf("the read looked %d times; want 3, stopping at the look that saw the cancellation", got)
	}
}
