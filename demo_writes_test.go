package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/store/neo4jstore"
)

// TestDemoWritesWalkthrough is issue 11's "Done when": scripts/demo-writes,
// a plain HTTP client with an admin key, loads the seed files into a running
// embedded service and one over Neo4j, corrects one partnership and ends
// another; both then hold the same graph and the same change log, and asOf
// sees the ended partnership before its end only.
func TestDemoWritesWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("scripts/demo-writes needs %s on PATH: %v", tool, err)
		}
	}
	key, line := newKeyLine(t, "demo", "admin")

	// An empty embedded store, so the import creates what it loads.
	emb, _ := startService(t, map[string]string{"CITYGRAPH_API_KEYS": line, "CITYGRAPH_SEED_ON_START": "false"})
	runDemoWrites(t, emb, key)
	wantGraph, wantLog := exportLines(t, emb), changeLog(t, emb)
	endedOnlyBefore(t, emb)
	for id, want := range map[string]map[string]any{
		"PARTNER_OF(City:bac-ninh,City:nanning)": {"status": "established", "version": 2.0},
		"PARTNER_OF(City:penang,City:xiamen)":    {"until": "2020-06", "version": 2.0},
	} {
		props := relationProperties(t, wantGraph, id)
		for k, v := range want {
			if props[k] != v {
				t.Errorf("embedded export: %s has %s %v, want %v", id, k, props[k], v)
			}
		}
	}
	if len(wantLog) != 3 {
		t.Errorf("embedded change log has %d change sets; want 3 (importSeed, updatePartnership, endPartnership)", len(wantLog))
	}

	t.Run("Neo4j holds the same graph and change log", func(t *testing.T) {
		env := neo4jEnv(t)
		ctx := context.Background()
		cfg, _ := neo4jstore.ConfigFromEnv(func(k string) string { return env[k] })
		st, err := neo4jstore.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Wipe(ctx); err != nil {
			t.Fatalf("wiping the test database: %v", err)
		}
		st.Close()
		env["CITYGRAPH_API_KEYS"] = line
		neo, _ := startService(t, env)
		runDemoWrites(t, neo, key)
		endedOnlyBefore(t, neo)

		if got := exportLines(t, neo); !reflect.DeepEqual(got, wantGraph) {
			t.Errorf("the stores' /export?format=jsonl differ (%d lines on Neo4j, %d embedded)\n%s", len(got), len(wantGraph), firstDifference(got, wantGraph))
		}
		if got := changeLog(t, neo); !reflect.DeepEqual(got, wantLog) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(wantLog, "", " ")
			t.Errorf("the stores' change logs differ\nNeo4j:\n%.4000s\nembedded:\n%.4000s", g, w)
		}
	})
}

// runDemoWrites runs the script against base and fails the test with its
// output if it exits non-zero.
func runDemoWrites(t *testing.T, base, key string) {
	t.Helper()
	cmd := exec.Command("bash", "scripts/demo-writes", base)
	cmd.Env = append(os.Environ(), "CITYGRAPH_TOKEN="+key)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/demo-writes %s: %v\n%s", base, err, out)
	}
	for _, step := range []string{"== importSeed", "== updatePartnership", "== endPartnership"} {
		if !bytes.Contains(out, []byte(step)) {
			t.Errorf("scripts/demo-writes printed no %q step:\n%s", step, out)
		}
	}
}

// exportLines returns the whole graph as /export?format=jsonl gives it,
// one decoded object a line, in the export's order.
func exportLines(t *testing.T, base string) []any {
	t.Helper()
	resp, err := http.Get(base + "/export?format=jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /export?format=jsonl = %d %s", resp.StatusCode, b)
	}
	var lines []any
	for dec := json.NewDecoder(resp.Body); dec.More(); {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("export line %d: %v", len(lines)+1, err)
		}
		lines = append(lines, v)
	}
	return lines
}

// relationProperties returns the properties of the exported relation id.
func relationProperties(t *testing.T, lines []any, id string) map[string]any {
	t.Helper()
	for _, l := range lines {
		if m := l.(map[string]any); m["id"] == id {
			return m["properties"].(map[string]any)
		}
	}
	t.Fatalf("the export (%d lines) has no relation %s", len(lines), id)
	return nil
}

// changeLog returns the whole change log without the commit times, the
// one thing that must differ between two runs.
func changeLog(t *testing.T, base string) []any {
	t.Helper()
	got := post(t, base, `{ changes(after: 0, first: 1000) { seq author operation idempotencyKey
		nodes { id kind version before after } relations { kind from to version before after }
		counts { kind created updated unchanged } } }`)
	sets, ok := got.(map[string]any)["data"].(map[string]any)["changes"].([]any)
	if !ok {
		t.Fatalf("changes: %v", got)
	}
	return sets
}

// endedOnlyBefore checks that Xiamen–Penang, ended in June 2020 by the
// script, is among Xiamen's partners as of 2019-12 and not as of 2020-12.
func endedOnlyBefore(t *testing.T, base string) {
	t.Helper()
	for _, c := range []struct {
		asOf string
		want bool
	}{{"2019-12", true}, {"2020-12", false}} {
		got := post(t, base, `{ city(slug: "xiamen") { partners(asOf: "`+c.asOf+`") { edges { node { slug } until } } } }`)
		b, _ := json.Marshal(got)
		if has := strings.Contains(string(b), `"slug":"penang"`); has != c.want {
			t.Errorf("%s: Xiamen's partners asOf %s include Penang: %v, want %v\n%s", base, c.asOf, has, c.want, b)
		}
	}
}

// firstDifference describes the first line where two exports differ.
func firstDifference(got, want []any) string {
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w any
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			return fmt.Sprintf("line %d:\nNeo4j:    %s\nembedded: %s", i+1, gj, wj)
		}
	}
	return ""
}
