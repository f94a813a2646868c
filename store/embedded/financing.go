package embedded

import (
	"github.com/citygraph/citygraph/domain"
)

// financing is one FINANCED edge with where its project is.
type financing struct {
	e         *domain.Edge
	project   *domain.Project
	cities    []string
	countries []string
}

// financedIndex is where FINANCED sits in an adjacency.
var financedIndex = edgeKindIndex[domain.EdgeFinanced]

// financingsOf calls f for each financing of a project, with the places
// kept for it (see projectInfo), until dl stops it.
func (st *state) financingsOf(p *projectInfo, dl *deadline, f func(fin financing)) {
	if p.node == nil {
		return
	}
	for _, e := range p.adj.in[financedIndex] {
		if dl.tick() {
			return
		}
		if e.Amount != nil {
			f(financing{e: e, project: p.node, cities: p.cities, countries: p.countries})
		}
	}
}

// financingsBy calls f for each financing by a funding body, until dl stops it.
func (st *state) financingsBy(body string, dl *deadline, f func(fin financing)) {
	for _, list := range st.edgesOf(domain.NodeKey{Kind: domain.KindFundingBody, ID: body}, domain.EdgeFinanced, domain.Out) {
		for _, e := range list {
			if dl.tick() {
				return
			}
			p := st.projects[e.To.ID]
			if p == nil || p.node == nil || e.Amount == nil {
				continue
			}
			f(financing{e: e, project: p.node, cities: p.cities, countries: p.countries})
		}
	}
}

// financings calls f for every financing, project by project, until dl stops it.
func (st *state) financings(dl *deadline, f func(fin financing)) {
	for _, p := range st.projectList {
		if dl.tick() {
			return
		}
		st.financingsOf(p, dl, f)
	}
}
