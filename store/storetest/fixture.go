package storetest

import (
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// Forum2015 returns a modest, real slice of the project's data: the first
// China–ASEAN Mayors Forum (Nanning, 2015) as the source article states it,
// with countries, cities, partnerships, funding bodies, projects and
// financings from /work/shared/data. Every value is read from those files;
// each fact cites the source it came from. A fresh batch is built on every
// call, so tests may edit it freely.
func Forum2015(t testing.TB) *domain.Batch {
	t.Helper()
	b := forum2015()
	for _, n := range b.Nodes {
		if ps := domain.ValidateNode(n); len(ps) > 0 {
			t.Fatalf("fixture node %s is invalid: %v", n.Key(), ps)
		}
	}
	for i := range b.Edges {
		if ps := domain.ValidateEdge(&b.Edges[i]); len(ps) > 0 {
			t.Fatalf("fixture edge %s is invalid: %v", b.Edges[i].Key(), ps)
		}
	}
	return b
}

// Source slugs of the fixture.
const (
	SrcArticle       = "forum-2015-article"
	SrcReferenceFact = "reference-facts"
	SrcFundingBodies = "funding-bodies"
	SrcSisterCities  = "sister-cities"
	SrcProjects      = "projects"
	SrcCityLocations = "city-locations"
	SrcCAM           = "china-association-of-mayors-site"
)

// Key helpers keep the fixture and the assertions short.
func cityKey(id string) domain.NodeKey    { return domain.NodeKey{Kind: domain.KindCity, ID: id} }
func countryKey(id string) domain.NodeKey { return domain.NodeKey{Kind: domain.KindCountry, ID: id} }
func fbKey(id string) domain.NodeKey      { return domain.NodeKey{Kind: domain.KindFundingBody, ID: id} }
func orgKey(id string) domain.NodeKey     { return domain.NodeKey{Kind: domain.KindOrganization, ID: id} }
func projKey(id string) domain.NodeKey    { return domain.NodeKey{Kind: domain.KindProject, ID: id} }

// Forum2015Key is the 2015 forum edition's key.
var Forum2015Key = domain.NodeKey{Kind: domain.KindForum, ID: "camf-2015"}

func meta(id, name, nameZh string, src ...string) domain.Meta {
	return domain.Meta{ID: id, Name: name, NameZh: nameZh, Sources: src}
}

func usd(amount int64) *domain.Money {
	return &domain.Money{Amount: domain.Decimal(amount * 100), Currency: "USD"}
}

// fixtureCity is one city row: slug, names, country, region and location.
type fixtureCity struct {
	id, name, zh, country string
	lat, lon              float64
	capital               bool
	division              domain.Division
}

var fixtureCities = []fixtureCity{
	{"nanning", "Nanning", "南宁", "CN", 22.817, 108.366, false, domain.DivisionCity},
	{"beijing", "Beijing", "北京", "CN", 39.904, 116.407, true, domain.DivisionCity},
	{"shanghai", "Shanghai", "上海", "CN", 31.230, 121.474, false, domain.DivisionCity},
	{"kunming", "Kunming", "昆明", "CN", 25.038, 102.718, false, domain.DivisionCity},
	{"xiamen", "Xiamen", "厦门", "CN", 24.480, 118.089, false, domain.DivisionCity},
	{"chongqing", "Chongqing", "重庆", "CN", 29.563, 106.551, false, domain.DivisionCity},
	{"davao-city", "Davao City", "达沃", "PH", 7.190, 125.455, false, domain.DivisionCity},
	{"manila", "Manila", "马尼拉", "PH", 14.599, 120.984, true, domain.DivisionCity},
	{"mandaluyong", "Mandaluyong", "", "PH", 14.579, 121.036, false, domain.DivisionCity},
	{"bangkok", "Bangkok", "曼谷", "TH", 13.756, 100.502, true, domain.DivisionCity},
	{"chiang-mai", "Chiang Mai", "清迈", "TH", 18.788, 98.985, false, domain.DivisionCity},
	{"jakarta", "Jakarta", "雅加达", "ID", -6.208, 106.846, true, domain.DivisionCity},
	{"surabaya", "Surabaya", "泗水", "ID", -7.257, 112.752, false, domain.DivisionCity},
	{"vientiane", "Vientiane", "万象", "LA", 17.975, 102.633, true, domain.DivisionCity},
	{"ipoh", "Ipoh", "", "MY", 4.597, 101.090, false, domain.DivisionCity},
	{"penang", "Penang", "槟城", "MY", 5.414, 100.329, false, domain.DivisionRegion},
	{"yangon", "Yangon", "仰光", "MM", 16.866, 96.195, false, domain.DivisionCity},
	{"ho-chi-minh-city", "Ho Chi Minh City", "胡志明市", "VN", 10.823, 106.630, false, domain.DivisionCity},
	{"phnom-penh", "Phnom Penh", "金边", "KH", 11.556, 104.928, true, domain.DivisionCity},
	{"siem-reap", "Siem Reap", "", "KH", 13.367, 103.845, false, domain.DivisionCity},
}

// fixtureCountries: code, English, Chinese, ASEAN accession ("" = not a member).
var fixtureCountries = [][4]string{
	{"CN", "China", "中国", ""},
	{"PH", "Philippines", "菲律宾", "1967-08-08"},
	{"TH", "Thailand", "泰国", "1967-08-08"},
	{"ID", "Indonesia", "印度尼西亚", "1967-08-08"},
	{"MY", "Malaysia", "马来西亚", "1967-08-08"},
	{"VN", "Viet Nam", "越南", "1995"},
	{"LA", "Lao PDR", "老挝", "1997"},
	{"MM", "Myanmar", "缅甸", "1997"},
	{"KH", "Cambodia", "柬埔寨", "1999"},
}

// fixturePartnerships are rows of sister_cities.csv: a, b, kind, since, note.
var fixturePartnerships = [][5]string{
	{"nanning", "davao-city", "sister_city", "2007", ""},
	{"nanning", "ipoh", "friendship_city", "2005-04-01", "MoU signed 2005-04-01; renewed 2023"},
	{"nanning", "yangon", "friendship_city", "2009-07-11", "MoU signed in Yangon 2009-07-11"},
	{"beijing", "bangkok", "friendship_city", "1993", "20th anniversary celebrated Aug 2013"},
	{"beijing", "manila", "friendship_city", "2005-11-14", "agreement signed in Manila 2005-11-14"},
	{"beijing", "jakarta", "friendship_city", "", "established in the 1990s; exact year not confirmed"},
	{"chongqing", "davao-city", "sister_city", "2019", ""},
	{"chongqing", "bangkok", "cooperation", "2011-09-26", "friendly exchange relations, agreement 2011-09-26"},
	{"kunming", "chiang-mai", "sister_city", "1999-06-07", ""},
	{"kunming", "vientiane", "sister_city", "2012", "10th anniversary celebrated Nov 2022"},
	{"shanghai", "ho-chi-minh-city", "sister_city", "1994", ""},
	{"xiamen", "penang", "friendship_city", "1993-11-10", ""},
	{"xiamen", "surabaya", "friendship_city", "2006-06-24", ""},
}

// fixtureProject is one row of projects.csv with the places it is located in.
type fixtureProject struct {
	id, name, body string
	sector         domain.Sector
	amountUSD      int64
	since          domain.Date
	cities         []string
	countries      []string
}

var fixtureProjects = []fixtureProject{
	{"lao-nr13-improvement", "National Road 13 Improvement and Maintenance Project", "aiib", domain.SectorConnectivity, 40_000_000, "2019", []string{"vientiane"}, []string{"LA"}},
	{"metro-manila-flood", "Metro Manila Flood Management Project", "aiib", domain.SectorWater, 207_600_000, "2017", []string{"manila"}, nil},
	{"kh-livestock", "Cross-Border Livestock Health and Value Chains Infrastructure Improvement Project", "aiib", domain.SectorAgriculture, 33_000_000, "2023", []string{"phnom-penh", "siem-reap"}, nil},
	{"kh-road-network", "Road Network Improvement Project", "adb", domain.SectorConnectivity, 70_000_000, "2018-01-09", nil, []string{"KH"}},
	{"kh-water-supply", "Provincial Water Supply and Sanitation Project", "adb", domain.SectorWater, 50_000_000, "2017", []string{"siem-reap"}, []string{"KH"}},
	{"malolos-clark-1", "Malolos-Clark Railway Project, Tranche 1", "adb", domain.SectorConnectivity, 1_300_000_000, "2019", nil, []string{"PH"}},
	{"malolos-clark-2", "Malolos-Clark Railway Project, Tranche 2", "adb", domain.SectorConnectivity, 1_450_000_000, "2025", nil, []string{"PH"}},
	{"myingyan-power", "Myingyan 225 MW Combined Cycle Gas Turbine Power Plant", "aiib", domain.SectorEnergy, 20_000_000, "2016", nil, []string{"MM"}},
	{"id-slum-upgrading", "National Slum Upgrading Project", "aiib", domain.SectorUrban, 216_500_000, "2016", nil, []string{"ID"}},
}

func forum2015() *domain.Batch {
	b := &domain.Batch{}
	node := func(n domain.Node) { b.Nodes = append(b.Nodes, n) }
	edge := func(e domain.Edge) { b.Edges = append(b.Edges, e) }

	// Sources.
	node(&domain.Source{Meta: domain.Meta{ID: SrcArticle, Name: "First China–ASEAN Mayors Forum held in Nanning",
		NameZh: "首届中国—东盟市长论坛在南宁召开"}, Author: "丁翊轩", Date: "2015-09", File: "000_bc91e1b53132e0f2.txt"})
	node(&domain.Source{Meta: domain.Meta{ID: SrcReferenceFact, Name: "Domain facts: ASEAN states, China–ASEAN Mayors Forum, China–ASEAN Expo"},
		File: "data/reference_facts.md", URLs: []string{"http://nanning.china.com.cn/2009-10/26/content_3205270.htm", "https://example.org/nanning-twin-cities"}})
	node(&domain.Source{Meta: domain.Meta{ID: SrcFundingBodies, Name: "Funding bodies reference data"}, File: "data/funding_bodies.json"})
	node(&domain.Source{Meta: domain.Meta{ID: SrcSisterCities, Name: "Sister and friendship cities reference data"}, File: "data/sister_cities.csv"})
	node(&domain.Source{Meta: domain.Meta{ID: SrcProjects, Name: "Projects financed in ASEAN countries"}, File: "data/projects.csv"})
	node(&domain.Source{Meta: domain.Meta{ID: SrcCityLocations, Name: "City coordinates (WGS 84), rounded to three decimals"}, Publisher: "citygraph editors"})
	node(&domain.Source{Meta: domain.Meta{ID: SrcCAM, Name: "China Association of Mayors", NameZh: "中国市长协会"}, URLs: []string{"http://www.citieschina.org/"}})

	// Countries and ASEAN.
	node(&domain.Grouping{Meta: domain.Meta{ID: "asean", Name: "Association of Southeast Asian Nations", NameZh: "东盟",
		Aliases: []string{"ASEAN"}, Sources: []string{SrcReferenceFact}}, Acronym: "ASEAN"})
	for _, c := range fixtureCountries {
		node(&domain.Country{Meta: meta(c[0], c[1], c[2], SrcReferenceFact)})
		if c[3] != "" {
			edge(domain.Edge{Kind: domain.EdgeMemberOf, From: countryKey(c[0]), To: domain.NodeKey{Kind: domain.KindGrouping, ID: "asean"},
				Since: domain.Date(c[3]), Sources: []string{SrcReferenceFact}})
		}
	}

	// Cities.
	for _, c := range fixtureCities {
		src := []string{SrcCityLocations, SrcReferenceFact}
		city := &domain.City{Meta: meta(c.id, c.name, c.zh, src...), Division: c.division,
			Location: &domain.GeoPoint{Lat: c.lat, Lon: c.lon}, IsCapital: c.capital}
		if c.id == "nanning" {
			city.Region, city.RegionZh = "Guangxi", "广西"
			city.Description = "The front line of China–ASEAN cooperation and an important node city of the Belt and Road."
			city.Aliases = []string{"邕"}
			city.Sources = append(city.Sources, SrcArticle)
		}
		node(city)
		edge(domain.Edge{Kind: domain.EdgeInCountry, From: cityKey(c.id), To: countryKey(c.country), Sources: []string{SrcReferenceFact}})
	}

	// Partnerships, written from the Chinese city as the CSV does; stores normalise.
	for _, p := range fixturePartnerships {
		edge(domain.Edge{Kind: domain.EdgePartnerOf, From: cityKey(p[0]), To: cityKey(p[1]),
			PartnershipKind: domain.PartnershipKind(p[2]), Status: domain.PartnershipEstablished,
			Since: domain.Date(p[3]), Note: p[4], Sources: []string{SrcSisterCities}})
	}

	// The forum, its series, the Expo it sits in, its agenda and outcome.
	node(&domain.ForumSeries{Meta: domain.Meta{ID: "china-asean-mayors-forum", Name: "China–ASEAN Mayors Forum",
		NameZh: "中国—东盟市长论坛", Sources: []string{SrcArticle}}})
	node(&domain.Event{Meta: domain.Meta{ID: "china-asean-expo", Name: "China–ASEAN Expo", NameZh: "中国—东盟博览会",
		Aliases: []string{"CAEXPO"}, Sources: []string{SrcReferenceFact}}, FirstHeld: "2004-11-03"})
	node(&domain.Forum{Meta: domain.Meta{ID: Forum2015Key.ID, Name: "China–ASEAN Mayors Forum 2015",
		NameZh: "2015中国—东盟市长论坛", Sources: []string{SrcArticle}},
		Edition: 1, StartDate: "2015-09-19", EndDate: "2015-09-20",
		Theme:        "Belt and Road regional connectivity, win-win city cooperation",
		ThemeZh:      "“一带一路”区域互联互通，城市合作共赢",
		Participants: 150, Officials: 53,
		AttendanceNote: "about 150 participants; 53 Chinese and foreign guests attended as provincial governors or mayors"})
	art := []string{SrcArticle}
	edge(domain.Edge{Kind: domain.EdgeEditionOf, From: Forum2015Key, To: domain.NodeKey{Kind: domain.KindForumSeries, ID: "china-asean-mayors-forum"}, Sources: art})
	edge(domain.Edge{Kind: domain.EdgeHeldIn, From: Forum2015Key, To: cityKey("nanning"), Sources: art})
	edge(domain.Edge{Kind: domain.EdgePartOf, From: Forum2015Key, To: domain.NodeKey{Kind: domain.KindEvent, ID: "china-asean-expo"}, Sources: art})
	edge(domain.Edge{Kind: domain.EdgeHeldIn, From: domain.NodeKey{Kind: domain.KindEvent, ID: "china-asean-expo"}, To: cityKey("nanning"), Sources: []string{SrcReferenceFact}})
	// Nanning hosted the forum through its government, one of the organisers.
	edge(domain.Edge{Kind: domain.EdgeAttended, From: cityKey("nanning"), To: Forum2015Key, Since: "2015-09-19", Sources: art})

	node(&domain.Topic{Meta: domain.Meta{ID: "camf-2015-connectivity", Name: "Connectivity: opportunities and challenges for urban development",
		NameZh: "互联互通—城市发展的机遇和挑战", Sources: art},
		SubThemes: []string{"inter-city connectivity cooperation", "economic and trade cooperation under the upgraded China–ASEAN FTA",
			"cross-border economic zone cooperation around the Belt and Road"},
		SubThemesZh: []string{"自由贸易区升级版", "跨境经济区"}})
	node(&domain.Topic{Meta: domain.Meta{ID: "camf-2015-partnerships", Name: "Building city partnerships for a China–ASEAN community of shared future under the Belt and Road",
		NameZh: "“一带一路”中国—东盟命运共同体的城市伙伴关系建设", Sources: art}})
	edge(domain.Edge{Kind: domain.EdgeDiscussed, From: Forum2015Key, To: domain.NodeKey{Kind: domain.KindTopic, ID: "camf-2015-connectivity"}, Position: 1, Sources: art})
	edge(domain.Edge{Kind: domain.EdgeDiscussed, From: Forum2015Key, To: domain.NodeKey{Kind: domain.KindTopic, ID: "camf-2015-partnerships"}, Position: 2, Sources: art})

	consensus := domain.NodeKey{Kind: domain.KindAgreement, ID: "nanning-consensus"}
	node(&domain.Agreement{Meta: domain.Meta{ID: consensus.ID, Name: "China–ASEAN Mayors Forum Nanning Consensus",
		NameZh: "中国—东盟市长论坛南宁共识", Aliases: []string{"南宁共识", "Nanning Consensus"}, Sources: art},
		Date: "2015-09",
		Points: []string{
			"City-to-city cooperation is concrete content of the upgraded China–ASEAN FTA and of jointly building the 21st-Century Maritime Silk Road.",
			"All-round cooperation in six areas: connectivity, maritime cooperation, investment, tourism, industry, people-to-people exchange.",
			"A joint call on AIIB, the Silk Road Fund, the New Development Bank and ADB to list inter-city cooperation projects as priorities.",
			"Institutionalise the forum: held every year during the China–ASEAN Expo in Nanning.",
		}})
	edge(domain.Edge{Kind: domain.EdgeAdopted, From: Forum2015Key, To: consensus, Sources: art})

	for _, in := range [][3]string{
		{"belt-and-road", "Belt and Road Initiative", "一带一路"},
		{"maritime-silk-road", "21st-Century Maritime Silk Road", "21世纪海上丝绸之路"},
		{"upgraded-china-asean-fta", "Upgraded China–ASEAN Free Trade Area", "中国—东盟自由贸易区升级版"},
	} {
		node(&domain.Initiative{Meta: meta(in[0], in[1], in[2], SrcArticle)})
	}
	edge(domain.Edge{Kind: domain.EdgeRefersTo, From: Forum2015Key, To: domain.NodeKey{Kind: domain.KindInitiative, ID: "belt-and-road"}, Sources: art})
	edge(domain.Edge{Kind: domain.EdgeRefersTo, From: consensus, To: domain.NodeKey{Kind: domain.KindInitiative, ID: "maritime-silk-road"}, Sources: art})
	edge(domain.Edge{Kind: domain.EdgeRefersTo, From: consensus, To: domain.NodeKey{Kind: domain.KindInitiative, ID: "upgraded-china-asean-fta"}, Sources: art})

	// Organisers: 2 hosts (主办) and 4 organisers (承办), with their seats.
	for _, o := range []struct {
		id, name, zh, seat string
		kind               domain.OrgKind
		role               domain.Role
		seatSrc            string
	}{
		{"china-association-of-mayors", "China Association of Mayors", "中国市长协会", "beijing", domain.OrgMayorsAssociation, domain.RoleHost, SrcCAM},
		{"china-asean-expo-secretariat", "China–ASEAN Expo Secretariat", "中国—东盟博览会秘书处", "nanning", domain.OrgExpoSecretariat, domain.RoleHost, SrcReferenceFact},
		{"guangxi-association-of-mayors", "Guangxi Association of Mayors", "广西市长协会", "nanning", domain.OrgMayorsAssociation, domain.RoleOrganiser, SrcArticle},
		{"nanning-government", "Nanning Municipal People's Government", "南宁市人民政府", "nanning", domain.OrgCityGovernment, domain.RoleOrganiser, SrcArticle},
		{"guangxi-academy-of-social-sciences", "Guangxi Academy of Social Sciences", "广西社会科学院", "nanning", domain.OrgResearchInstitute, domain.RoleOrganiser, SrcArticle},
		{"guangxi-honghao", "Guangxi Honghao Century Investment Group Co., Ltd.", "广西弘昊世纪投资集团有限公司", "nanning", domain.OrgEnterprise, domain.RoleOrganiser, SrcArticle},
	} {
		node(&domain.Organization{Meta: meta(o.id, o.name, o.zh, SrcArticle), OrgKind: o.kind})
		edge(domain.Edge{Kind: domain.EdgeOrganised, From: orgKey(o.id), To: Forum2015Key, Role: o.role, Sources: art})
		edge(domain.Edge{Kind: domain.EdgeSeatedIn, From: orgKey(o.id), To: cityKey(o.seat), Sources: []string{o.seatSrc}})
	}

	// Funding bodies, the forum's call on them, their headquarters and members.
	fb := []string{SrcFundingBodies}
	for _, f := range []struct {
		id, name, zh, short, acronym, hq string
		founded                          domain.Date
		capital                          int64
	}{
		{"aiib", "Asian Infrastructure Investment Bank", "亚洲基础设施投资银行", "亚投行", "AIIB", "beijing", "2015-12-25", 100_000_000_000},
		{"srf", "Silk Road Fund", "丝路基金有限责任公司", "丝路基金", "SRF", "beijing", "2014-12-29", 40_000_000_000},
		{"ndb", "New Development Bank", "新开发银行", "金砖国家新开发银行", "NDB", "shanghai", "2015-07-21", 100_000_000_000},
		{"adb", "Asian Development Bank", "亚洲开发银行", "亚行", "ADB", "mandaluyong", "1966-08-22", 1_000_000_000},
	} {
		node(&domain.FundingBody{Meta: domain.Meta{ID: f.id, Name: f.name, NameZh: f.zh, Aliases: []string{f.short, f.acronym}, Sources: fb},
			Acronym: f.acronym, Founded: f.founded, Capital: usd(f.capital)})
		edge(domain.Edge{Kind: domain.EdgeHeadquarteredIn, From: fbKey(f.id), To: cityKey(f.hq), Sources: fb})
		edge(domain.Edge{Kind: domain.EdgeCalledOn, From: Forum2015Key, To: fbKey(f.id), Sources: art,
			Request: "list China–ASEAN inter-city cooperation projects as priority investment projects"})
	}
	for _, m := range [][3]string{
		{"BN", "aiib", "2015-06-29"}, {"KH", "aiib", "2015-06-29"}, {"ID", "aiib", "2015-06-29"},
		{"LA", "aiib", "2015-06-29"}, {"MM", "aiib", "2015-06-29"}, {"VN", "aiib", "2015-06-29"},
		{"MY", "aiib", "2015-08-21"}, {"TH", "aiib", "2015-09"}, {"PH", "aiib", "2015-12-31"},
		{"KH", "adb", "1966"}, {"LA", "adb", "1966"}, {"TH", "adb", "1966"}, {"VN", "adb", "1966"},
		{"MM", "adb", "1973"}, {"ID", "adb", ""}, {"MY", "adb", ""}, {"PH", "adb", ""},
		{"CN", "ndb", "2015-07"},
	} {
		if m[0] == "BN" { // Brunei is not among the fixture's countries.
			continue
		}
		edge(domain.Edge{Kind: domain.EdgeMemberOf, From: countryKey(m[0]), To: fbKey(m[1]), Since: domain.Date(m[2]), Sources: fb})
	}

	// Projects and their financings.
	for _, p := range fixtureProjects {
		node(&domain.Project{Meta: meta(p.id, p.name, "", SrcProjects), Sector: p.sector, Status: domain.ProjectApproved})
		edge(domain.Edge{Kind: domain.EdgeFinanced, From: fbKey(p.body), To: projKey(p.id), Amount: usd(p.amountUSD),
			Instrument: "loan", Since: p.since, Sources: []string{SrcProjects}})
		for _, c := range p.cities {
			edge(domain.Edge{Kind: domain.EdgeLocatedIn, From: projKey(p.id), To: cityKey(c), Sources: []string{SrcProjects}})
		}
		for _, c := range p.countries {
			edge(domain.Edge{Kind: domain.EdgeLocatedIn, From: projKey(p.id), To: countryKey(c), Sources: []string{SrcProjects}})
		}
	}
	return b
}
