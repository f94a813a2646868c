package export

import (
	"encoding/json"
	"strconv"

	"github.com/citygraph/citygraph/domain"
)

// propType is a property's type as GraphML declares it (attr.type).
type propType string

const (
	tString propType = "string"
	tInt    propType = "int"
	tLong   propType = "long"
	tDouble propType = "double"
	tBool   propType = "boolean"
)

// prop is one property of a node or relation, named as the GraphQL API
// names it. Lists are JSON arrays in a string, so that they survive GraphML
// (which has no list type) whole.
type prop struct {
	name  string
	typ   propType
	value any // string, int64, float64, bool, []string or domain.Decimal
}

// propDecl declares a property: every property nodeProps or edgeProps can
// give appears here once, so that GraphML can declare its keys up front.
type propDecl struct {
	name string
	typ  propType
}

// nodeDecls and edgeDecls list every node and relation property in the
// order the formats write them.
var nodeDecls = []propDecl{
	{"kind", tString}, {"slug", tString}, {"name", tString}, {"nameZh", tString}, {"aliases", tString},
	{"description", tString}, {"sources", tString}, {"version", tLong},
	{"acronym", tString},
	{"division", tString}, {"region", tString}, {"regionZh", tString}, {"lat", tDouble}, {"lon", tDouble},
	{"population", tLong}, {"populationYear", tInt}, {"isCapital", tBool},
	{"orgKind", tString},
	{"founded", tString}, {"capitalAmount", tDouble}, {"capitalCurrency", tString}, {"capitalNote", tString},
	{"firstHeld", tString},
	{"edition", tInt}, {"startDate", tString}, {"endDate", tString}, {"theme", tString}, {"themeZh", tString},
	{"participants", tInt}, {"officials", tInt}, {"attendanceNote", tString},
	{"subThemes", tString}, {"subThemesZh", tString},
	{"date", tString}, {"points", tString}, {"pointsZh", tString},
	{"sector", tString}, {"status", tString},
	{"publisher", tString}, {"author", tString}, {"url", tString}, {"file", tString},
}

var edgeDecls = []propDecl{
	{"kind", tString}, {"since", tString}, {"until", tString}, {"role", tString},
	{"partnershipKind", tString}, {"status", tString}, {"through", tString},
	{"delegationSize", tInt}, {"level", tString}, {"position", tInt},
	{"request", tString}, {"requestZh", tString},
	{"amount", tDouble}, {"currency", tString}, {"instrument", tString},
	{"note", tString}, {"sources", tString}, {"version", tLong},
}

// props collects the non-zero properties of one node or relation.
type props []prop

func (p *props) str(name, v string) {
	if v != "" {
		*p = append(*p, prop{name, tString, v})
	}
}

func (p *props) list(name string, v []string) {
	if len(v) > 0 {
		*p = append(*p, prop{name, tString, v})
	}
}

func (p *props) int(name string, typ propType, v int64) {
	if v != 0 {
		*p = append(*p, prop{name, typ, v})
	}
}

// nodeProps returns n's kind, slug and every property it has.
func nodeProps(n domain.Node) props {
	m := n.Base()
	p := props{{"kind", tString, string(n.Key().Kind)}, {"slug", tString, m.ID}}
	p.str("name", m.Name)
	p.str("nameZh", m.NameZh)
	p.list("aliases", m.Aliases)
	p.str("description", m.Description)
	p.list("sources", m.Sources)
	p.int("version", tLong, m.Version)
	switch n := n.(type) {
	case *domain.Grouping:
		p.str("acronym", n.Acronym)
	case *domain.City:
		p.str("division", string(n.Division))
		p.str("region", n.Region)
		p.str("regionZh", n.RegionZh)
		if n.Location != nil {
			p = append(p, prop{"lat", tDouble, n.Location.Lat}, prop{"lon", tDouble, n.Location.Lon})
		}
		p.int("population", tLong, n.Population)
		p.int("populationYear", tInt, int64(n.PopulationYear))
		if n.IsCapital {
			p = append(p, prop{"isCapital", tBool, true})
		}
	case *domain.Organization:
		p.str("orgKind", string(n.OrgKind))
	case *domain.FundingBody:
		p.str("acronym", n.Acronym)
		p.str("founded", string(n.Founded))
		if n.Capital != nil {
			p = append(p, prop{"capitalAmount", tDouble, n.Capital.Amount}, prop{"capitalCurrency", tString, string(n.Capital.Currency)})
		}
		p.str("capitalNote", n.CapitalNote)
	case *domain.Event:
		p.str("firstHeld", string(n.FirstHeld))
	case *domain.Forum:
		p.int("edition", tInt, int64(n.Edition))
		p.str("startDate", string(n.StartDate))
		p.str("endDate", string(n.EndDate))
		p.str("theme", n.Theme)
		p.str("themeZh", n.ThemeZh)
		p.int("participants", tInt, int64(n.Participants))
		p.int("officials", tInt, int64(n.Officials))
		p.str("attendanceNote", n.AttendanceNote)
	case *domain.Topic:
		p.list("subThemes", n.SubThemes)
		p.list("subThemesZh", n.SubThemesZh)
	case *domain.Agreement:
		p.str("date", string(n.Date))
		p.list("points", n.Points)
		p.list("pointsZh", n.PointsZh)
	case *domain.Project:
		p.str("sector", string(n.Sector))
		p.str("status", string(n.Status))
	case *domain.Source:
		p.str("publisher", n.Publisher)
		p.str("author", n.Author)
		p.str("date", string(n.Date))
		p.str("url", n.URL)
		p.str("file", n.File)
	}
	return p
}

// edgeProps returns e's kind and every property it has (its ends are not
// properties: each format writes them its own way).
func edgeProps(e *domain.Edge) props {
	p := props{{"kind", tString, string(e.Kind)}}
	p.str("since", string(e.Since))
	p.str("until", string(e.Until))
	p.str("role", string(e.Role))
	p.str("partnershipKind", string(e.PartnershipKind))
	p.str("status", string(e.Status))
	if e.Through != nil {
		p.str("through", e.Through.String())
	}
	p.int("delegationSize", tInt, int64(e.DelegationSize))
	p.str("level", e.Level)
	p.int("position", tInt, int64(e.Position))
	p.str("request", e.Request)
	p.str("requestZh", e.RequestZh)
	if e.Amount != nil {
		p = append(p, prop{"amount", tDouble, e.Amount.Amount}, prop{"currency", tString, string(e.Amount.Currency)})
	}
	p.str("instrument", e.Instrument)
	p.str("note", e.Note)
	p.list("sources", e.Sources)
	p.int("version", tLong, e.Version)
	return p
}

// text renders a property's value as GraphML writes it: numbers in their
// shortest exact form, lists as JSON arrays.
func (p prop) text() string {
	switch v := p.value.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case domain.Decimal:
		return v.String()
	case []string:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return ""
}

// jsonValue renders a property's value for JSON lines: lists as arrays and
// amounts as exact decimal numbers.
func (p prop) jsonValue() any {
	switch v := p.value.(type) {
	case domain.Decimal:
		return json.Number(v.String())
	}
	return p.value
}
