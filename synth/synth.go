// Package synth generates deterministic synthetic graphs for tests and
// benchmarks: the same seed and size always give the same batch, valid by
// domain.ValidateNode and domain.ValidateEdge.
//
// Synthetic keys never name a real node, because a load replaces a node's
// whole property map and would otherwise overwrite real data (China would
// become "Country CN"): countries use the ISO 3166-1 codes reserved for
// private use (see Country), other nodes named like real ones take the
// prefix "synth-", and the rest are numbered slugs (city-00001,
// project-00001, …) that real data does not use.
package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/citygraph/citygraph/domain"
)

// SourceID is the one source every synthetic node and edge cites.
const SourceID = "synth"

// Currencies are the currencies synthetic financings use.
var Currencies = []domain.Currency{"USD", "CNY", "EUR"}

// Grouping is the slug of the synthetic grouping; the countries at odd
// indexes (Country(1), Country(3), …) belong to it.
const Grouping = "synth-asean"

// FundingBodies are the slugs of the synthetic funding bodies.
var FundingBodies = []string{"synth-aiib", "synth-srf", "synth-ndb", "synth-adb", "synth-fund-e", "synth-fund-f"}

// privateUseCountries are the ISO 3166-1 alpha-2 codes reserved for
// private use, which no real country will ever be given; XK is left out
// because Kosovo is commonly coded XK.
var privateUseCountries = func() []string {
	codes := []string{"AA"}
	for c := 'M'; c <= 'Z'; c++ {
		codes = append(codes, "Q"+string(c))
	}
	for c := 'A'; c <= 'Z'; c++ {
		if c != 'K' {
			codes = append(codes, "X"+string(c))
		}
	}
	return append(codes, "ZZ")
}()

// MaxCountries is how many countries a synthetic graph has at most: one per
// private-use code.
var MaxCountries = len(privateUseCountries)

// Country is the code of the i-th synthetic country (0 ≤ i < MaxCountries):
// AA, QM–QZ, XA–XZ but XK, ZZ in that order.
func Country(i int) string { return privateUseCountries[i] }

