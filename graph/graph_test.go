package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
)

// projectStore returns an in-memory embedded store holding the project's
// own seed data: the 2015 forum and the reference data.
func projectStore(t *testing.T) domain.Store {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := seed.LoadProject(context.Background(), st); err != nil {
		t.Fatalf("loading the project seed: %v", err)
	}
	return st
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newClient(st domain.Store) *client.Client {
	return client.New(graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure))
}

// query runs q and returns its data decoded into a generic value; it fails
// the test on any GraphQL error.
func query(t *testing.T, c *client.Client, q string, opts ...client.Option) map[string]any {
	t.Helper()
	resp, err := c.RawPost(q, opts...)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if len(resp.Errors) > 0 && string(resp.Errors) != "null" {
		t.Fatalf("query returned errors: %s", resp.Errors)
	}
	var out map[string]any
	if err := json.Unmarshal(mustJSON(t, resp.Data), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at walks a decoded JSON value by keys and indexes: at(v, "forum", "organisers", "edges").
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not an object: %v", path, v)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: no index %d in %v", path, k, v)
			}
			v = a[k]
		}
	}
	return v
}

func TestQuestions(t *testing.T) {
	c := newClient(projectStore(t))

	t.Run("organisers of the 2015 forum with roles and seats", func(t *testing.T) {
		d := query(t, c, `{ forum(slug: "cam-2015") {
			organisers { totalCount edges { role node { name nameZh seat { name } } sources { file } } } } }`)
		edges := at(t, d, "forum", "organisers", "edges").([]any)
		roles := map[string][]string{}
		for _, e := range edges {
			roles[at(t, e, "role").(string)] = append(roles[at(t, e, "role").(string)], at(t, e, "node", "nameZh").(string))
		}
		if got := len(roles["HOST"]); got != 2 {
			t.Errorf("hosts (主办) = %d %v, want 2", got, roles["HOST"])
		}
		if got := len(roles["ORGANISER"]); got != 4 {
			t.Errorf("organisers (承办) = %d %v, want 4", got, roles["ORGANISER"])
		}
		if !contains(roles["HOST"], "中国市长协会") || !contains(roles["ORGANISER"], "南宁市人民政府") {
			t.Errorf("roles = %v; want 中国市长协会 as host and 南宁市人民政府 as organiser", roles)
		}
		if n := at(t, d, "forum", "organisers", "totalCount"); n != float64(6) {
			t.Errorf("totalCount = %v, want 6", n)
		}
		for _, e := range edges {
			if len(at(t, e, "sources").([]any)) == 0 {
				t.Errorf("organiser edge %v has no source", e)
			}
		}
	})

	t.Run("forum facts from the article", func(t *testing.T) {
		d := query(t, c, `{ forum(slug: "cam-2015") {
			startDate endDate participants officials themeZh hostCity { nameZh } partOf { nameZh }
			topics { edges { position node { nameZh subThemes } } } agreements { nameZh } } }`)
		f := at(t, d, "forum").(map[string]any)
		if f["startDate"] != "2015-09-19" || f["endDate"] != "2015-09-20" {
			t.Errorf("dates = %v..%v, want 2015-09-19..2015-09-20", f["startDate"], f["endDate"])
		}
		if f["participants"] != float64(150) || f["officials"] != float64(53) {
			t.Errorf("participants, officials = %v, %v; want 150, 53", f["participants"], f["officials"])
		}
		if at(t, f, "hostCity", "nameZh") != "南宁" {
			t.Errorf("host city = %v, want 南宁", at(t, f, "hostCity"))
		}
		if topics := at(t, f, "topics", "edges").([]any); len(topics) != 2 || at(t, topics[0], "position") != float64(1) {
			t.Errorf("topics = %v, want 2 in agenda order", topics)
		}
		if ags := at(t, f, "agreements").([]any); len(ags) != 1 || !strings.Contains(at(t, ags[0], "nameZh").(string), "南宁共识") {
			t.Errorf("agreements = %v, want the Nanning Consensus", ags)
		}
	})

	t.Run("appeals name four funding bodies with headquarters", func(t *testing.T) {
		d := query(t, c, `{ forum(slug: "cam-2015") {
			calledOn { totalCount edges { request node { acronym headquarters { name } } attendingMemberCountries { code } } } } }`)
		edges := at(t, d, "forum", "calledOn", "edges").([]any)
		var acr []string
		for _, e := range edges {
			acr = append(acr, at(t, e, "node", "acronym").(string))
			if at(t, e, "node", "headquarters") == nil {
				t.Errorf("%v has no headquarters", at(t, e, "node", "acronym"))
			}
		}
		for _, want := range []string{"AIIB", "SRF", "NDB", "ADB"} {
			if !contains(acr, want) {
				t.Errorf("called on %v; want %s among them", acr, want)
			}
		}
	})

	t.Run("a partnership is one relation whichever city is asked", func(t *testing.T) {
		d := query(t, c, `{ a: city(slug: "nanning") { partners(first: 100) { edges { kind since node { slug } } } }
			b: city(slug: "davao") { partners(first: 100) { edges { kind since node { slug } } } } }`)
		find := func(side, slug string) map[string]any {
			for _, e := range at(t, d, side, "partners", "edges").([]any) {
				if at(t, e, "node", "slug") == slug {
					return e.(map[string]any)
				}
			}
			return nil
		}
		ab, ba := find("a", "davao"), find("b", "nanning")
		if ab == nil || ba == nil {
			t.Fatalf("Nanning–Davao City partnership seen from Nanning: %v, from Davao: %v; want both", ab, ba)
		}
		if ab["kind"] != ba["kind"] || ab["since"] != ba["since"] {
			t.Errorf("the two sides differ: %v vs %v", ab, ba)
		}
	})

	t.Run("partners filtered by country and paginated", func(t *testing.T) {
		all := query(t, c, `{ city(slug: "nanning") { partners(first: 100) { totalCount edges { node { country { code } } } } } }`)
		total := int(at(t, all, "city", "partners", "totalCount").(float64))
		if total < 3 {
			t.Fatalf("Nanning has %d partners in the seed; want at least 3", total)
		}
		vn := query(t, c, `{ city(slug: "nanning") { partners(country: "VN") { edges { node { country { code } } } } } }`)
		for _, e := range at(t, vn, "city", "partners", "edges").([]any) {
			if code := at(t, e, "node", "country", "code"); code != "VN" {
				t.Errorf("country filter VN returned a partner in %v", code)
			}
		}
		var seen []string
		after := ""
		for range total + 1 {
			d := query(t, c, `query($after: String) { city(slug: "nanning") { partners(first: 2, after: $after) {
				pageInfo { hasNextPage endCursor } edges { node { slug } } } } }`, client.Var("after", nilIfEmpty(after)))
			for _, e := range at(t, d, "city", "partners", "edges").([]any) {
				seen = append(seen, at(t, e, "node", "slug").(string))
			}
			if at(t, d, "city", "partners", "pageInfo", "hasNextPage") != true {
				break
			}
			after = at(t, d, "city", "partners", "pageInfo", "endCursor").(string)
		}
		if len(seen) != total || len(unique(seen)) != total {
			t.Errorf("paging by 2 saw %d partners (%d distinct), want %d: %v", len(seen), len(unique(seen)), total, seen)
		}
	})

	t.Run("neighbourhood of Nanning", func(t *testing.T) {
		d := query(t, c, `{ neighbourhood(id: "City:nanning", depth: 1) { nodes { id } edges { kind from to } } }`)
		ids := map[string]bool{}
		for _, n := range at(t, d, "neighbourhood", "nodes").([]any) {
			ids[at(t, n, "id").(string)] = true
		}
		for _, want := range []string{"City:nanning", "Country:CN", "City:davao"} {
			if !ids[want] {
				t.Errorf("neighbourhood lacks %s: %v", want, ids)
			}
		}
		for _, e := range at(t, d, "neighbourhood", "edges").([]any) {
			if !ids[at(t, e, "from").(string)] || !ids[at(t, e, "to").(string)] {
				t.Errorf("edge %v leaves the returned nodes", e)
			}
		}
	})

	t.Run("every node cites a source", func(t *testing.T) {
		d := query(t, c, `{ cities(first: 100) { edges { node { id sources { id } } } }
			organizations(first: 100) { edges { node { id sources { id } } } } }`)
		for _, list := range []string{"cities", "organizations"} {
			for _, e := range at(t, d, list, "edges").([]any) {
				if len(at(t, e, "node", "sources").([]any)) == 0 {
					t.Errorf("%v has no source", at(t, e, "node", "id"))
				}
			}
		}
	})

	t.Run("search finds Chinese and English", func(t *testing.T) {
		for _, text := range []string{"南宁", "Nanning", "丝路基金", "Silk Road"} {
			d := query(t, c, `query($t: String!) { search(text: $t) { kind node { id } } }`, client.Var("t", text))
			if len(at(t, d, "search").([]any)) == 0 {
				t.Errorf("search %q found nothing", text)
			}
		}
	})
}

