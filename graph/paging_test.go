package graph_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
)

// pageOf is one connection page as a client sees it.
type pageOf struct {
	items                  []string
	total                  int
	hasNext, hasPrevious   bool
	startCursor, endCursor string
}

// connectionPage runs q (which selects a connection with totalCount,
// pageInfo and edges { node { slug } }) at path and reads the page.
func connectionPage(t *testing.T, c *client.Client, q string, vars map[string]any, path ...any) pageOf {
	t.Helper()
	var opts []client.Option
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	conn := at(t, query(t, c, q, opts...), path...).(map[string]any)
	info := conn["pageInfo"].(map[string]any)
	p := pageOf{total: int(conn["totalCount"].(float64)), hasNext: info["hasNextPage"].(bool), hasPrevious: info["hasPreviousPage"].(bool)}
	p.startCursor, _ = info["startCursor"].(string)
	p.endCursor, _ = info["endCursor"].(string)
	for _, e := range conn["edges"].([]any) {
		p.items = append(p.items, e.(map[string]any)["node"].(map[string]any)["slug"].(string))
	}
	return p
}

// Paging back with last and before through a whole list gives the items
// paging forward with first and after gives, in the same order, and both
// pageInfo flags are right on every page, for a relation connection and
// for a top-level list.
func TestPagingBackGivesWhatPagingForwardGives(t *testing.T) {
	c := newClient(projectStore(t))
	lists := []struct {
		name, query string
		path        []any
		size        int
	}{
		{"a city's partners", `query($first: Int, $after: String, $last: Int, $before: String) { city(slug: "nanning") {
			partners(first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { slug } } } } }`,
			[]any{"city", "partners"}, 2},
		{"the cities, by slug descending", `query($first: Int, $after: String, $last: Int, $before: String) {
			cities(orderBy: {field: SLUG, direction: DESC}, first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { slug } } } }`,
			[]any{"cities"}, 4},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			size := l.size
			var forward []string
			vars := map[string]any{"first": size}
			for i := 0; ; i++ {
				p := connectionPage(t, c, l.query, vars, l.path...)
				forward = append(forward, p.items...)
				if p.hasPrevious != (i > 0) {
					t.Errorf("forward page %d: hasPreviousPage = %v, want %v", i, p.hasPrevious, i > 0)
				}
				if p.total < size*2 {
					t.Fatalf("totalCount = %d; want a list of several pages", p.total)
				}
				if !p.hasNext {
					if len(forward) != p.total {
						t.Errorf("paged forward through %d items; totalCount says %d", len(forward), p.total)
					}
					break
				}
				if len(p.items) != size {
					t.Fatalf("forward page %d has %d items, want %d", i, len(p.items), size)
				}
				vars["after"] = p.endCursor
			}
			var back []string
			vars = map[string]any{"last": size}
			for i := 0; ; i++ {
				p := connectionPage(t, c, l.query, vars, l.path...)
				back = append(slices.Clone(p.items), back...)
				if p.hasNext != (i > 0) {
					t.Errorf("backward page %d: hasNextPage = %v, want %v", i, p.hasNext, i > 0)
				}
				if !p.hasPrevious {
					break
				}
				if len(p.items) != size {
					t.Fatalf("backward page %d has %d items, want %d", i, len(p.items), size)
				}
				vars["before"] = p.startCursor
			}
			if !slices.Equal(back, forward) {
				t.Errorf("paging back gave\n%v\npaging forward gave\n%v", back, forward)
			}
		})
	}
}

// A field of a fragment is one field of the document wherever the fragment
// is spread; where a sibling of it asks for totalCount, the total is
// counted, and where none does, it is not.
func TestTotalCountWhereAFragmentsFieldIsMerged(t *testing.T) {
	st := projectStore(t)
	want, err := st.Edges(t.Context(), domain.EdgeQuery{Kind: domain.EdgePartnerOf, Page: domain.Page{First: 2}}, []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}})
	if err != nil {
		t.Fatal(err)
	}
	d := query(t, newClient(st), `{ city(slug: "nanning") { ...P partners(first: 1) { edges { node { ...P } } } }
		again: city(slug: "nanning") { ...P p: partners(first: 2) { totalCount } } }
		fragment P on City { slug p: partners(first: 2) { edges { node { slug } } } }`)
	if got := at(t, d, "again", "p", "totalCount").(float64); int(got) != want[0].TotalCount || got == 0 {
		t.Errorf("totalCount = %v, want %d", got, want[0].TotalCount)
	}
}

// Pages of 1,000 are served where the cost allows, and refused by the cost
// analysis, before any store work, where nested pages multiply past it.
func TestPagesOfAThousand(t *testing.T) {
	c, _, _, b := planStores(t, 10_000)
	body := firstOf(t, b, domain.KindFundingBody)
	t.Run("a list of 1000 cities", func(t *testing.T) {
		p := connectionPage(t, c, `{ cities(first: 1000) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { slug } } } }`, nil, "cities")
		if len(p.items) != 1000 || !p.hasNext || p.hasPrevious || p.total <= 1000 {
			t.Errorf("got %d items of %d, hasNextPage %v, hasPreviousPage %v; want 1000 of more, a next page and no previous one", len(p.items), p.total, p.hasNext, p.hasPrevious)
		}
		back := connectionPage(t, c, `{ cities(last: 1000) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { slug } } } }`, nil, "cities")
		if len(back.items) != 1000 || back.hasNext || !back.hasPrevious {
			t.Errorf("last 1000: got %d items, hasNextPage %v, hasPreviousPage %v; want 1000, no next page, a previous one", len(back.items), back.hasNext, back.hasPrevious)
		}
	})
	t.Run("a funding body's financings, 1000 at a time", func(t *testing.T) {
		d := query(t, c, fmt.Sprintf(`{ fundingBody(slug: %q) { financings(first: 1000) { totalCount edges { node { name } } } } }`, body))
		conn := at(t, d, "fundingBody", "financings").(map[string]any)
		if n, total := len(conn["edges"].([]any)), int(conn["totalCount"].(float64)); n != min(total, 1000) || n == 0 {
			t.Errorf("got %d financings of %d; want all of them up to 1000", n, total)
		}
	})
	t.Run("nested pages of 1000 are refused by cost", func(t *testing.T) {
		resp, err := c.RawPost(`{ cities(first: 1000) { edges { node { partners(last: 1000) { totalCount } } } } }`)
		if err != nil {
			t.Fatal(err)
		}
		es := errorsOf(t, resp.Errors)
		if len(es) != 1 || es[0].Extensions["code"] != string(domain.ELIMIT) {
			t.Fatalf("errors = %v; want one %s", es, domain.ELIMIT)
		}
		m := regexp.MustCompile(`about (\d+) items.*the limit \(max cost\) is (\d+)`).FindStringSubmatch(es[0].Message)
		if m == nil {
			t.Fatalf("message = %q; want the cost and the limit", es[0].Message)
		}
		if cost, _ := strconv.Atoi(m[1]); cost < 1000*1000 || m[2] != strconv.Itoa(graph.DefaultLimits.MaxCost) {
			t.Errorf("message = %q; want a cost of at least 1000 × 1000 and the limit %d", es[0].Message, graph.DefaultLimits.MaxCost)
		}
	})
}