// Generate returns a synthetic graph around the given number of cities:
// countries (about half in Grouping), cities with locations,
// about ten partners per city, forums with attendance and organisers,
// agreements with signatories, funding bodies with members, and projects
// located in cities with financings in several currencies and years.
func Generate(seed int64, cities int) *domain.Batch {
	cities = max(cities, 2)
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed_c17e))
	g := &gen{r: r, b: &domain.Batch{}}
	src := []string{SourceID}

	g.node(&domain.Source{Meta: domain.Meta{ID: SourceID, Name: "Synthetic data"}, Publisher: "citygraph synth"})
	g.node(&domain.Grouping{Meta: domain.Meta{ID: Grouping, Name: "Synthetic ASEAN", NameZh: "东盟", Sources: src}, Acronym: "ASEAN"})

	// Countries: one per 25 cities, at most one per private-use code.
	nCountries := min(max(cities/25, 4), MaxCountries)
	countries := make([]string, nCountries)
	for i := range countries {
		code := Country(i)
		countries[i] = code
		g.node(&domain.Country{Meta: domain.Meta{ID: code, Name: "Country " + code, NameZh: "国家" + code, Sources: src}})
		if i%2 == 1 {
			g.edge(domain.Edge{Kind: domain.EdgeMemberOf, From: key(domain.KindCountry, code), To: key(domain.KindGrouping, Grouping),
				Since: g.date(1967, 2000), Sources: src})
		}
	}

	// Cities, each in a country, in the box that holds China and ASEAN.
	cityIDs := make([]string, cities)
	for i := range cityIDs {
		id := fmt.Sprintf("city-%05d", i)
		cityIDs[i] = id
		c := &domain.City{Meta: domain.Meta{ID: id, Name: fmt.Sprintf("City %05d", i), NameZh: fmt.Sprintf("城市%05d", i), Sources: src},
			Division: domain.DivisionCity, IsCapital: i < nCountries}
		if r.IntN(20) > 0 { // a few cities have no known location
			c.Location = &domain.GeoPoint{Lat: round3(-10 + r.Float64()*55), Lon: round3(90 + r.Float64()*45)}
		}
		if r.IntN(3) == 0 {
			c.Population, c.PopulationYear = int64(50_000+r.IntN(10_000_000)), 2000+r.IntN(24)
		}
		if i%7 == 0 {
			c.Description = "A port city on the Maritime Silk Road"
			c.Aliases = []string{fmt.Sprintf("Port %d", i)}
		}
		g.node(c)
		g.edge(domain.Edge{Kind: domain.EdgeInCountry, From: key(domain.KindCity, id), To: key(domain.KindCountry, countries[i%nCountries]), Sources: src})
	}

	// Partnerships: about ten per city, so five times as many relations as cities.
	seen := map[[2]int]bool{}
	kinds := domain.PartnershipKinds
	for len(seen) < min(5*cities, cities*(cities-1)/2) {
		a, b := r.IntN(cities), r.IntN(cities)
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		if seen[[2]int{a, b}] {
			continue
		}
		seen[[2]int{a, b}] = true
		status := domain.PartnershipEstablished
		if r.IntN(10) == 0 {
			status = domain.PartnershipPending
		}
		g.edge(domain.Edge{Kind: domain.EdgePartnerOf, From: key(domain.KindCity, cityIDs[a]), To: key(domain.KindCity, cityIDs[b]),
			PartnershipKind: kinds[r.IntN(len(kinds))], Status: status, Since: g.date(1980, 2024), Sources: src})
	}

	// Organisations seated in cities.
	nOrgs := max(cities/10, 2)
	orgs := make([]string, nOrgs)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("org-%04d", i)
		g.node(&domain.Organization{Meta: domain.Meta{ID: orgs[i], Name: fmt.Sprintf("Organisation %04d", i), NameZh: fmt.Sprintf("协会%04d", i), Sources: src},
			OrgKind: domain.OrgKinds[r.IntN(len(domain.OrgKinds))]})
		g.edge(domain.Edge{Kind: domain.EdgeSeatedIn, From: key(domain.KindOrganization, orgs[i]), To: key(domain.KindCity, cityIDs[r.IntN(cities)]), Sources: src})
	}

	// Forum series, an event, forum editions with organisers and attendance.
	g.node(&domain.ForumSeries{Meta: domain.Meta{ID: "synth-series", Name: "Synthetic Mayors Forum", NameZh: "市长论坛", Sources: src}})
	g.node(&domain.Event{Meta: domain.Meta{ID: "synth-expo", Name: "Synthetic Expo", NameZh: "博览会", Sources: src}, FirstHeld: "2004"})
	g.edge(domain.Edge{Kind: domain.EdgeHeldIn, From: key(domain.KindEvent, "synth-expo"), To: key(domain.KindCity, cityIDs[0]), Sources: src})
	nForums := max(cities/20, 2)
	forums := make([]string, nForums)
	for i := range forums {
		id := fmt.Sprintf("forum-%04d", i)
		forums[i] = id
		year := 2005 + i%20
		start := domain.Date(fmt.Sprintf("%d-09-%02d", year, 1+r.IntN(28)))
		g.node(&domain.Forum{Meta: domain.Meta{ID: id, Name: fmt.Sprintf("Mayors Forum %04d", i), NameZh: fmt.Sprintf("市长论坛%04d", i), Sources: src},
			Edition: i + 1, StartDate: start, EndDate: start, Theme: "Connectivity and city cooperation", ThemeZh: "互联互通", Participants: 100 + r.IntN(300)})
		fk := key(domain.KindForum, id)
		g.edge(domain.Edge{Kind: domain.EdgeEditionOf, From: fk, To: key(domain.KindForumSeries, "synth-series"), Sources: src})
		g.edge(domain.Edge{Kind: domain.EdgeHeldIn, From: fk, To: key(domain.KindCity, cityIDs[r.IntN(cities)]), Sources: src})
		g.edge(domain.Edge{Kind: domain.EdgePartOf, From: fk, To: key(domain.KindEvent, "synth-expo"), Sources: src})
		for j, o := range g.pick(orgs, 1+r.IntN(3)) {
			role := domain.RoleOrganiser
			if j == 0 {
				role = domain.RoleHost
			}
			g.edge(domain.Edge{Kind: domain.EdgeOrganised, From: key(domain.KindOrganization, o), To: fk, Role: role, Sources: src})
		}
		for _, c := range g.pick(cityIDs, 5+r.IntN(20)) {
			g.edge(domain.Edge{Kind: domain.EdgeAttended, From: key(domain.KindCity, c), To: fk, Since: start,
				DelegationSize: 1 + r.IntN(10), Level: "mayor", Sources: src})
		}
	}

	// Agreements adopted by forums and signed by cities.
	for i := range max(nForums/2, 1) {
		id := fmt.Sprintf("agreement-%04d", i)
		date := domain.Date(fmt.Sprintf("%d-10-01", 2005+i%20))
		g.node(&domain.Agreement{Meta: domain.Meta{ID: id, Name: fmt.Sprintf("Consensus %04d", i), NameZh: fmt.Sprintf("共识%04d", i), Sources: src},
			Date: date, Points: []string{"Cooperate on connectivity"}})
		ak := key(domain.KindAgreement, id)
		g.edge(domain.Edge{Kind: domain.EdgeAdopted, From: key(domain.KindForum, forums[r.IntN(nForums)]), To: ak, Sources: src})
		for _, c := range g.pick(cityIDs, 3+r.IntN(10)) {
			g.edge(domain.Edge{Kind: domain.EdgeSigned, From: key(domain.KindCity, c), To: ak, Since: date, Sources: src})
		}
	}

	// Funding bodies with headquarters and members; forums call on them.
	bodies := []struct{ id, acronym, name, zh string }{
		{FundingBodies[0], "aiib", "Asian Infrastructure Investment Bank", "亚洲基础设施投资银行"},
		{FundingBodies[1], "srf", "Silk Road Fund", "丝路基金"},
		{FundingBodies[2], "ndb", "New Development Bank", "新开发银行"},
		{FundingBodies[3], "adb", "Asian Development Bank", "亚洲开发银行"},
		{FundingBodies[4], "fund-e", "Fund E", "基金E"},
		{FundingBodies[5], "fund-f", "Fund F", "基金F"},
	}
	for _, f := range bodies {
		g.node(&domain.FundingBody{Meta: domain.Meta{ID: f.id, Name: f.name, NameZh: f.zh, Sources: src}, Acronym: f.acronym})
		fk := key(domain.KindFundingBody, f.id)
		g.edge(domain.Edge{Kind: domain.EdgeHeadquarteredIn, From: fk, To: key(domain.KindCity, cityIDs[r.IntN(cities)]), Sources: src})
		for _, c := range g.pick(countries, 1+r.IntN(nCountries)) {
			g.edge(domain.Edge{Kind: domain.EdgeMemberOf, From: key(domain.KindCountry, c), To: fk, Since: g.date(1966, 2024), Sources: src})
		}
		g.edge(domain.Edge{Kind: domain.EdgeCalledOn, From: key(domain.KindForum, forums[r.IntN(nForums)]), To: fk, Request: "prioritise city projects", Sources: src})
	}

	// Projects located in one or two cities (sometimes a country too),
	// financed by one or two bodies in one of several currencies.
	for i := range max(cities/5, 2) {
		id := fmt.Sprintf("project-%05d", i)
		g.node(&domain.Project{Meta: domain.Meta{ID: id, Name: fmt.Sprintf("Project %05d", i), Description: "Urban infrastructure", Sources: src},
			Sector: domain.Sectors[r.IntN(len(domain.Sectors))], Status: domain.ProjectStatuses[r.IntN(len(domain.ProjectStatuses))]})
		pk := key(domain.KindProject, id)
		for _, c := range g.pick(cityIDs, 1+r.IntN(2)) {
			g.edge(domain.Edge{Kind: domain.EdgeLocatedIn, From: pk, To: key(domain.KindCity, c), Sources: src})
		}
		if r.IntN(4) == 0 {
			g.edge(domain.Edge{Kind: domain.EdgeLocatedIn, From: pk, To: key(domain.KindCountry, countries[r.IntN(nCountries)]), Sources: src})
		}
		for _, f := range g.pickBodies(len(bodies), 1+r.IntN(2)) {
			amount := domain.Decimal(int64(1+r.IntN(500)) * 100_000_00) // 0.1m–50m in whole units
			if r.IntN(5) == 0 {
				amount += domain.Decimal(r.IntN(100)) // some cents, so sums check the decimals
			}
			g.edge(domain.Edge{Kind: domain.EdgeFinanced, From: key(domain.KindFundingBody, bodies[f].id), To: pk,
				Amount: &domain.Money{Amount: amount, Currency: Currencies[r.IntN(len(Currencies))]}, Instrument: "loan",
				Since: g.date(2010, 2024), Sources: src})
		}
	}
	return g.b
}

