package neo4jstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/citygraph/citygraph/domain"
)

// wgs84 is the SRID of WGS 84 geographic points in Neo4j; point.distance
// on them is great-circle metres.
const wgs84 = 4326

// props is a property map being built for a write or read from a record.
// Zero values are left out when writing and read back as zero, so that a
// node round-trips to the value that was applied.
type props map[string]any

func (p props) str(k, v string) {
	if v != "" {
		p[k] = v
	}
}

func (p props) strs(k string, v []string) {
	if len(v) > 0 {
		p[k] = v
	}
}

func (p props) num(k string, v int64) {
	if v != 0 {
		p[k] = v
	}
}

func (p props) money(amountKey, currencyKey string, m *domain.Money) {
	if m != nil {
		p[amountKey] = int64(m.Amount)
		p[currencyKey] = string(m.Currency)
	}
}

// fingerprint is a digest of a property map (json sorts map keys), stored
// as fp so that Apply can tell unchanged rows with one short read.
func fingerprint(p props) string {
	b, err := json.Marshal(map[string]any(p))
	if err != nil {
		b = []byte(fmt.Sprint(map[string]any(p))) // not reached: props hold only JSON-able values
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// nodeProps is the stored form of a node, with key and fp.
func nodeProps(n domain.Node) props {
	m := n.Base()
	p := props{"key": n.Key().String(), "id": m.ID, "name": m.Name}
	p.str("nameZh", m.NameZh)
	p.strs("aliases", m.Aliases)
	p.str("description", m.Description)
	p.strs("sources", m.Sources)
	switch v := n.(type) {
	case *domain.Grouping:
		p.str("acronym", v.Acronym)
	case *domain.City:
		p.str("division", string(v.Division))
		p.str("region", v.Region)
		p.str("regionZh", v.RegionZh)
		if v.Location != nil {
			p["location"] = dbtype.Point2D{X: v.Location.Lon, Y: v.Location.Lat, SpatialRefId: wgs84}
		}
		p.num("population", v.Population)
		p.num("populationYear", int64(v.PopulationYear))
		if v.IsCapital {
			p["isCapital"] = true
		}
	case *domain.Organization:
		p.str("orgKind", string(v.OrgKind))
	case *domain.FundingBody:
		p.str("acronym", v.Acronym)
		p.str("founded", string(v.Founded))
		p.money("capitalAmount", "capitalCurrency", v.Capital)
		p.str("capitalNote", v.CapitalNote)
	case *domain.Event:
		p.str("firstHeld", string(v.FirstHeld))
	case *domain.Forum:
		p.num("edition", int64(v.Edition))
		p.str("startDate", string(v.StartDate))
		p.str("endDate", string(v.EndDate))
		p.str("theme", v.Theme)
		p.str("themeZh", v.ThemeZh)
		p.num("participants", int64(v.Participants))
		p.num("officials", int64(v.Officials))
		p.str("attendanceNote", v.AttendanceNote)
	case *domain.Topic:
		p.strs("subThemes", v.SubThemes)
		p.strs("subThemesZh", v.SubThemesZh)
	case *domain.Agreement:
		p.str("date", string(v.Date))
		p.strs("points", v.Points)
		p.strs("pointsZh", v.PointsZh)
	case *domain.Project:
		p.str("sector", string(v.Sector))
		p.str("status", string(v.Status))
	case *domain.Source:
		p.str("publisher", v.Publisher)
		p.str("author", v.Author)
		p.str("date", string(v.Date))
		p.str("url", v.URL)
		p.str("file", v.File)
	}
	p["fp"] = fingerprint(p)
	return p
}

// edgeProps is the stored form of an edge's properties, with fp.
func edgeProps(e *domain.Edge) props {
	p := props{}
	p.str("since", string(e.Since))
	p.str("role", string(e.Role))
	p.str("partnershipKind", string(e.PartnershipKind))
	p.str("status", string(e.Status))
	if e.Through != nil {
		p["through"] = e.Through.String()
	}
	p.num("delegationSize", int64(e.DelegationSize))
	p.str("level", e.Level)
	p.num("position", int64(e.Position))
	p.str("request", e.Request)
	p.str("requestZh", e.RequestZh)
	p.money("amount", "currency", e.Amount)
	p.str("instrument", e.Instrument)
	p.str("note", e.Note)
	p.strs("sources", e.Sources)
	p.str("until", string(e.Until))
	p["fp"] = fingerprint(p)
	return p
}

// reader reads typed values out of a stored property map; absent or
// mistyped properties read as zero.
type reader map[string]any

func (r reader) s(k string) string {
	v, _ := r[k].(string)
	return v
}

func (r reader) i(k string) int64 {
	v, _ := r[k].(int64)
	return v
}

func (r reader) b(k string) bool {
	v, _ := r[k].(bool)
	return v
}

func (r reader) ss(k string) []string {
	l, _ := r[k].([]any)
	if len(l) == 0 {
		return nil
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (r reader) money(amountKey, currencyKey string) *domain.Money {
	if _, ok := r[amountKey]; !ok {
		return nil
	}
	return &domain.Money{Amount: domain.Decimal(r.i(amountKey)), Currency: domain.Currency(r.s(currencyKey))}
}

func (r reader) meta() domain.Meta {
	return domain.Meta{ID: r.s("id"), Name: r.s("name"), NameZh: r.s("nameZh"), Aliases: r.ss("aliases"),
		Description: r.s("description"), Sources: r.ss("sources"), Version: r.i("version")}
}

// nodeFrom maps a stored node to its domain value (nil for anything that
// is not one of ours).
func nodeFrom(v any) (domain.Node, error) {
	n, ok := v.(dbtype.Node)
	if !ok {
		return nil, fmt.Errorf("expected a node, got %T", v)
	}
	r := reader(n.Props)
	key, err := domain.ParseNodeKey(r.s("key"))
	if err != nil {
		return nil, fmt.Errorf("stored node %q has a bad key: %w", r.s("key"), err)
	}
	m := r.meta()
	switch key.Kind {
	case domain.KindCountry:
		return &domain.Country{Meta: m}, nil
	case domain.KindGrouping:
		return &domain.Grouping{Meta: m, Acronym: r.s("acronym")}, nil
	case domain.KindCity:
		c := &domain.City{Meta: m, Division: domain.Division(r.s("division")), Region: r.s("region"),
			RegionZh: r.s("regionZh"), Population: r.i("population"), PopulationYear: int(r.i("populationYear")),
			IsCapital: r.b("isCapital")}
		if pt, ok := n.Props["location"].(dbtype.Point2D); ok {
			c.Location = &domain.GeoPoint{Lat: pt.Y, Lon: pt.X}
		}
		return c, nil
	case domain.KindOrganization:
		return &domain.Organization{Meta: m, OrgKind: domain.OrgKind(r.s("orgKind"))}, nil
	case domain.KindFundingBody:
		return &domain.FundingBody{Meta: m, Acronym: r.s("acronym"), Founded: domain.Date(r.s("founded")),
			Capital: r.money("capitalAmount", "capitalCurrency"), CapitalNote: r.s("capitalNote")}, nil
	case domain.KindForumSeries:
		return &domain.ForumSeries{Meta: m}, nil
	case domain.KindEvent:
		return &domain.Event{Meta: m, FirstHeld: domain.Date(r.s("firstHeld"))}, nil
	case domain.KindForum:
		return &domain.Forum{Meta: m, Edition: int(r.i("edition")), StartDate: domain.Date(r.s("startDate")),
			EndDate: domain.Date(r.s("endDate")), Theme: r.s("theme"), ThemeZh: r.s("themeZh"),
			Participants: int(r.i("participants")), Officials: int(r.i("officials")),
			AttendanceNote: r.s("attendanceNote")}, nil
	case domain.KindTopic:
		return &domain.Topic{Meta: m, SubThemes: r.ss("subThemes"), SubThemesZh: r.ss("subThemesZh")}, nil
	case domain.KindAgreement:
		return &domain.Agreement{Meta: m, Date: domain.Date(r.s("date")), Points: r.ss("points"),
			PointsZh: r.ss("pointsZh")}, nil
	case domain.KindInitiative:
		return &domain.Initiative{Meta: m}, nil
	case domain.KindProject:
		return &domain.Project{Meta: m, Sector: domain.Sector(r.s("sector")),
			Status: domain.ProjectStatus(r.s("status"))}, nil
	case domain.KindSource:
		return &domain.Source{Meta: m, Publisher: r.s("publisher"), Author: r.s("author"),
			Date: domain.Date(r.s("date")), URL: r.s("url"), File: r.s("file")}, nil
	}
	return nil, fmt.Errorf("stored node %q has no mapper", key)
}

// edgeFrom maps a relationship's type, ends and properties to an Edge.
func edgeFrom(typ, from, to string, p map[string]any) (domain.Edge, error) {
	kind, err := domain.ParseEdgeKind(typ)
	if err != nil {
		return domain.Edge{}, err
	}
	f, err := domain.ParseNodeKey(from)
	if err != nil {
		return domain.Edge{}, err
	}
	t, err := domain.ParseNodeKey(to)
	if err != nil {
		return domain.Edge{}, err
	}
	r := reader(p)
	e := domain.Edge{Kind: kind, From: f, To: t, Since: domain.Date(r.s("since")), Role: domain.Role(r.s("role")),
		PartnershipKind: domain.PartnershipKind(r.s("partnershipKind")),
		Status:          domain.PartnershipStatus(r.s("status")), DelegationSize: int(r.i("delegationSize")),
		Level: r.s("level"), Position: int(r.i("position")), Request: r.s("request"), RequestZh: r.s("requestZh"),
		Amount: r.money("amount", "currency"), Instrument: r.s("instrument"), Note: r.s("note"),
		Sources: r.ss("sources"), Until: domain.Date(r.s("until")), Version: r.i("version")}
	if th := r.s("through"); th != "" {
		k, err := domain.ParseNodeKey(th)
		if err != nil {
			return domain.Edge{}, err
		}
		e.Through = &k
	}
	return e, nil
}

// get reads a column of a record, failing loudly on a missing one (a bug
// in a statement, reported as EINTERNAL).
func get(rec *neo4j.Record, key string) (any, error) {
	v, ok := rec.Get(key)
	if !ok {
		return nil, fmt.Errorf("result has no column %q", key)
	}
	return v, nil
}

func getInt(rec *neo4j.Record, key string) int64 {
	v, _ := rec.Get(key)
	n, _ := v.(int64)
	return n
}

func getStr(rec *neo4j.Record, key string) string {
	v, _ := rec.Get(key)
	s, _ := v.(string)
	return s
}
