package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/seed"
)

type line struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Properties map[string]any `json:"properties"`
}

// parseLines reads JSON lines back: every line must be one JSON object.
func parseLines(t *testing.T, b []byte) (nodes map[string]line, rels map[string]line) {
	t.Helper()
	nodes, rels = map[string]line{}, map[string]line{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d is not a JSON object: %v: %s", n, err, sc.Bytes())
		}
		switch l.Type {
		case "node":
			nodes[l.ID] = l
		case "relation":
			rels[l.ID] = l
		default:
			t.Fatalf("line %d has type %q, want node or relation", n, l.Type)
		}
	}
	return nodes, rels
}

// TestJSONLinesParseBack exports the seed graph, a neighbourhood and a
// filtered set as JSON lines and reads them back, on each store.
func TestJSONLinesParseBack(t *testing.T) {
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			st := s.empty(t)
			if _, err := seed.LoadProject(ctx, st); err != nil {
				t.Fatal(err)
			}
			want := snapshot(t, st)

			t.Run("whole graph", func(t *testing.T) {
				nodes, rels := parseLines(t, exportOf(t, st, export.Request{Format: export.JSONLines}))
				if len(nodes) != len(want.Nodes) || len(rels) != len(want.Edges) {
					t.Errorf("got %d nodes and %d relations, want %d and %d", len(nodes), len(rels), len(want.Nodes), len(want.Edges))
				}
				for k, e := range want.Edges {
					r, ok := rels[k.String()]
					if !ok {
						t.Errorf("relation %s is missing", k)
						continue
					}
					if r.From != k.From.String() || r.To != k.To.String() || r.Kind != string(e.Kind) {
						t.Errorf("relation %s reads %s %s→%s", k, r.Kind, r.From, r.To)
					}
				}
				nanning := nodes["City:nanning"]
				if nanning.Properties["nameZh"] != "南宁" || nanning.Kind != "City" {
					t.Errorf("City:nanning reads %+v, want kind City and nameZh 南宁", nanning)
				}
				for id, r := range rels {
					if r.Kind == string(domain.EdgeFinanced) {
						if _, ok := r.Properties["amount"].(float64); !ok {
							t.Errorf("%s: amount %v is not a JSON number", id, r.Properties["amount"])
						}
						break
					}
				}
			})

			t.Run("neighbourhood", func(t *testing.T) {
				q := domain.NeighbourhoodQuery{Center: domain.NodeKey{Kind: domain.KindCity, ID: "nanning"}, Depth: 2}
				sub, err := st.Neighbourhood(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				nodes, rels := parseLines(t, exportOf(t, st, export.Request{Format: export.JSONLines, Neighbourhood: &q}))
				if len(sub.Edges) == 0 {
					t.Fatal("Nanning's neighbourhood has no relations; the test needs some")
				}
				if len(nodes) != len(sub.Nodes) || len(rels) != len(sub.Edges) {
					t.Errorf("got %d nodes and %d relations, want the neighbourhood's %d and %d", len(nodes), len(rels), len(sub.Nodes), len(sub.Edges))
				}
				for id, r := range rels {
					if _, ok := nodes[r.From]; !ok {
						t.Errorf("relation %s starts at %s, which is not in the export", id, r.From)
					}
					if _, ok := nodes[r.To]; !ok {
						t.Errorf("relation %s ends at %s, which is not in the export", id, r.To)
					}
				}
			})

			t.Run("filtered set", func(t *testing.T) {
				q := domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: "CN"}}
				nodes, rels := parseLines(t, exportOf(t, st, export.Request{Format: export.JSONLines, Filter: &q}))
				cn := map[string]bool{}
				for k, e := range want.Edges {
					if k.Kind == domain.EdgeInCountry && e.To.ID == "CN" {
						cn[k.From.String()] = true
					}
				}
				if len(cn) == 0 {
					t.Fatal("the seed graph has no city in CN; the test needs some")
				}
				if len(nodes) != len(cn) {
					t.Errorf("got %d nodes, want the %d cities in CN", len(nodes), len(cn))
				}
				for id := range nodes {
					if !cn[id] {
						t.Errorf("%s is not a city in CN", id)
					}
				}
				between := 0
				for k := range want.Edges {
					if k.Kind == domain.EdgePartnerOf && cn[k.From.String()] && cn[k.To.String()] {
						between++
					}
				}
				if len(rels) != between {
					t.Errorf("got %d relations, want the %d partnerships between cities in CN", len(rels), between)
				}
			})
		})
	}
}

// TestOneCSVFileOfAPart exports one seed CSV file of a filtered set: the
// file has the format's header and a row per node.
func TestOneCSVFileOfAPart(t *testing.T) {
	st := stores()[0].empty(t)
	if _, err := seed.LoadProject(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	q := domain.NodeQuery{Kind: domain.KindCity, Filter: domain.NodeFilter{Country: "VN"}}
	rows, err := csv.NewReader(bytes.NewReader(exportOf(t, st, export.Request{Format: export.SeedCSV, File: "cities", Filter: &q}))).ReadAll()
	if err != nil {
		t.Fatalf("the file is not CSV: %v", err)
	}
	q.Page = domain.Page{First: domain.MaxPageSize}
	page, err := st.ListNodes(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(page.Items) {
		t.Fatalf("got %d rows, want a header and the %d cities in VN", len(rows), len(page.Items))
	}
	if got, want := rows[0], seed.CSVHeaders["cities"]; !slices.Equal(got, want) {
		t.Errorf("header %v, want %v", got, want)
	}
	for _, r := range rows[1:] {
		if r[3] != "VN" {
			t.Errorf("row %v has country %q, want VN", r, r[3])
		}
	}
}

// TestWhereExport exports the cities a where filter keeps (the filter a
// GraphQL list takes, as JSON) and checks them against the store's cities
// filtered by hand.
func TestWhereExport(t *testing.T) {
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			st := s.empty(t)
			if _, err := seed.LoadProject(ctx, st); err != nil {
				t.Fatal(err)
			}
			// Capitals, and cities whose Chinese name starts with 南.
			want := map[string]bool{}
			for k, n := range snapshot(t, st).Nodes {
				if c, ok := n.(*domain.City); ok && (c.IsCapital || strings.HasPrefix(c.NameZh, "南")) {
					want[k.String()] = true
				}
			}
			if len(want) < 2 {
				t.Fatalf("the seed graph has %d such cities; the test needs several", len(want))
			}
			srv := serve(t, st, export.DefaultConfig)
			q := url.Values{"format": {"jsonl"}, "kind": {"City"}, "where": {`{"OR": [{"isCapital": {"eq": true}}, {"nameZh": {"startsWith": "南"}}]}`}}
			resp := get(t, ctx, srv.URL+"?"+q.Encode())
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, %v: %s", resp.StatusCode, err, body)
			}
			nodes, _ := parseLines(t, body)
			if len(nodes) != len(want) {
				t.Errorf("got %d cities, want the %d capitals and 南… cities", len(nodes), len(want))
			}
			for id := range nodes {
				if !want[id] {
					t.Errorf("%s was exported; it is neither a capital nor a 南… city", id)
				}
			}
		})
	}
}
