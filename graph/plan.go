package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
	"github.com/vektah/gqlparser/v2/ast"
)

// planOperation builds the reads a validated query operation needs as one
// domain.Plan: a root for each lookup (node, nodes, city(slug:), …) and
// each top-level list (cities(…), …), and from every node selected what its
// selection reads, recursively: its sources, and the relation fields of
// relationFields with their far ends. Fields it cannot plan (the
// analytics, and the nodes their answers name: see relationFields) are read
// by their resolvers through the loaders. A field whose arguments are bad
// is left out, so its resolver reports the error as it always did.
func planOperation(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) *domain.Plan {
	p := newPlanner(schema, vars)
	plan := &domain.Plan{}
	if op == nil || op.Operation != ast.Query || schema.Query == nil {
		return plan
	}
	plan.Fields = operationFields(schema, op)
	for _, f := range p.collect(op.SelectionSet, schema.Query.Name) {
		if r, ok := p.root(f); ok {
			plan.Roots = append(plan.Roots, r)
		}
	}
	return plan
}

// planner walks one operation. Fragments are collected once per type they
// are spread on, and the reach of a selection once per set of types, so a
// fragment spread many times is walked once.
type planner struct {
	schema    *ast.Schema
	vars      map[string]any
	fragments map[string][]*ast.Field
	reaches   map[string]*domain.Reach
}

func newPlanner(schema *ast.Schema, vars map[string]any) *planner {
	return &planner{schema: schema, vars: vars, fragments: map[string][]*ast.Field{}, reaches: map[string]*domain.Reach{}}
}

// root plans one top-level field, if it finds nodes the plan can start from.
func (p *planner) root(f *ast.Field) (domain.Root, bool) {
	a := args(f.ArgumentMap(p.vars))
	switch {
	case f.Name == "node":
		k, err := domain.ParseNodeKey(a.str("id"))
		if err != nil {
			return domain.Root{}, false
		}
		return domain.Root{Keys: []domain.NodeKey{k}, Reach: *p.reach([]string{string(k.Kind)}, []ast.SelectionSet{f.SelectionSet})}, true
	case f.Name == "nodes":
		ids, _ := a["ids"].([]any)
		if len(ids) == 0 || len(ids) > domain.MaxNodeIDs {
			return domain.Root{}, false
		}
		var keys []domain.NodeKey
		var types []string
		for _, id := range ids {
			s, _ := id.(string)
			k, err := domain.ParseNodeKey(s)
			if err != nil {
				return domain.Root{}, false
			}
			keys = append(keys, k)
			if !slices.Contains(types, string(k.Kind)) {
				types = append(types, string(k.Kind))
			}
		}
		return domain.Root{Keys: keys, Reach: *p.reach(types, []ast.SelectionSet{f.SelectionSet})}, true
	}
	if l, ok := lookupFields[f.Name]; ok {
		slug := a.str(l.arg)
		if domain.ValidateSlug(slug) != nil {
			return domain.Root{}, false
		}
		return domain.Root{Keys: []domain.NodeKey{{Kind: l.kind, ID: slug}}, Reach: *p.reach([]string{string(l.kind)}, []ast.SelectionSet{f.SelectionSet})}, true
	}
	if build, ok := listFields[f.Name]; ok {
		q, err := listPageQuery(build, a, asksTotal(f.SelectionSet, p.vars))
		q.Aggregate = asksAggregate(f.SelectionSet, p.vars)
		q.Page.NoCursors = !asksCursors(f.SelectionSet, p.vars)
		if err != nil || q.Normalize() != nil {
			return domain.Root{}, false
		}
		r := domain.Root{List: &q}
		if ends, _, _ := p.edgeEnds(f); ends != nil {
			r.Reach = *ends
		}
		return r, true
	}
	// The analytics (paths, near, cityRanking, suggestedPartners, search,
	// fundingTotals, neighbourhood) and partLoads are not planned: their
	// answers come from their own store methods, and the nodes they name
	// are read with a second plan once they are known (planNamed), or, for
	// fundingTotals, with the totals.
	return domain.Root{}, false
}

// reach is what to read from nodes of the given object types (one for a
// field of a concrete type, several under an interface or union) for the
// selection sets that select them.
func (p *planner) reach(types []string, sets []ast.SelectionSet) *domain.Reach {
	key := reachKey(types, sets)
	if r, ok := p.reaches[key]; ok {
		return r
	}
	r := &reachBuilder{}
	for _, t := range types {
		kind := domain.Kind(t)
		for _, set := range sets {
			for _, f := range withMerged(p.collect(set, t)) {
				if f.Name == "sources" {
					r.sources = true
					continue
				}
				for _, fl := range p.follows(t, f) {
					if len(types) > 1 {
						fl.From = kind // only the nodes of this type select it
					}
					r.add(fl)
				}
			}
		}
	}
	out := r.reach()
	p.reaches[key] = out
	return out
}