type gen struct {
	r *rand.Rand
	b *domain.Batch
}

func (g *gen) node(n domain.Node)                 { g.b.Nodes = append(g.b.Nodes, n) }
func (g *gen) edge(e domain.Edge)                 { g.b.Edges = append(g.b.Edges, e) }
func key(k domain.Kind, id string) domain.NodeKey { return domain.NodeKey{Kind: k, ID: id} }

// date returns a date between the years, at year, month or day precision,
// and now and then unknown, as real sources give them.
func (g *gen) date(from, to int) domain.Date {
	y := from + g.r.IntN(to-from+1)
	switch g.r.IntN(10) {
	case 0:
		return ""
	case 1, 2:
		return domain.Date(fmt.Sprint(y))
	case 3:
		return domain.Date(fmt.Sprintf("%d-%02d", y, 1+g.r.IntN(12)))
	}
	return domain.Date(fmt.Sprintf("%d-%02d-%02d", y, 1+g.r.IntN(12), 1+g.r.IntN(28)))
}

// pick returns n distinct elements of s (all of s when n ≥ len(s)).
func (g *gen) pick(s []string, n int) []string {
	if n >= len(s) {
		return s
	}
	idx := map[int]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		i := g.r.IntN(len(s))
		if !idx[i] {
			idx[i] = true
			out = append(out, s[i])
		}
	}
	return out
}

func (g *gen) pickBodies(n, k int) []int {
	a := g.r.IntN(n)
	if k == 1 {
		return []int{a}
	}
	return []int{a, (a + 1 + g.r.IntN(n-1)) % n}
}

func round3(x float64) float64 { return float64(int64(x*1000)) / 1000 }
