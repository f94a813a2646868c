package graph

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// scanPrice is what an analytic that may visit every city or financing
// once is priced at, in items. On 100,000 cities such a pass takes tens of
// milliseconds (docs/benchmarks.md); at this price the default cost limit
// admits about twenty of them in one request.
const scanPrice = 2_000

// fieldPrice is what one field costs apart from what it selects: the work
// its arguments allow and how many items it may return, each priced at
// what the field selects.
type fieldPrice struct{ work, items int }

// cost is the field's whole price given the price of its selection.
func (p fieldPrice) cost(child int) int {
	return saturatingAdd(saturatingAdd(1, p.work), saturatingMul(max(1, p.items), child))
}

func (p fieldPrice) atLeast(o fieldPrice) fieldPrice {
	return fieldPrice{work: max(p.work, o.work), items: max(p.items, o.items)}
}

// analytics prices the Query fields whose work grows with their arguments
// rather than with what they return. Each bound is the one the domain
// enforces (each query type's Normalize, in domain/paths.go, domain/near.go,
// …); a value the store would refuse is priced at the bound, so the store's own error, not a cost refusal, reports it.
var analytics = map[string]func(args arguments) fieldPrice{
	// paths: a breadth-first search from the target, as deep as maxHops,
	// then a walk for each of k paths. Forums and agreements link every
	// attendee and signatory, far denser than partnerships, so the search
	// is priced per link kind followed: work = scan × via/3 × maxHops/4 × k.
	// The defaults (all kinds, 4 hops, 1 path) cost one scan.
	"paths": func(args arguments) fieldPrice {
		via := args.listLen("via", len(domain.LinkKinds))
		if via == 0 {
			via = len(domain.LinkKinds)
		}
		hops := args.int("maxHops", domain.DefaultMaxHops, 1, domain.MaxMaxHops)
		k := args.int("k", 1, 1, domain.MaxPaths)
		work := scanPrice * via * hops * k / (len(domain.LinkKinds) * domain.DefaultMaxHops)
		return fieldPrice{work: work, items: k}
	},
	// near: the embedded store measures every city (a tenth of a scan: a
	// distance each) and sorts those within reach; Neo4j's point index
	// visits about those. So work = scan/10 + scan × the share of the
	// earth's surface within withinKm: a radius that covers the earth
	// costs a whole scan more, whatever first says.
	"near": func(args arguments) fieldPrice {
		km := args.float("withinKm", domain.MaxRadiusKm)
		share := (1 - math.Cos(math.Min(math.Max(km, 0), domain.MaxRadiusKm)/earthRadiusKm)) / 2
		return fieldPrice{work: scanPrice/10 + int(math.Ceil(scanPrice*share)), items: args.rows()}
	},
	// neighbourhood: each of up to limit nodes has its relations read at
	// each of depth levels (work = limit × depth), and each node may come
	// with its edges (items = limit, each priced at the subgraph's
	// selection).
	"neighbourhood": func(args arguments) fieldPrice {
		limit := args.int("limit", 200, 1, domain.MaxNeighbourhoodNodes)
		depth := args.int("depth", 1, 1, domain.MaxNeighbourhoodDepth)
		return fieldPrice{work: limit * depth, items: limit}
	},
	// search: matches the text against every node's names: one scan.
	"search": func(args arguments) fieldPrice {
		return fieldPrice{work: scanPrice, items: args.rows()}
	},
	// cityRanking: values every city (or every financing) to rank them:
	// one scan, whatever first says.
	"cityRanking": func(args arguments) fieldPrice {
		return fieldPrice{work: scanPrice, items: args.rows()}
	},
	// suggestedPartners: reads the members of the city's forums,
	// agreements and funders, not the whole graph: a quarter scan.
	"suggestedPartners": func(args arguments) fieldPrice {
		return fieldPrice{work: scanPrice / 4, items: args.rows()}
	},
	// fundingTotals: sums every financing (one scan) into a total per
	// group and currency, with no page: items = how many groups the
	// grouping can have (sectors are few; cities are many).
	// Grouped by several dimensions at once, the groups multiply, up to
	// maxFundingRows: a total needs a financing, so the rows stay far
	// below the product.
	"fundingTotals": func(args arguments) fieldPrice {
		groups := 1
		for _, g := range args.enums("groupBy") {
			n := 250 // funding bodies, countries
			switch g {
			case "SECTOR":
				n = len(domain.Sectors)
			case "YEAR":
				n = 100
			case "CITY", "":
				n = 1_000
			}
			groups = saturatingMul(groups, n)
		}
		return fieldPrice{work: scanPrice, items: min(groups, maxFundingRows)}
	},
	// partLoads: reads a short log of loads, first of them.
	"partLoads": func(args arguments) fieldPrice {
		return fieldPrice{items: args.rows()}
	},
	// nodes: one item per ID asked for.
	"nodes": func(args arguments) fieldPrice {
		return fieldPrice{items: args.listLen("ids", domain.MaxNodeIDs)}
	},
}

