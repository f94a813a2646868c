package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
)

// maxLookupAllocs bounds the allocations of one city lookup through the
// whole HTTP surface, the request's fixed cost (this test's own request
// and recorder included, about 20). It takes about 110; before the request
// path was trimmed it took 144.
const maxLookupAllocs = 130

// TestALookupAllocatesABoundedAmount counts, never times, what every
// request pays: the middleware, reading the body, the operation's checks,
// the plan and the answer, with the service's default telemetry.
func TestALookupAllocatesABoundedAmount(t *testing.T) {
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := seed.LoadProject(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := loadConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tel := telemetry.New(telemetry.Options{Metrics: true, AccessLog: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	h := NewServer(st, slog.New(slog.DiscardHandler), cfg, tel)
	body := []byte(`{"query":"query Lookup($city: String!) { city(slug: $city) { id name } }","variables":{"city":"nanning"}}`)
	var w *httptest.ResponseRecorder
	lookup := func() {
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
	}
	lookup()
	if want := `{"data":{"city":{"id":"City:nanning","name":"Nanning"}}}`; w.Code != http.StatusOK || w.Body.String() != want {
		t.Fatalf("got %d %s, want 200 %s", w.Code, w.Body, want)
	}
	if got := testing.AllocsPerRun(50, lookup); got > maxLookupAllocs {
		t.Errorf("a lookup allocates %.0f times, want at most %d", got, maxLookupAllocs)
	}
}