func TestExamplesRun(t *testing.T) {
	c := newClient(projectStore(t))
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			d := query(t, c, ex.Query)
			if len(d) == 0 {
				t.Errorf("example %q returned no data", ex.Name)
			}
			for k, v := range d {
				if v == nil {
					t.Errorf("example %q: %s is null; the seed data should answer it", ex.Name, k)
				}
			}
		})
	}
}

// TestAbsentValuesAreNull checks that what no source states comes back as
// null, not as Go's zero value: clients tell "no value" by null.
func TestAbsentValuesAreNull(t *testing.T) {
	c := newClient(projectStore(t))
	d := query(t, c, `{
		cities(first: 100) { edges { node { slug nameZh description region regionZh population populationYear } } }
		sources(first: 100) { edges { node { slug author publisher url file description } } }
		forums(first: 10) { edges { node { slug edition participants officials theme themeZh attendanceNote } } }
	}`)
	nulls := map[string]int{}
	for _, list := range []string{"cities", "sources", "forums"} {
		for _, e := range at(t, d, list, "edges").([]any) {
			node := e.(map[string]any)["node"].(map[string]any)
			for field, v := range node {
				switch v {
				case nil:
					nulls[list+"."+field]++
				case "", float64(0):
					t.Errorf("%s %v: %s is %#v; want null for a value no source gives", list, node["slug"], field, v)
				}
			}
		}
	}
	// The seed has cities without a population and sources without an
	// author: the test must see nulls to mean anything.
	for _, f := range []string{"cities.population", "cities.populationYear", "sources.author"} {
		if nulls[f] == 0 {
			t.Errorf("no null %s in the seed data; the test needs one", f)
		}
	}
	// And values that are given still come through.
	if v := at(t, query(t, c, `{ city(slug: "nanning") { nameZh } }`), "city", "nameZh"); v != "南宁" {
		t.Errorf("Nanning's nameZh = %#v, want 南宁", v)
	}
}