// follows plans one field of a node of type t: a relation field from the
// table, or a composite field (attendanceByCountry); none for the others.
func (p *planner) follows(t string, f *ast.Field) []domain.Follow {
	rf, ok := relationFields[t][f.Name]
	if !ok {
		if t == string(domain.KindForum) && f.Name == "attendanceByCountry" {
			return []domain.Follow{p.attendanceByCountry(f)}
		}
		return nil
	}
	q, err := rf.queryFor(args(f.ArgumentMap(p.vars)), asksTotal(f.SelectionSet, p.vars))
	if err != nil {
		return nil
	}
	if rf.shape == shapeConnection || rf.shape == shapeNodes {
		q.Page.NoItems = totalOnly(f.SelectionSet, p.vars)
		q.Page.NoCursors = !asksCursors(f.SelectionSet, p.vars)
	}
	q.Aggregate = asksAggregate(f.SelectionSet, p.vars)
	fl := domain.Follow{Query: q}
	switch rf.shape {
	case shapeOne:
		fl.Ends = p.reach(p.possible(f.Definition.Type.Name()), []ast.SelectionSet{f.SelectionSet})
	case shapeList:
		fl.All = true
		fl.Ends = p.reach(p.possible(f.Definition.Type.Name()), []ast.SelectionSet{f.SelectionSet})
	case shapeConnection, shapeNodes:
		var extra []domain.Follow
		fl.Ends, fl.EdgeSources, extra = p.edgeEnds(f)
		if rf.shape == shapeNodes && fl.Ends == nil {
			fl.Ends = &domain.Reach{} // the resolver reads the far ends to build the page
		}
		if len(extra) > 0 {
			return append([]domain.Follow{fl}, extra...)
		}
	}
	return []domain.Follow{fl}
}

// edgeEnds reads a connection field's selection: the reach of its edges'
// nodes (nil when no node is selected), whether the edges' sources are
// selected, and what the composite edge fields need from the anchor.
func (p *planner) edgeEnds(f *ast.Field) (ends *domain.Reach, edgeSources bool, extra []domain.Follow) {
	var nodeSets []ast.SelectionSet
	var nodeType string
	var atEnd []domain.Follow
	for _, cf := range p.collect(f.SelectionSet, f.Definition.Type.Name()) {
		if cf.Name != "edges" {
			continue
		}
		edgeType := cf.Definition.Type.Name()
		for _, ef := range p.collect(cf.SelectionSet, edgeType) {
			switch ef.Name {
			case "node":
				nodeSets = append(nodeSets, ef.SelectionSet)
				nodeType = ef.Definition.Type.Name()
			case "sources":
				edgeSources = true
			case "attendingMemberCountries":
				if edgeType == "AppealEdge" {
					anchor, end := p.attendingMemberCountries(ef)
					extra, atEnd = append(extra, anchor), append(atEnd, end)
				}
			}
		}
	}
	if len(nodeSets) > 0 {
		ends = p.reach(p.possible(nodeType), nodeSets)
	}
	if len(atEnd) > 0 {
		ends = mergeReach(ends, &domain.Reach{Follow: atEnd})
	}
	return ends, edgeSources, extra
}

// possible lists the object types a field of type name may hold.
func (p *planner) possible(name string) []string {
	def := p.schema.Types[name]
	if def == nil {
		return nil
	}
	if def.Kind == ast.Object {
		return []string{name}
	}
	var out []string
	for _, d := range p.schema.GetPossibleTypes(def) {
		out = append(out, d.Name)
	}
	return out
}

// collect lists the fields a selection set selects on an object of type t:
// its fields, and those of the fragments that apply to t, skipping what
// @skip and @include leave out.
func (p *planner) collect(set ast.SelectionSet, t string) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if p.included(s.Directives) && s.Definition != nil {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			if p.included(s.Directives) && p.applies(s.TypeCondition, t) {
				out = append(out, p.collect(s.SelectionSet, t)...)
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || !p.included(s.Directives) || !p.applies(s.Definition.TypeCondition, t) {
				continue
			}
			key := s.Name + "\x00" + t
			fields, ok := p.fragments[key]
			if !ok {
				fields = p.collect(s.Definition.SelectionSet, t)
				p.fragments[key] = fields
			}
			out = append(out, fields...)
		}
	}
	return out
}

// applies says whether a fragment on cond applies to an object of type t.
func (p *planner) applies(cond, t string) bool {
	if cond == "" || cond == t {
		return true
	}
	def := p.schema.Types[cond]
	if def == nil {
		return false
	}
	for _, d := range p.schema.GetPossibleTypes(def) {
		if d.Name == t {
			return true
		}
	}
	return false
}

