package embedded

import (
	"context"
	"fmt"
	"slices"

	"github.com/citygraph/citygraph/domain"
)

// SuggestPartners proposes cities sharing forums, agreements or funders
// with q.City that are not yet its partners. See domain.SuggestQuery.
func (s *Store) SuggestPartners(ctx context.Context, q domain.SuggestQuery) ([]domain.Suggestion, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.Suggestion, error) {
		if err := st.requireCity(q.City); err != nil {
			return nil, err
		}
		dl := newDeadline(ctx, fmt.Sprintf("suggesting partners for %q", q.City), "fewer suggestions (first)")
		me := cityKey(q.City)
		active := func(e *domain.Edge) bool { return e.ActiveOn(q.AsOf) }
		shared := map[string]*domain.Suggestion{}
		share := func(city string, add func(s *domain.Suggestion)) {
			if city == q.City {
				return
			}
			sg := shared[city]
			if sg == nil {
				sg = &domain.Suggestion{City: city}
				shared[city] = sg
			}
			add(sg)
		}
		// Forums attended and agreements signed together.
	hubs:
		for _, kind := range []domain.EdgeKind{domain.EdgeAttended, domain.EdgeSigned} {
			for _, list := range st.edgesOf(me, kind, domain.Out) {
				for _, mine := range list {
					if !active(mine) {
						continue
					}
					hub := mine.To.ID
					for _, other := range st.edgesOf(mine.To, kind, domain.In) {
						for _, e := range other {
							if dl.tick() {
								break hubs
							}
							if e.From.Kind != domain.KindCity || !active(e) {
								continue
							}
							share(e.From.ID, func(s *domain.Suggestion) {
								if kind == domain.EdgeAttended {
									s.SharedForums = append(s.SharedForums, hub)
								} else {
									s.SharedAgreements = append(s.SharedAgreements, hub)
								}
							})
						}
					}
				}
			}
		}
		// Funders of projects located in both cities: this city's funders
		// from its own projects, then only those funders' financings.
		var myFunders []string
		for _, p := range st.cityProjects[q.City] {
			if dl.stopped() {
				break
			}
			st.financingsOf(p, dl, func(f financing) {
				if active(f.e) {
					myFunders = append(myFunders, f.e.From.ID)
				}
			})
		}
		for _, body := range unique(myFunders) {
			if dl.stopped() {
				break
			}
			st.financingsBy(body, dl, func(f financing) {
				if !active(f.e) {
					return
				}
				for _, c := range f.cities {
					share(c, func(s *domain.Suggestion) { s.SharedFunders = append(s.SharedFunders, body) })
				}
			})
		}
		if dl.stopped() {
			return nil, dl.Err()
		}
		partners := map[string]bool{}
		for _, list := range st.edgesOf(me, domain.EdgePartnerOf, domain.Both) {
			for _, e := range list {
				if dl.tick() {
					return nil, dl.Err()
				}
				if active(e) {
					partners[e.Other(me).ID] = true
				}
			}
		}
		myLoc := st.nodes[me].(*domain.City).Location
		var out []domain.Suggestion
		for c, sg := range shared {
			if dl.tick() {
				return nil, dl.Err()
			}
			if partners[c] {
				continue
			}
			sg.SharedForums, sg.SharedAgreements, sg.SharedFunders = unique(sg.SharedForums), unique(sg.SharedAgreements), unique(sg.SharedFunders)
			sg.Score = domain.WeightSharedAgreement*len(sg.SharedAgreements) + domain.WeightSharedForum*len(sg.SharedForums) +
				domain.WeightSharedFunder*len(sg.SharedFunders)
			if city, _ := st.nodes[cityKey(c)].(*domain.City); myLoc != nil && city != nil && city.Location != nil {
				d := domain.DistanceKm(*myLoc, *city.Location)
				sg.DistanceKm = &d
			}
			out = append(out, *sg)
		}
		slices.SortFunc(out, domain.CompareSuggestions)
		return out[:min(len(out), q.First)], nil
	})
}
