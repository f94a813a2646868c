package playground_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citygraph/citygraph/playground"
	"github.com/citygraph/citygraph/playground/browsertest"
)

// fakeGraphQL records the queries posted to it and answers every one with
// the same small result; it answers no introspection, and GraphiQL copes.
type fakeGraphQL struct {
	mu      sync.Mutex
	queries []string
}

const fakeAnswer = `{"data":{"cityCount":4242}}`

func (f *fakeGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query string `json:"query"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "want a POSTed GraphQL request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, body.Query)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(fakeAnswer))
}

func (f *fakeGraphQL) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

func TestBrowserRunsFirstExample(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	fake := &fakeGraphQL{}
	mux := http.NewServeMux()
	mux.Handle("/graphql", fake)
	mux.Handle("/", playground.Handler("CityGraph test playground", "/graphql", testExamples))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	start := time.Now()
	result, hosts := browsertest.RunQuery(t, srv.URL+"/")
	t.Logf("browser run took %v; hosts requested: %v", time.Since(start).Round(time.Millisecond), hosts)

	if !strings.Contains(result, "4242") || !strings.Contains(result, "cityCount") {
		t.Errorf("result pane = %q, want the fake endpoint's answer %s", result, fakeAnswer)
	}
	var ran bool
	for _, q := range fake.received() {
		if strings.Contains(q, testExamples[0].Query) && !strings.Contains(q, "__schema") {
			ran = true
		}
	}
	if !ran {
		t.Errorf("fake /graphql endpoint never received the first example's query %q; got %q", testExamples[0].Query, fake.received())
	}
	if len(hosts) == 0 {
		t.Errorf("no request recorded at all")
	}
	if bad := browsertest.NonLoopback(hosts); len(bad) > 0 {
		t.Errorf("page sent requests to hosts other than the test server: %v", bad)
	}
}
