// Package storetest is the contract suite every domain.Store passes: the
// embedded store always, the Neo4j store against a real server. Run opens a
// fresh, empty store for each subtest so that each starts from a known state.
//
// Conventions the suite pins down beyond the comments in package domain (both
// stores must follow them):
//   - A Problem's Field starts with what it is about: the node key
//     ("City:nanning.location") or the normalised edge key
//     ("PARTNER_OF(City:a,City:b).kind").
//   - Neighbourhood visits level by level, each level in NodeKey order
//     (kind, then slug), so the nodes a limit keeps are the same on every store;
//     its edges are every edge of a followed kind among the kept nodes.
//   - AsOf keeps an edge whose Since is unknown or on or before AsOf, for
//     every relation an analytic follows (partnerships, attendances,
//     signatures, financings).
//   - A date range [From, To] keeps a date d with From <= d and (d <= To or d
//     starts with To), so To "2017" keeps "2017-05".
//   - Search scores: 3 exact name, Chinese name or alias (case-insensitive),
//     2 prefix of one of them, 1 substring of one of them or the description,
//     0.5 every word of the text found in those fields.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// Run runs the whole contract suite. open must return an empty store and
// register its own cleanup (t.Cleanup); the suite never closes stores.
func Run(t *testing.T, open func(t *testing.T) domain.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Apply", applyTests},
		{"Write", writeTests},
		{"Changes", changesTests},
		{"Nodes", nodesTests},
		{"ListNodes", listNodesTests},
		{"Edges", edgesTests},
		{"Neighbourhood", neighbourhoodTests},
		{"Ping", pingTests},
		{"Paths", pathsTests},
		{"FundingTotals", fundingTests},
		{"RankCities", rankTests},
		{"SuggestPartners", suggestTests},
		{"Near", nearTests},
		{"Search", searchTests},
		{"ProjectSeed", seedTests},
		{"Plan", planTests},
		{"Pages", pageTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, open) })
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, open func(t *testing.T) domain.Store)
}

// withFixture opens an empty store and loads Forum2015 into it.
func withFixture(t *testing.T, open func(t *testing.T) domain.Store) (domain.Store, *domain.Batch) {
	t.Helper()
	s := open(t)
	b := Forum2015(t)
	mustApply(t, s, b)
	return s, Forum2015(t)
}

func mustApply(t *testing.T, s domain.Store, b *domain.Batch) domain.Report {
	t.Helper()
	r, err := s.Apply(context.Background(), b, domain.ApplyOptions{})
	if err != nil {
		var e *domain.Error
		if errors.As(err, &e) && len(e.Problems) > 0 {
			t.Fatalf("Apply: %v; first problems: %v", err, e.Problems[:min(5, len(e.Problems))])
		}
		t.Fatalf("Apply: %v", err)
	}
	return r
}

// wantCode fails unless err is a *domain.Error with code want.
func wantCode(t *testing.T, err error, want domain.Code) *domain.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	var e *domain.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want a *domain.Error with code %s", err, err, want)
	}
	if e.Code != want {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, want)
	}
	if e.Message == "" {
		t.Errorf("error with code %s has no message", want)
	}
	return e
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// canonical returns a deep copy of v with empty slices set to nil, so that
// a store that reads back [] where nil was written compares equal, and
// versions zero.
func canonical(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	c := reflect.New(rv.Type()).Elem()
	copyCanon(c, rv)
	return c.Interface()
}

func copyCanon(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyCanon(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyCanon(e, src.Elem())
		dst.Set(e)
	case reflect.Struct:
		for i := range src.NumField() {
			// A value reads back with the version the store gave it; the
			// write tests check versions themselves.
			if src.Type().Field(i).Name == "Version" && src.Type().Field(i).Type.Kind() == reflect.Int64 {
				continue
			}
			if dst.Field(i).CanSet() {
				copyCanon(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.Len() == 0 {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyCanon(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	default:
		dst.Set(src)
	}
}

// sameValue reports whether two values are equal up to nil/empty slices.
func sameValue(a, b any) bool { return reflect.DeepEqual(canonical(a), canonical(b)) }

// snapshot reads everything the store holds about the keys of b (and of
// extra), so that a test can check a failed write changed nothing.
type snap struct {
	Nodes []domain.Node
	Edges map[string][]domain.Edge
	Lists map[domain.Kind][]string
}

func snapshot(t *testing.T, s domain.Store, b *domain.Batch, extra ...domain.NodeKey) snap {
	t.Helper()
	ctx := context.Background()
	keys := append(nodeKeys(b), extra...)
	ns := must[[]domain.Node](t)(s.Nodes(ctx, keys))
	sn := snap{Nodes: ns, Edges: map[string][]domain.Edge{}, Lists: map[domain.Kind][]string{}}
	for _, k := range domain.EdgeKinds {
		q := domain.EdgeQuery{Kind: k, Page: domain.Page{First: domain.MaxPageSize}}
		pages := must[[]domain.EdgePage](t)(s.Edges(ctx, q, keys))
		for i, p := range pages {
			for _, e := range p.Items {
				sn.Edges[keys[i].String()] = append(sn.Edges[keys[i].String()], e)
			}
		}
	}
	for _, k := range domain.Kinds {
		sn.Lists[k] = listAll(t, s, domain.NodeQuery{Kind: k, Order: domain.OrderByID})
	}
	return sn
}

func nodeKeys(b *domain.Batch) []domain.NodeKey {
	keys := make([]domain.NodeKey, len(b.Nodes))
	for i, n := range b.Nodes {
		keys[i] = n.Key()
	}
	return keys
}

// listAll pages through a node list and returns the slugs in order.
func listAll(t *testing.T, s domain.Store, q domain.NodeQuery) []string {
	t.Helper()
	var ids []string
	q.Page.First = domain.MaxPageSize
	for range 10000 {
		p := must[domain.NodePage](t)(s.ListNodes(context.Background(), q))
		for _, n := range p.Items {
			ids = append(ids, n.Base().ID)
		}
		if !p.HasNextPage {
			return ids
		}
		q.Page.After = p.Cursors[len(p.Cursors)-1]
	}
	t.Fatal("ListNodes never reached the last page")
	return nil
}

// others returns the slugs of the other ends of a page's edges, in order.
func others(anchor domain.NodeKey, p domain.EdgePage) []string {
	ids := make([]string, len(p.Items))
	for i := range p.Items {
		ids[i] = p.Items[i].Other(anchor).ID
	}
	return ids
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func eqStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// hasProblemAbout reports whether some problem's field names the thing.
func hasProblemAbout(e *domain.Error, about string) bool {
	for _, p := range e.Problems {
		if strings.HasPrefix(p.Field, about) {
			return true
		}
	}
	return false
}

func eqValue(t *testing.T, what string, got, want any) {
	t.Helper()
	if !sameValue(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

var pingTests = []test{
	{"an open store answers", func(t *testing.T, open func(*testing.T) domain.Store) {
		if err := open(t).Ping(context.Background()); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	}},
}