// loadLogStore is a store that lists loads written in parts.
type loadLogStore struct {
	domain.Store
	loads []domain.Load
	asked int
}

func (s *loadLogStore) Loads(_ context.Context, first int) ([]domain.Load, error) {
	s.asked = first
	return s.loads[:min(first, len(s.loads))], nil
}

func TestPartLoads(t *testing.T) {
	const q = `query($n: Int) { partLoads(first: $n) { digest complete parts partsDone rows runs started updated } }`
	t.Run("the embedded store has none", func(t *testing.T) {
		d := query(t, newClient(projectStore(t)), q, client.Var("n", 5))
		if got := at(t, d, "partLoads").([]any); len(got) != 0 {
			t.Errorf("partLoads = %v, want []", got)
		}
	})
	t.Run("a store with a load log lists its loads", func(t *testing.T) {
		started := time.Date(2026, 11, 24, 21, 0, 0, 0, time.UTC)
		st := &loadLogStore{Store: projectStore(t), loads: []domain.Load{
			{ID: "9f2c", Parts: 7, PartsDone: 3, Rows: 130_000, Runs: 1, Started: started, Updated: started.Add(time.Minute)},
			{ID: "41aa", Complete: true, Parts: 2, PartsDone: 2, Rows: 30_000, Runs: 2, Started: started.Add(-time.Hour), Updated: started},
		}}
		d := query(t, newClient(st), q, client.Var("n", 5))
		got := at(t, d, "partLoads").([]any)
		if len(got) != 2 || st.asked != 5 {
			t.Fatalf("partLoads = %v (store asked for %d); want both loads, 5 asked", got, st.asked)
		}
		first := got[0].(map[string]any)
		want := map[string]any{"digest": "9f2c", "complete": false, "parts": float64(7), "partsDone": float64(3),
			"rows": float64(130_000), "runs": float64(1), "started": "2026-11-24T21:00:00Z", "updated": "2026-11-24T21:01:00Z"}
		for k, v := range want {
			if first[k] != v {
				t.Errorf("partLoads[0].%s = %#v, want %#v", k, first[k], v)
			}
		}
	})
	t.Run("first out of range is refused", func(t *testing.T) {
		resp, err := newClient(projectStore(t)).RawPost(q, client.Var("n", 0))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(resp.Errors), "INVALID_ARGUMENT") || !strings.Contains(string(resp.Errors), "between 1 and 100") {
			t.Errorf("errors = %s; want INVALID_ARGUMENT saying between 1 and 100", resp.Errors)
		}
	})
}