// included evaluates @skip and @include; a field they leave out is not
// planned.
func (p *planner) included(ds ast.DirectiveList) bool { return included(ds, p.vars) }

// reachKey names a reach's inputs: the types and the selection sets, by
// identity (the document's own slices), so a fragment's fields reached
// again share the answer.
func reachKey(types []string, sets []ast.SelectionSet) string {
	var b strings.Builder
	b.WriteString(strings.Join(types, ","))
	for _, s := range sets {
		if len(s) == 0 {
			b.WriteString("|-")
			continue
		}
		fmt.Fprintf(&b, "|%p/%d", &s[0], len(s))
	}
	return b.String()
}

// reachBuilder gathers a reach's follows, merging those that read the same
// relations (same From, query and All) so that a field selected twice, or
// through two fragments, is read once with the union of what is below it.
type reachBuilder struct {
	sources bool
	follow  []domain.Follow
	at      map[string]int
}

func followKey(f domain.Follow) (string, bool) {
	q := f.Query
	if f.All {
		q.Page = domain.Page{First: domain.MaxPageSize}
	}
	if q.Normalize() != nil {
		return "", false
	}
	if f.All {
		return string(f.From) + "\x00" + q.AllSignature(), true
	}
	return string(f.From) + "\x00" + q.Signature(), true
}

func (r *reachBuilder) add(f domain.Follow) {
	key, ok := followKey(f)
	if !ok {
		return // a bad query: left to its resolver, which reports it
	}
	if r.at == nil {
		r.at = map[string]int{}
	}
	if i, ok := r.at[key]; ok {
		r.follow[i] = mergeFollow(r.follow[i], f)
		return
	}
	r.at[key] = len(r.follow)
	r.follow = append(r.follow, f)
}

func (r *reachBuilder) reach() *domain.Reach {
	return &domain.Reach{Sources: r.sources, Follow: r.follow}
}

// mergeFollow merges two follows of one relation query into a new one;
// neither is changed, as reaches are shared.
func mergeFollow(a, b domain.Follow) domain.Follow {
	a.EdgeSources = a.EdgeSources || b.EdgeSources
	a.Ends = mergeReach(a.Ends, b.Ends)
	return a
}

func mergeReach(a, b *domain.Reach) *domain.Reach {
	switch {
	case a == nil:
		return b
	case b == nil || a == b:
		return a
	}
	r := &reachBuilder{sources: a.Sources || b.Sources}
	for _, f := range a.Follow {
		r.add(f)
	}
	for _, f := range b.Follow {
		r.add(f)
	}
	return r.reach()
}

// The composite fields (attendance.go) read several relations; these plan
// exactly the reads their resolvers make, so they cost no store call.

// attendanceByCountry plans Forum.attendanceByCountry: every attendee, the
// country of each (a city's, or the country of an organisation's seat),
// and what its selection reads of the countries, cities and organisations.
func (p *planner) attendanceByCountry(f *ast.Field) domain.Follow {
	sets := map[string][]ast.SelectionSet{}
	for _, cf := range p.collect(f.SelectionSet, f.Definition.Type.Name()) {
		sets[cf.Name] = append(sets[cf.Name], cf.SelectionSet)
	}
	country := p.reach([]string{string(domain.KindCountry)}, sets["country"])
	inCountry := domain.Follow{Query: countryQuery(), Ends: country}
	attendee := &reachBuilder{}
	city, org := inCountry, domain.Follow{Query: seatQuery(), Ends: &domain.Reach{Follow: []domain.Follow{inCountry}}}
	city.From, org.From = domain.KindCity, domain.KindOrganization
	attendee.add(city)
	attendee.add(org)
	for kind, name := range map[domain.Kind]string{domain.KindCity: "cities", domain.KindOrganization: "organizations"} {
		r := p.reach([]string{string(kind)}, sets[name])
		attendee.sources = attendee.sources || r.Sources
		for _, fl := range r.Follow {
			fl.From = kind
			attendee.add(fl)
		}
	}
	return domain.Follow{Query: attendeesQuery(), All: true, Ends: attendee.reach()}
}

// attendingMemberCountries plans AppealEdge.attendingMemberCountries: from
// the forum (the anchor), its attending cities and their countries; from
// the funding body (the far end), its member countries.
func (p *planner) attendingMemberCountries(f *ast.Field) (atAnchor, atEnd domain.Follow) {
	attended := domain.Follow{Query: attendingCitiesQuery(), All: true, Ends: &domain.Reach{Follow: []domain.Follow{{Query: countryQuery()}}}}
	members := domain.Follow{Query: membersQuery(), All: true,
		Ends: p.reach([]string{string(domain.KindCountry)}, []ast.SelectionSet{f.SelectionSet})}
	return attended, members
}