// earthRadiusKm is the radius domain.MaxRadiusKm is half the circumference of.
const earthRadiusKm = domain.MaxRadiusKm / math.Pi

// price is what field f (defined by def on type on) costs apart from its
// selection: an analytic's formula above; for any other field that takes
// `first`, its page size in items; else one item.
func (a *analyzer) price(on *ast.Definition, def *ast.FieldDefinition, f *ast.Field) fieldPrice {
	if def == nil {
		return fieldPrice{items: 1}
	}
	args := arguments{a: a, def: def, field: f}
	if on != nil && on == a.schema.Query {
		if p, ok := analytics[def.Name]; ok {
			return p(args)
		}
	}
	if def.Arguments.ForName("first") != nil {
		return fieldPrice{items: args.page(), work: a.orderings(on, f, args) + args.wherePrice(on)} // filterprice.go
	}
	return fieldPrice{items: 1}
}

// Orderings and aggregates read a list whole, whatever its page.
const (
	// orderKeyPrice: a top-level list sorted by a key of its own compares
	// every item of its kind once more per key.
	orderKeyPrice = scanPrice / 10
	// relationOrderKeyPrice and relationAggregatePrice: a relation list is
	// one anchor's, mostly a few dozen relations, read once more for the
	// aggregate and once per number it aggregates.
	relationOrderKeyPrice  = 2
	relationAggregatePrice = 10
	aggregateNumberPrice   = 5
	// maxFundingRows bounds the rows fundingTotals is priced at, as many
	// as the groups of a single CITY grouping allow twice over: every row
	// needs a financing, so a product of dimensions stays far below its
	// bound.
	maxFundingRows = 2_000
)

// orderings is the work a list's orderBy (or sortBy) keys and its selected
// aggregate add: a whole scan for a top-level list's aggregate, less for
// a relation list, which is one anchor's (and is multiplied by the
// anchors above it).
func (a *analyzer) orderings(on *ast.Definition, f *ast.Field, args arguments) int {
	keys := max(args.orderKeys("orderBy"), args.orderKeys("sortBy"))
	selected, numbers := a.aggregateSelected(f.SelectionSet, map[string]bool{})
	if on != nil && on == a.schema.Query {
		work := keys * orderKeyPrice
		if selected {
			work += scanPrice + numbers*orderKeyPrice
		}
		return work
	}
	work := keys * relationOrderKeyPrice
	if selected {
		work += relationAggregatePrice + numbers*aggregateNumberPrice
	}
	return work
}

// aggregateSelected says whether a list's selection selects its aggregate
// field, and how many of its numbers; fragments are followed once each.
func (a *analyzer) aggregateSelected(set ast.SelectionSet, seen map[string]bool) (selected bool, numbers int) {
	for _, sel := range set {
		var sub ast.SelectionSet
		switch x := sel.(type) {
		case *ast.Field:
			if x.Name == "aggregate" {
				selected = true
				for _, af := range x.SelectionSet {
					if f, ok := af.(*ast.Field); ok && f.Name != "count" && f.Name != "__typename" {
						numbers++
					}
				}
			}
			continue
		case *ast.InlineFragment:
			sub = x.SelectionSet
		case *ast.FragmentSpread:
			if seen[x.Name] || a.fragments[x.Name] == nil {
				continue
			}
			seen[x.Name] = true
			sub = a.fragments[x.Name].SelectionSet
		}
		s, n := a.aggregateSelected(sub, seen)
		selected, numbers = selected || s, numbers+n
	}
	return selected, numbers
}

// arguments reads one field's arguments as the executor will see them:
// written, from a variable, from the variable's default, or from the
// schema's default.
type arguments struct {
	a     *analyzer
	def   *ast.FieldDefinition
	field *ast.Field
}

// value returns the argument's value (nil when absent or null).
func (args arguments) value(name string) any {
	if arg := args.field.Arguments.ForName(name); arg != nil && arg.Value != nil {
		return args.a.resolve(arg.Value)
	}
	if d := args.def.Arguments.ForName(name); d != nil && d.DefaultValue != nil {
		return args.a.resolve(d.DefaultValue)
	}
	return nil
}