func TestBadInput(t *testing.T) {
	st := projectStore(t)
	h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"malformed query", `{"query":"{ city(slug: \"nanning\") { name "}`, http.StatusOK, "GRAPHQL_PARSE_FAILED", "Expected"},
		{"unknown field", `{"query":"{ city(slug: \"nanning\") { mayor } }"}`, http.StatusOK, "GRAPHQL_VALIDATION_FAILED", "mayor"},
		{"ill-formed ID", `{"query":"{ node(id: \"nanning\") { id } }"}`, http.StatusOK, "INVALID_ARGUMENT", "Kind:slug"},
		{"unknown kind in ID", `{"query":"{ node(id: \"Town:nanning\") { id } }"}`, http.StatusOK, "INVALID_ARGUMENT", "unknown kind"},
		{"unknown ID", `{"query":"{ node(id: \"City:atlantis\") { id } }"}`, http.StatusOK, "NOT_FOUND", "City:atlantis"},
		{"unknown slug", `{"query":"{ city(slug: \"atlantis\") { id } }"}`, http.StatusOK, "NOT_FOUND", "atlantis"},
		{"hostile slug", `{"query":"{ city(slug: \"x' OR 1=1 //\") { id } }"}`, http.StatusOK, "INVALID_ARGUMENT", "slug"},
		{"wrong argument type", `{"query":"{ cities(first: \"ten\") { totalCount } }"}`, http.StatusOK, "GRAPHQL_VALIDATION_FAILED", "Int"},
		{"page size over the limit", `{"query":"{ cities(first: 1001) { totalCount } }"}`, http.StatusOK, "INVALID_ARGUMENT", "first must be between 1 and 1000, got 1001"},
		{"last over the limit", `{"query":"{ cities(last: 1001) { totalCount } }"}`, http.StatusOK, "INVALID_ARGUMENT", "last must be between 1 and 1000, got 1001"},
		{"last of zero", `{"query":"{ city(slug: \"nanning\") { partners(last: 0) { totalCount } } }"}`, http.StatusOK, "INVALID_ARGUMENT", "last must be between 1 and 1000, got 0"},
		{"first and last together", `{"query":"{ cities(first: 5, last: 5) { totalCount } }"}`, http.StatusOK, "INVALID_ARGUMENT", "first (5) and last (5) cannot be combined"},
		{"first and last together on a relation", `{"query":"{ city(slug: \"nanning\") { partners(first: 2, last: 3) { edges { cursor } } } }"}`, http.StatusOK, "INVALID_ARGUMENT", "first (2) and last (3) cannot be combined"},
		{"forged before cursor", `{"query":"{ cities(last: 5, before: \"bm9wZQ\") { totalCount } }"}`, http.StatusOK, "INVALID_ARGUMENT", "cursor \"bm9wZQ\""},
		{"forged before cursor on a relation", `{"query":"{ city(slug: \"nanning\") { partners(before: \"bm9wZQ\") { edges { cursor } } } }"}`, http.StatusOK, "INVALID_ARGUMENT", "cursor \"bm9wZQ\""},
		{"forged cursor", `{"query":"{ cities(after: \"bm9wZQ\") { totalCount } }"}`, http.StatusOK, "INVALID_ARGUMENT", "cursor"},
		{"bad date", `{"query":"{ city(slug: \"nanning\") { partners(asOf: \"2015-13-01\") { totalCount } } }"}`, http.StatusOK, "INVALID_ARGUMENT", "2015-13-01"},
		{"path from a city to itself", `{"query":"{ paths(from: \"nanning\", to: \"nanning\") { length } }"}`, http.StatusOK, "INVALID_ARGUMENT", "same city"},
		{"path from an unknown city", `{"query":"{ paths(from: \"atlantis\", to: \"nanning\") { length } }"}`, http.StatusOK, "NOT_FOUND", "atlantis"},
		{"hop bound out of range", `{"query":"{ paths(from: \"beijing\", to: \"nanning\", maxHops: 9) { length } }"}`, http.StatusOK, "INVALID_ARGUMENT", "maxHops"},
		{"negative distance", `{"query":"{ near(city: \"nanning\", withinKm: -1) { distanceKm } }"}`, http.StatusOK, "INVALID_ARGUMENT", "distance"},
		{"empty search", `{"query":"{ search(text: \"  \") { score } }"}`, http.StatusOK, "INVALID_ARGUMENT", "empty"},
		{"unknown currency", `{"query":"{ fundingTotals(groupBy: YEAR, currency: \"XYZ\") { group } }"}`, http.StatusOK, "INVALID_ARGUMENT", "XYZ"},
		{"funding ranking without currency", `{"query":"{ cityRanking(by: FUNDING) { rank } }"}`, http.StatusOK, "INVALID_ARGUMENT", "currency"},
		{"unknown sector", `{"query":"{ fundingTotals(groupBy: SECTOR, sector: MINING) { group } }"}`, http.StatusOK, "GRAPHQL_VALIDATION_FAILED", "MINING"},
		{"nested pages priced as their product", `{"query":"{ cities(first: 100) { edges { node { partners(first: 100) { edges { node { partners(first: 100) { totalCount } } } } } } } }"}`, http.StatusOK, "LIMIT_EXCEEDED", "smaller pages"},
		{"nested pages through variables", `{"query":"query($n: Int) { cities(first: $n) { edges { node { partners(first: $n) { edges { node { partners(first: $n) { totalCount } } } } } } } }","variables":{"n":100}}`, http.StatusOK, "LIMIT_EXCEEDED", "smaller pages"},
		{"oversized body", `{"query":"` + strings.Repeat(" ", 2<<20) + `{ __typename }"}`, http.StatusRequestEntityTooLarge, "LIMIT_EXCEEDED", "limit"},
		{"oversized query", `{"query":"` + strings.Repeat(" ", 70<<10) + `{ __typename }"}`, http.StatusOK, "INVALID_ARGUMENT", "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tc.wantStatus, truncate(rec.Body.String()))
			}
			var resp struct {
				Errors []struct {
					Message    string         `json:"message"`
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("response is not JSON: %v: %s", err, truncate(rec.Body.String()))
			}
			if len(resp.Errors) == 0 {
				t.Fatalf("no error in %s", truncate(rec.Body.String()))
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != tc.wantCode {
				t.Errorf("code = %v, want %s (message %q)", e.Extensions["code"], tc.wantCode, e.Message)
			}
			if !strings.Contains(e.Message, tc.wantMsg) {
				t.Errorf("message = %q, want it to mention %q", e.Message, tc.wantMsg)
			}
		})
	}
	t.Run("nothing was written", func(t *testing.T) {
		p, err := st.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 1}})
		if err != nil {
			t.Fatal(err)
		}
		fresh := projectStore(t)
		q, _ := fresh.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 1}})
		if p.TotalCount != q.TotalCount {
			t.Errorf("cities after bad requests = %d, fresh store = %d", p.TotalCount, q.TotalCount)
		}
	})
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func unique(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
