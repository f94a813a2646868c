package storetest

import (
	"context"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

var edgesTests = []test{
	{"filters, directions and orders", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		topic := func(id string) string { return id }
		cases := []struct {
			name   string
			q      domain.EdgeQuery
			anchor domain.NodeKey
			want   []string
		}{
			{"the 2015 forum's two hosts", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: domain.RoleHost}, Forum2015Key,
				[]string{"china-association-of-mayors", "china-asean-expo-secretariat"}},
			{"the 2015 forum's four organisers", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, Role: domain.RoleOrganiser}, Forum2015Key,
				[]string{"guangxi-academy-of-social-sciences", "guangxi-association-of-mayors", "guangxi-honghao", "nanning-government"}},
			{"organisers seated in China", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, OtherCountry: "CN", Order: domain.OrderByOtherName}, Forum2015Key,
				[]string{"china-association-of-mayors", "china-asean-expo-secretariat", "guangxi-academy-of-social-sciences", "guangxi-association-of-mayors", "guangxi-honghao", "nanning-government"}},
			{"organisers seated in Thailand", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.In, OtherCountry: "TH"}, Forum2015Key, nil},
			{"no organised edges leave a forum", domain.EdgeQuery{Kind: domain.EdgeOrganised, Direction: domain.Out}, Forum2015Key, nil},
			{"the funding bodies the forum called on", domain.EdgeQuery{Kind: domain.EdgeCalledOn, Direction: domain.Out}, Forum2015Key,
				[]string{"adb", "aiib", "ndb", "srf"}},
			{"Nanning's partners by name", domain.EdgeQuery{Kind: domain.EdgePartnerOf}, cityKey("nanning"), []string{"davao-city", "ipoh", "yangon"}},
			{"Nanning's partners by date", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}, cityKey("nanning"), []string{"ipoh", "davao-city", "yangon"}},
			{"Nanning's partners newest first", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince, Desc: true}, cityKey("nanning"), []string{"yangon", "davao-city", "ipoh"}},
			{"Davao City's partners include Nanning", domain.EdgeQuery{Kind: domain.EdgePartnerOf}, cityKey("davao-city"), []string{"chongqing", "nanning"}},
			{"a partnership asked with direction out is still both ways", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Direction: domain.Out}, cityKey("davao-city"), []string{"chongqing", "nanning"}},
			{"Nanning's friendship cities", domain.EdgeQuery{Kind: domain.EdgePartnerOf, PartnershipKind: domain.PartnershipFriendshipCity}, cityKey("nanning"), []string{"ipoh", "yangon"}},
			{"Beijing's partners in Thailand", domain.EdgeQuery{Kind: domain.EdgePartnerOf, OtherCountry: "TH"}, cityKey("beijing"), []string{"bangkok"}},
			{"Nanning's partners as of 2006", domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2006"}, cityKey("nanning"), []string{"ipoh"}},
			{"an unknown start date counts as of any date", domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "1990"}, cityKey("beijing"), []string{"jakarta"}},
			{"unknown dates sort first", domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}, cityKey("beijing"), []string{"jakarta", "bangkok", "manila"}},
			{"what is held in Nanning", domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.In}, cityKey("nanning"), []string{"china-asean-expo", "camf-2015"}},
			{"only forums held in Nanning", domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.In, OtherKinds: []domain.Kind{domain.KindForum}}, cityKey("nanning"), []string{"camf-2015"}},
			{"nothing is held in Nanning going out", domain.EdgeQuery{Kind: domain.EdgeHeldIn, Direction: domain.Out}, cityKey("nanning"), nil},
			{"the agenda in order", domain.EdgeQuery{Kind: domain.EdgeDiscussed, Order: domain.OrderByPosition}, Forum2015Key, []string{topic("camf-2015-connectivity"), topic("camf-2015-partnerships")}},
			{"the agenda in reverse", domain.EdgeQuery{Kind: domain.EdgeDiscussed, Order: domain.OrderByPosition, Desc: true}, Forum2015Key, []string{topic("camf-2015-partnerships"), topic("camf-2015-connectivity")}},
			{"members of AIIB in the fixture", domain.EdgeQuery{Kind: domain.EdgeMemberOf, Direction: domain.In}, fbKey("aiib"),
				[]string{"KH", "ID", "LA", "MY", "MM", "PH", "TH", "VN"}},
			{"an anchor that does not exist", domain.EdgeQuery{Kind: domain.EdgePartnerOf}, cityKey("atlantis"), nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				pages := must[[]domain.EdgePage](t)(s.Edges(context.Background(), tc.q, []domain.NodeKey{tc.anchor}))
				if len(pages) != 1 {
					t.Fatalf("got %d pages, want 1", len(pages))
				}
				eqStrings(t, "other ends", others(tc.anchor, pages[0]), tc.want)
				if pages[0].TotalCount != len(tc.want) {
					t.Errorf("got totalCount %d, want %d", pages[0].TotalCount, len(tc.want))
				}
			})
		}
	}},
	{"a partnership is one stored relation whichever city is asked", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, PartnershipKind: domain.PartnershipSisterCity, OtherCountry: "PH"}
		pages := must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, []domain.NodeKey{cityKey("nanning")}))
		q.OtherCountry = "CN"
		back := must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, []domain.NodeKey{cityKey("davao-city")}))
		if len(pages[0].Items) != 1 || len(back[0].Items) == 0 {
			t.Fatalf("got %d and %d partnerships, want Nanning–Davao City from both ends", len(pages[0].Items), len(back[0].Items))
		}
		var fromDavao *domain.Edge
		for i := range back[0].Items {
			if back[0].Items[i].Other(cityKey("davao-city")) == cityKey("nanning") {
				fromDavao = &back[0].Items[i]
			}
		}
		if fromDavao == nil {
			t.Fatalf("Davao City's Chinese sister cities %v do not include Nanning", others(cityKey("davao-city"), back[0]))
		}
		if !sameValue(pages[0].Items[0], *fromDavao) {
			t.Errorf("the two ends read different relations:\n%+v\n%+v", pages[0].Items[0], *fromDavao)
		}
		if e := pages[0].Items[0]; e.From != cityKey("davao-city") || e.To != cityKey("nanning") || e.Since != "2007" {
			t.Errorf("got %s since %s, want the normalised PARTNER_OF(City:davao-city,City:nanning) since 2007", e.Key(), e.Since)
		}
	}},
	{"many anchors in one call, each paged by keyset", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		anchors := []domain.NodeKey{cityKey("nanning"), cityKey("atlantis"), cityKey("beijing"), cityKey("kunming")}
		q := domain.EdgeQuery{Kind: domain.EdgePartnerOf, Order: domain.OrderBySince}
		full := must[[]domain.EdgePage](t)(s.Edges(context.Background(), q, anchors))
		wantTotals := []int{3, 0, 3, 2}
		for i, p := range full {
			if p.TotalCount != wantTotals[i] || len(p.Items) != wantTotals[i] {
				t.Errorf("%s: got %d items of %d, want %d", anchors[i], len(p.Items), p.TotalCount, wantTotals[i])
			}
		}
		for i, a := range anchors {
			var got []string
			pq := q
			pq.Page.First = 1
			for range 10 {
				p := must[[]domain.EdgePage](t)(s.Edges(context.Background(), pq, []domain.NodeKey{a}))[0]
				got = append(got, others(a, p)...)
				if p.TotalCount != wantTotals[i] {
					t.Errorf("%s: got totalCount %d on a later page, want %d", a, p.TotalCount, wantTotals[i])
				}
				if !p.HasNextPage {
					break
				}
				pq.Page.After = p.Cursors[len(p.Cursors)-1]
			}
			eqStrings(t, a.String()+" paged one by one", got, others(a, full[i]))
		}
	}},
	{"rejects bad queries", func(t *testing.T, open func(*testing.T) domain.Store) {
		s, _ := withFixture(t, open)
		for name, q := range map[string]domain.EdgeQuery{
			"an unknown relation":           {Kind: "LIKES"},
			"an unknown direction":          {Kind: domain.EdgeHeldIn, Direction: "sideways"},
			"a cursor it never gave":        {Kind: domain.EdgePartnerOf, Page: domain.Page{After: "bm9wZQ"}},
			"more than 1,000 per page":      {Kind: domain.EdgePartnerOf, Page: domain.Page{First: domain.MaxPageSize + 1}},
			"more than 1,000 back":          {Kind: domain.EdgePartnerOf, Page: domain.Page{Last: domain.MaxPageSize + 1}},
			"first and last together":       {Kind: domain.EdgePartnerOf, Page: domain.Page{First: 2, Last: 2}},
			"a before cursor it never gave": {Kind: domain.EdgePartnerOf, Page: domain.Page{Last: 2, Before: "bm9wZQ"}},
			"a bad date":                    {Kind: domain.EdgePartnerOf, AsOf: "yesterday"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Edges(context.Background(), q, []domain.NodeKey{cityKey("nanning")})
				wantCode(t, err, domain.EINVALID)
			})
		}
	}},
}