// resolve reads a value, following variables to the request's variables
// or the operation's defaults.
func (a *analyzer) resolve(v *ast.Value) any {
	switch v.Kind {
	case ast.Variable:
		if x, ok := a.variable(v.Raw); ok {
			return x
		}
		if d := a.varDefs.ForName(v.Raw); d != nil && d.DefaultValue != nil && d.DefaultValue.Kind != ast.Variable {
			return a.resolve(d.DefaultValue)
		}
		return nil
	case ast.ListValue:
		out := make([]any, len(v.Children))
		return out // only its length is read
	case ast.IntValue, ast.FloatValue, ast.EnumValue, ast.StringValue:
		return v.Raw
	}
	return nil
}

// page is the most items the field's page holds: the larger of `first`
// and `last` (a request that gives both is refused, but is priced as the
// larger), the default when neither is given, clamped to the page sizes
// the store allows.
func (args arguments) page() int {
	if args.value("last") == nil {
		return args.int("first", domain.DefaultPageSize, 1, domain.MaxPageSize)
	}
	last := args.int("last", domain.DefaultPageSize, 1, domain.MaxPageSize)
	if args.value("first") == nil {
		return last
	}
	return max(last, args.int("first", domain.DefaultPageSize, 1, domain.MaxPageSize))
}

// rows is an unpaged list's `first` (rankings, search hits, nearby
// cities, suggestions, part loads), clamped to the rows such a list answers.
func (args arguments) rows() int {
	return args.int("first", domain.DefaultPageSize, 1, domain.MaxUnpagedRows)
}

// int reads an integer argument, def when absent, clamped to [lo, hi]; a
// value that is no integer (validation will refuse it) is priced at hi.
func (args arguments) int(name string, def, lo, hi int) int {
	v := args.value(name)
	if v == nil {
		return min(max(def, lo), hi)
	}
	n, ok := number(v)
	if !ok || math.IsNaN(n) {
		return hi
	}
	return int(math.Min(math.Max(n, float64(lo)), float64(hi)))
}

// float reads a number argument; absent or not a number, it is priced at hi.
func (args arguments) float(name string, hi float64) float64 {
	n, ok := number(args.value(name))
	if !ok || math.IsNaN(n) {
		return hi
	}
	return math.Min(n, hi)
}

// listLen is the length of a list argument (0 when absent or null); a
// value that is not a list counts as max.
func (args arguments) listLen(name string, max int) int {
	switch v := args.value(name).(type) {
	case nil:
		return 0
	case []any:
		return min(len(v), max)
	default:
		return max
	}
}

// orderKeys counts the keys of an orderBy that cost work: none for the
// lists' own order (one key by name or slug, the default), else each key,
// up to the most an order takes.
func (args arguments) orderKeys(name string) int {
	v := args.field.Arguments.ForName(name)
	var val *ast.Value
	if v != nil {
		val = v.Value
	} else if d := args.def.Arguments.ForName(name); d != nil {
		val = d.DefaultValue
	}
	if val == nil {
		return 0
	}
	var fields []string
	switch val.Kind {
	case ast.ListValue:
		for _, c := range val.Children {
			fields = append(fields, orderKeyField(c.Value))
		}
	case ast.ObjectValue:
		fields = []string{orderKeyField(val)}
	case ast.Variable:
		keys, _ := args.a.variable(val.Raw)
		if m, ok := keys.(map[string]any); ok {
			keys = []any{m}
		}
		l, _ := keys.([]any)
		for _, k := range l {
			m, _ := k.(map[string]any)
			f, _ := m["field"].(string)
			fields = append(fields, f)
		}
	default:
		return 0
	}
	if len(fields) == 1 && (fields[0] == "NAME" || fields[0] == "SLUG") {
		return 0
	}
	return min(len(fields), domain.MaxOrderKeys)
}

// orderKeyField is the field a literal order key names ("" if unknown).
func orderKeyField(v *ast.Value) string {
	if v == nil || v.Kind != ast.ObjectValue {
		return ""
	}
	for _, c := range v.Children {
		if c.Name == "field" && c.Value != nil {
			return c.Value.Raw
		}
	}
	return ""
}

// enums reads a list of enums, or one written without brackets; a list
// from a variable or one the pass cannot read is one "" per item.
func (args arguments) enums(name string) []string {
	if arg := args.field.Arguments.ForName(name); arg != nil && arg.Value != nil && arg.Value.Kind == ast.ListValue {
		out := make([]string, len(arg.Value.Children))
		for i, c := range arg.Value.Children {
			if c.Value != nil && c.Value.Kind == ast.EnumValue {
				out[i] = c.Value.Raw
			}
		}
		return out
	}
	switch v := args.value(name).(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i], _ = x.(string)
		}
		return out
	}
	return []string{""}
}

// number reads a literal (its raw text) or a variable's JSON value.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}
