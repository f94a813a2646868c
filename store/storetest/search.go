package storetest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

var searchTests = []test{
	{"fixture: English and Chinese", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, b := withFixture(t, open)
		o := newOracle(b)
		cases := []struct {
			q     domain.SearchQuery
			first domain.NodeKey // the best hit
		}{
			{domain.SearchQuery{Text: "南宁"}, cityKey("nanning")},
			{domain.SearchQuery{Text: "Nanning"}, cityKey("nanning")},
			{domain.SearchQuery{Text: "nanning consensus"}, domain.NodeKey{Kind: domain.KindAgreement, ID: "nanning-consensus"}},
			{domain.SearchQuery{Text: "丝路"}, fbKey("srf")},
			{domain.SearchQuery{Text: "亚投行"}, fbKey("aiib")},
			{domain.SearchQuery{Text: "  aiib "}, fbKey("aiib")},
			{domain.SearchQuery{Text: "mayors", Kinds: []domain.Kind{domain.KindOrganization}}, orgKey("china-association-of-mayors")},
			{domain.SearchQuery{Text: "belt initiative"}, domain.NodeKey{Kind: domain.KindInitiative, ID: "belt-and-road"}},
		}
		for _, tc := range cases {
			t.Run(tc.q.Text, func(t *testing.T) {
				got := must[[]domain.SearchHit](t)(s.Search(context.Background(), tc.q))
				if len(got) == 0 || got[0].Key != tc.first {
					t.Fatalf("got %+v, want %s first", got, tc.first)
				}
				eqValue(t, "hits", got, o.search(tc.q))
			})
		}
		none := must[[]domain.SearchHit](t)(s.Search(context.Background(), domain.SearchQuery{Text: "Atlantis"}))
		if len(none) != 0 {
			t.Errorf("got %+v for Atlantis, want nothing", none)
		}
	}},
	{"synthetic graph: hits match a plain substring scan", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, o := withSynth(t, open)
		for _, q := range []domain.SearchQuery{
			{Text: "city 0001", First: 100},
			{Text: "城市0002", First: 100},
			{Text: "城市00021"},
			{Text: "Silk Road", First: 100},
			{Text: "silk port", First: 100},
			{Text: "Port 7"},
			{Text: "论坛", Kinds: []domain.Kind{domain.KindForum, domain.KindForumSeries}, First: 100},
			{Text: "bank", Kinds: []domain.Kind{domain.KindFundingBody}},
			{Text: "project 0004", First: 5},
		} {
			t.Run(q.Text, func(t *testing.T) {
				got := must[[]domain.SearchHit](t)(s.Search(context.Background(), q))
				want := o.search(q)
				if len(want) == 0 {
					t.Fatalf("the oracle finds nothing for %q; the query checks nothing", q.Text)
				}
				eqValue(t, "hits", got, want)
			})
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.SearchQuery{
			"empty text":      {Text: "  "},
			"an unknown kind": {Text: "x", Kinds: []domain.Kind{"Planet"}},
			"first over 100":  {Text: "x", First: 101},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Search(context.Background(), q)
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}

// wantMostAnswered guards the oracle comparisons against checking nothing:
// if most queries have empty answers, the generated graph no longer
// exercises the analytic and the queries need choosing again.
func wantMostAnswered(t *testing.T, answered, total int) {
	t.Helper()
	if answered*2 < total {
		t.Errorf("only %d of %d queries have a non-empty answer; choose queries that exercise the analytic", answered, total)
	}
}

// searchScore is the contract's scoring (see the package comment); 0 is no match.
func searchScore(n domain.Node, text string) float64 {
	m := n.Base()
	t := strings.ToLower(text)
	names := append([]string{m.Name, m.NameZh}, m.Aliases...)
	for i := range names {
		names[i] = strings.ToLower(names[i])
	}
	all := append(slices.Clone(names), strings.ToLower(m.Description))
	switch {
	case slices.Contains(names, t):
		return 3
	case slices.ContainsFunc(names, func(s string) bool { return s != "" && strings.HasPrefix(s, t) }):
		return 2
	case slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, t) }):
		return 1
	}
	words := strings.Fields(t)
	if len(words) < 2 {
		return 0
	}
	for _, w := range words {
		if !slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, w) }) {
			return 0
		}
	}
	return 0.5
}

func (o *oracle) search(q domain.SearchQuery) []domain.SearchHit {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	var out []domain.SearchHit
	for k, n := range o.nodes {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, k.Kind) {
			continue
		}
		if s := searchScore(n, q.Text); s > 0 {
			out = append(out, domain.SearchHit{Key: k, Score: s})
		}
	}
	slices.SortFunc(out, func(a, b domain.SearchHit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Key.Kind, b.Key.Kind), cmp.Compare(a.Key.ID, b.Key.ID))
	})
	return out[:min(len(out), q.First)]
}
