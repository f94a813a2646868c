package neo4jstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// TestPageStatements checks, without a server, what the page builders put
// in the statements the reads send: a count only when the total is
// wanted, a test of the rows beyond each cursor only when it is given, and
// cursor values only as parameters.
func TestPageStatements(t *testing.T) {
	after := domain.Cursor{Key: "Kuala Lumpur", ID: "kuala-lumpur"}.Encode()
	before := domain.Cursor{Key: "Vientiane", ID: "vientiane"}.Encode()
	pages := []struct {
		name string
		page domain.Page
		// counts, exists: how many COUNT and EXISTS tests the edge
		// statement holds; lists: how many subqueries the node list does
		// beside its page.
		counts, exists, lists int
	}{
		{"first page", domain.Page{First: 5}, 1, 0, 1},
		{"first page without a total", domain.Page{First: 5, NoTotal: true}, 0, 0, 0},
		{"after a cursor", domain.Page{First: 5, After: after}, 1, 1, 2},
		{"last before a cursor", domain.Page{Last: 5, Before: before}, 1, 1, 2},
		{"between two cursors without a total", domain.Page{Last: 5, After: after, Before: before, NoTotal: true}, 0, 2, 2},
	}
	// build returns each read's statement for a page.
	build := map[string]func(t *testing.T, p domain.Page) (string, map[string]any){
		"Edges": func(t *testing.T, p domain.Page) (string, map[string]any) {
			c, params, err := edgesStatement(*mustNormalize(t, &domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2015", Page: p}), []string{"City:nanning"})
			if err != nil {
				t.Fatal(err)
			}
			return c, params
		},
		"ListNodes": func(t *testing.T, p domain.Page) (string, map[string]any) {
			c, params, err := listNodesStatement(*mustNormalize(t, &domain.NodeQuery{Kind: domain.KindCity, Page: p}))
			if err != nil {
				t.Fatal(err)
			}
			return c, params
		},
		"Run": func(t *testing.T, p domain.Page) (string, map[string]any) {
			plan := domain.Plan{Roots: []domain.Root{{Keys: []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}},
				Reach: domain.Reach{Follow: []domain.Follow{{Query: domain.EdgeQuery{Kind: domain.EdgePartnerOf, AsOf: "2015", Page: p}}}}}}}
			if err := plan.Normalize(); err != nil {
				t.Fatal(err)
			}
			c, params, err := planStatement(&plan)
			if err != nil {
				t.Fatal(err)
			}
			return c, params
		},
	}
	for _, read := range []string{"Edges", "ListNodes", "Run"} {
		for _, tc := range pages {
			t.Run(read+" "+tc.name, func(t *testing.T) {
				cypher, params := build[read](t, tc.page)
				counts, exists := strings.Count(cypher, "COUNT {"), strings.Count(cypher, "EXISTS {")
				if read == "ListNodes" {
					// The list's total and cursor tests are CALL subqueries.
					counts, exists = strings.Count(cypher, "count(v) AS total"), strings.Count(cypher, "count(v) > 0")
					if got := counts + exists; got != tc.lists {
						t.Errorf("got %d subqueries beside the page, want %d\n%s", got, tc.lists, cypher)
					}
				} else {
					if counts != tc.counts {
						t.Errorf("got %d COUNT subqueries, want %d\n%s", counts, tc.counts, cypher)
					}
					if exists != tc.exists {
						t.Errorf("got %d EXISTS subqueries, want %d\n%s", exists, tc.exists, cypher)
					}
				}
				for _, v := range []string{"Kuala", "kuala-lumpur", "Vientiane", "vientiane"} {
					if strings.Contains(cypher, v) {
						t.Errorf("the statement holds the cursor value %q; want it a parameter\n%s", v, cypher)
					}
				}
				n := tc.page.First + tc.page.Last
				if tc.page.After != "" || tc.page.Before != "" || tc.page.NoTotal {
					n++ // one row past the page tells whether the range holds more
				}
				if got := fmt.Sprint(params[limitParam(params)]); got != fmt.Sprint(n) {
					t.Errorf("got limit %s, want %d", got, n)
				}
			})
		}
	}
}

// limitParam returns the name of the one page limit in params.
func limitParam(params map[string]any) string {
	for k := range params {
		if strings.HasSuffix(k, "limit") {
			return k
		}
	}
	return ""
}
