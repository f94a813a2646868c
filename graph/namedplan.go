package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/vektah/gqlparser/v2/ast"
)

// named are nodes an analytic's answer names (a ranking's cities, a
// path's hops), and where its selection shows them: the field names from
// the analytic field down to them (["hops", "from"]).
type named struct {
	path []string
	keys []domain.NodeKey
}

// planNamed reads, with one store call, the nodes an analytic's answer
// names and what the analytic field's selection asks below them, and puts
// them into the request's loaders: the operation's plan could not, as the
// keys are known only now. Without a domain.PlanRunner, or if the plan
// fails, the resolvers below read them through the loaders.
func (r *Resolver) planNamed(ctx context.Context, ns ...named) {
	runner, ok := r.Store.(domain.PlanRunner)
	l, hasLoaders := loader.From(ctx)
	fc := graphql.GetFieldContext(ctx)
	if !ok || !hasLoaders || fc == nil || r.Schema == nil || ctx.Err() != nil {
		return
	}
	oc := graphql.GetOperationContext(ctx)
	p := newPlanner(r.Schema, oc.Variables)
	plan := &domain.Plan{Fields: operationFields(r.Schema, oc.Operation)}
	for _, n := range ns {
		sets := p.selectionsAt(fc.Field.Selections, fc.Field.Definition.Type.Name(), n.path)
		var keys []domain.NodeKey
		var types []string
		for _, k := range n.keys {
			if k.ID == "" || !k.Kind.Valid() || slices.Contains(keys, k) {
				continue
			}
			keys = append(keys, k)
			if !slices.Contains(types, string(k.Kind)) {
				types = append(types, string(k.Kind))
			}
		}
		if len(sets) == 0 || len(keys) == 0 {
			continue
		}
		plan.Roots = append(plan.Roots, domain.Root{Keys: keys, Reach: *p.reach(types, sets)})
	}
	if len(plan.Roots) == 0 || plan.Normalize() != nil {
		return
	}
	answers, err := runner.Run(ctx, plan)
	if err != nil {
		r.Log.DebugContext(ctx, "reading an analytic's nodes in one plan failed; reading them field by field", "err", err)
		return
	}
	l.Answer(answers)
}

// selectionsAt follows path down from a selection of type t and returns
// the selection sets of the fields at its end.
func (p *planner) selectionsAt(set ast.SelectionSet, t string, path []string) []ast.SelectionSet {
	sets := []ast.SelectionSet{set}
	for _, name := range path {
		var next []ast.SelectionSet
		var nextType string
		for _, s := range sets {
			for _, f := range p.collect(s, t) {
				if f.Name == name {
					next = append(next, f.SelectionSet)
					nextType = f.Definition.Type.Name()
				}
			}
		}
		sets, t = next, nextType
	}
	return sets
}

func keysOf(kind domain.Kind, ids []string) []domain.NodeKey {
	keys := make([]domain.NodeKey, len(ids))
	for i, id := range ids {
		keys[i] = domain.NodeKey{Kind: kind, ID: id}
	}
	return keys
}

// What each analytic's answer names, for planNamed.

func namedInPaths(ps []domain.Path) []named {
	var cities, from, to, via []domain.NodeKey
	for _, p := range ps {
		cities = append(cities, keysOf(domain.KindCity, p.Cities)...)
		for _, h := range p.Hops {
			from = append(from, domain.NodeKey{Kind: domain.KindCity, ID: h.From})
			to = append(to, domain.NodeKey{Kind: domain.KindCity, ID: h.To})
			for _, l := range h.Links {
				if l.Kind != domain.LinkPartnership {
					via = append(via, l.Via)
				}
			}
		}
	}
	return []named{{[]string{"cities"}, cities}, {[]string{"hops", "from"}, from}, {[]string{"hops", "to"}, to}, {[]string{"hops", "links", "via"}, via}}
}

func namedInRanking(rs []domain.RankedCity) []named {
	keys := make([]domain.NodeKey, len(rs))
	for i, r := range rs {
		keys[i] = domain.NodeKey{Kind: domain.KindCity, ID: r.City}
	}
	return []named{{[]string{"city"}, keys}}
}

func namedInSuggestions(ss []domain.Suggestion) []named {
	var cities, forums, agreements, funders []domain.NodeKey
	for _, s := range ss {
		cities = append(cities, domain.NodeKey{Kind: domain.KindCity, ID: s.City})
		forums = append(forums, keysOf(domain.KindForum, s.SharedForums)...)
		agreements = append(agreements, keysOf(domain.KindAgreement, s.SharedAgreements)...)
		funders = append(funders, keysOf(domain.KindFundingBody, s.SharedFunders)...)
	}
	return []named{{[]string{"city"}, cities}, {[]string{"sharedForums"}, forums},
		{[]string{"sharedAgreements"}, agreements}, {[]string{"sharedFunders"}, funders}}
}

func namedInNear(ns []domain.NearCity) []named {
	keys := make([]domain.NodeKey, len(ns))
	for i, n := range ns {
		keys[i] = domain.NodeKey{Kind: domain.KindCity, ID: n.City}
	}
	return []named{{[]string{"city"}, keys}}
}

func namedInSearch(hs []domain.SearchHit) []named {
	keys := make([]domain.NodeKey, len(hs))
	for i, h := range hs {
		keys[i] = h.Key
	}
	return []named{{[]string{"node"}, keys}}
}

func namedInSubgraph(g domain.Subgraph) []named {
	var nodes, sources []domain.NodeKey
	for _, n := range g.Nodes {
		nodes = append(nodes, n.Key())
	}
	for _, e := range g.Edges {
		sources = append(sources, keysOf(domain.KindSource, e.Sources)...)
	}
	return []named{{[]string{"nodes"}, nodes}, {[]string{"edges", "sources"}, sources}}
}
