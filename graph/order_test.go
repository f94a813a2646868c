package graph_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
)

// cityRow is a city as the order tests read it.
type cityRow struct {
	slug       string
	population float64
	name       string
}

func cityRows(t *testing.T, edges any) []cityRow {
	t.Helper()
	var out []cityRow
	for _, e := range edges.([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		p, _ := n["population"].(float64)
		out = append(out, cityRow{slug: n["slug"].(string), population: p, name: n["name"].(string)})
	}
	return out
}

func slugs(rows []cityRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.slug
	}
	return out
}

func TestOrderBy(t *testing.T) {
	st := countedStore(synthStore(t, 300))
	c := newClient(st)
	all := cityRows(t, at(t, query(t, c, `{ cities(first: 1000) { edges { node { slug name population } } } }`), "cities", "edges"))
	byPopulation := slices.Clone(all)
	slices.SortFunc(byPopulation, func(a, b cityRow) int {
		return cmp.Or(cmp.Compare(b.population, a.population), cmp.Compare(a.name, b.name), cmp.Compare(a.slug, b.slug))
	})

	t.Run("several keys, paged with the cursors it gives, in one store call a page", func(t *testing.T) {
		var got []cityRow
		after := ""
		for range len(all) {
			before := st.calls.Load()
			d := query(t, c, fmt.Sprintf(`{ cities(first: 70, after: %q, orderBy: [{field: POPULATION, direction: DESC}, {field: NAME}]) {
				edges { node { slug name population } } pageInfo { hasNextPage endCursor } } }`, after))
			if n := st.calls.Load() - before; n != 1 {
				t.Errorf("a page took %d store calls, want 1", n)
			}
			got = append(got, cityRows(t, at(t, d, "cities", "edges"))...)
			if at(t, d, "cities", "pageInfo", "hasNextPage") != true {
				break
			}
			after = at(t, d, "cities", "pageInfo", "endCursor").(string)
		}
		if g, w := slugs(got), slugs(byPopulation); !slices.Equal(g, w) {
			t.Errorf("got %d cities in order %v…, want %d in %v…", len(g), g[:min(5, len(g))], len(w), w[:min(5, len(w))])
		}
	})
	t.Run("one key written without brackets keeps the old form working", func(t *testing.T) {
		d := query(t, c, `{ cities(first: 3, orderBy: {field: SLUG, direction: DESC}) { edges { node { slug name population } } } }`)
		bySlug := slugs(all)
		slices.Sort(bySlug)
		slices.Reverse(bySlug)
		if g := slugs(cityRows(t, at(t, d, "cities", "edges"))); !slices.Equal(g, bySlug[:3]) {
			t.Errorf("got %v, want %v", g, bySlug[:3])
		}
	})
	t.Run("a relation connection by the far end's field", func(t *testing.T) {
		d := query(t, c, `{ cities(first: 20) { edges { node { partners(first: 100, sortBy: [{field: POPULATION, direction: DESC}]) {
			edges { node { slug name population } } } } } } }`)
		checked := 0
		for _, e := range at(t, d, "cities", "edges").([]any) {
			rows := cityRows(t, at(t, e, "node", "partners", "edges"))
			if !slices.IsSortedFunc(rows, func(a, b cityRow) int { return cmp.Compare(b.population, a.population) }) {
				t.Errorf("partners not by population, largest first: %v", rows)
			}
			checked += len(rows)
		}
		if checked < 20 {
			t.Errorf("only %d partners checked; the test tests too little", checked)
		}
	})
	t.Run("an unknown field is a validation error that names it", func(t *testing.T) {
		resp, err := c.RawPost(`{ cities(orderBy: [{field: ALTITUDE}]) { totalCount } }`)
		if err != nil {
			t.Fatal(err)
		}
		if !containsText(string(resp.Errors), "ALTITUDE") {
			t.Errorf("got errors %s, want one naming ALTITUDE", resp.Errors)
		}
	})
}
