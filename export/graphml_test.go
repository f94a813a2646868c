package export_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/seed"
)

// networkxPython returns a Python that imports networkx: Debian's
// (python3-networkx) first, then python3 on PATH. Without one the test
// skips, or fails under CITYGRAPH_REQUIRE_NETWORKX=1 (as scripts/test sets).
func networkxPython(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import networkx").Run() == nil {
			return py
		}
	}
	msg := "no python3 with networkx (Debian: apt-get install python3-networkx); the GraphML consumer test is skipped"
	if os.Getenv("CITYGRAPH_REQUIRE_NETWORKX") == "1" {
		t.Fatal(msg + " (CITYGRAPH_REQUIRE_NETWORKX=1 makes this a failure)")
	}
	t.Skip(msg)
	return ""
}

// readGraphML is what the Python script reports of the file networkx read.
const readGraphML = `
import json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
nanning = g.nodes["City:nanning"]
partner = [d for _, _, d in g.edges(data=True) if d.get("kind") == "PARTNER_OF"][0]
financed = [d for _, _, d in g.edges(data=True) if d.get("kind") == "FINANCED"][0]
print(json.dumps({
    "directed": g.is_directed(),
    "nodes": g.number_of_nodes(),
    "edges": g.number_of_edges(),
    "nanning": {k: nanning.get(k) for k in ("kind", "slug", "name", "nameZh", "lat", "isCapital", "sources")},
    "latType": type(nanning["lat"]).__name__,
    "partnerKind": partner.get("partnershipKind"),
    "amountType": type(financed["amount"]).__name__,
    "currency": financed.get("currency"),
}, ensure_ascii=False))
`

// TestGraphMLOpensInNetworkx exports the seed graph as GraphML and reads
// it with networkx: the counts, typed attributes and bilingual names come
// through, on each store.
func TestGraphMLOpensInNetworkx(t *testing.T) {
	py := networkxPython(t)
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			st := s.empty(t)
			if _, err := seed.LoadProject(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			want := snapshot(t, st)
			file := filepath.Join(t.TempDir(), "graph.graphml")
			if err := os.WriteFile(file, exportOf(t, st, export.Request{Format: export.GraphML}), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, "-c", readGraphML, file).Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("networkx could not read the export: %v\n%s", err, stderr)
			}
			var got struct {
				Directed    bool           `json:"directed"`
				Nodes       int            `json:"nodes"`
				Edges       int            `json:"edges"`
				Nanning     map[string]any `json:"nanning"`
				LatType     string         `json:"latType"`
				PartnerKind string         `json:"partnerKind"`
				AmountType  string         `json:"amountType"`
				Currency    string         `json:"currency"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("reading the script's report %q: %v", out, err)
			}
			if got.Nodes != len(want.Nodes) || got.Edges != len(want.Edges) {
				t.Errorf("networkx read %d nodes and %d edges, want %d and %d", got.Nodes, got.Edges, len(want.Nodes), len(want.Edges))
			}
			nanning := want.Nodes[domain.NodeKey{Kind: domain.KindCity, ID: "nanning"}].(*domain.City)
			for k, v := range map[string]any{"kind": "City", "slug": "nanning", "name": nanning.Name, "nameZh": nanning.NameZh, "lat": nanning.Location.Lat} {
				if got.Nanning[k] != v {
					t.Errorf("City:nanning %s = %v, want %v", k, got.Nanning[k], v)
				}
			}
			if got.LatType != "float" || got.AmountType != "float" {
				t.Errorf("lat is a %s and amount a %s in networkx, want float (typed keys)", got.LatType, got.AmountType)
			}
			if !got.Directed || got.PartnerKind == "" || got.Currency == "" {
				t.Errorf("got directed=%v, a partnership's kind %q, a financing's currency %q; want a directed graph with both set",
					got.Directed, got.PartnerKind, got.Currency)
			}
		})
	}
}

// TestGraphMLDeclaresEveryKey checks, without Python, that the file is
// well-formed XML and every data element names a declared key of its
// element's kind.
func TestGraphMLDeclaresEveryKey(t *testing.T) {
	st := stores()[0].empty(t)
	if _, err := seed.LoadProject(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []struct {
			ID  string `xml:"id,attr"`
			For string `xml:"for,attr"`
		} `xml:"key"`
		Graph struct {
			Nodes []struct {
				Data []struct {
					Key string `xml:"key,attr"`
				} `xml:"data"`
			} `xml:"node"`
			Edges []struct {
				Data []struct {
					Key string `xml:"key,attr"`
				} `xml:"data"`
			} `xml:"edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(exportOf(t, st, export.Request{Format: export.GraphML}), &doc); err != nil {
		t.Fatalf("the GraphML is not well-formed XML: %v", err)
	}
	declared := map[string]string{}
	for _, k := range doc.Keys {
		declared[k.ID] = k.For
	}
	uses := 0
	for _, n := range doc.Graph.Nodes {
		for _, d := range n.Data {
			uses++
			if declared[d.Key] != "node" {
				t.Errorf("a node has data with key %q, which is not a declared node key", d.Key)
			}
		}
	}
	for _, e := range doc.Graph.Edges {
		for _, d := range e.Data {
			uses++
			if declared[d.Key] != "edge" {
				t.Errorf("an edge has data with key %q, which is not a declared edge key", d.Key)
			}
		}
	}
	if uses == 0 || len(doc.Graph.Edges) == 0 {
		t.Errorf("got %d data elements and %d edges; want the seed graph's", uses, len(doc.Graph.Edges))
	}
}
