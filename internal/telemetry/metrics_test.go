package telemetry_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// service is a server as routes.go builds one: the GraphQL handler on the
// decorated store, /metrics, and the middleware around the mux.
type service struct {
	tel   *telemetry.Telemetry
	store domain.Store
	h     http.Handler
}

// newService serves the project's seed data, loaded through the decorated
// store; extra routes are added to the mux.
func newService(t *testing.T, opts telemetry.Options, extra map[string]http.Handler) *service {
	t.Helper()
	base, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	tel := telemetry.New(opts)
	st := tel.Store(base)
	if _, err := seed.LoadProject(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(st, slog.New(slog.DiscardHandler), graph.DefaultLimits, graph.DefaultExposure))
	if m := tel.MetricsHandler(); m != nil {
		mux.Handle("GET /metrics", m)
	}
	for pattern, h := range extra {
		mux.Handle(pattern, h)
	}
	return &service{tel: tel, store: st, h: tel.Middleware(mux, mux)}
}

// do sends one request through the whole handler and returns the response.
func (s *service) do(t *testing.T, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	r.RemoteAddr = "192.0.2.7:50000"
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// query posts a GraphQL operation and fails the test unless it answers 200.
func (s *service) query(t *testing.T, operationName, query string) {
	t.Helper()
	body := fmt.Sprintf(`{"query":%q,"operationName":%q}`, query, operationName)
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if w := s.do(t, r); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
		t.Fatalf("query %q: status %d, body %s", operationName, w.Code, w.Body)
	}
}

// scrape reads /metrics as Prometheus would.
func (s *service) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	return scrape(t, s.h)
}

// scrape reads GET /metrics from h.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, body %s", w.Code, w.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("GET /metrics: not the text exposition format: %v", err)
	}
	return families
}

// value is the counter's or gauge's value, or the histogram's count, of
// the series of family name whose labels include want; 0 when there is none.
func value(t *testing.T, families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := families[name]
	if !ok {
		return 0
	}
	var sum float64
	for _, m := range f.GetMetric() {
		if !hasLabels(m, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// labelValues lists the values label takes in family name.
func labelValues(families map[string]*dto.MetricFamily, name, label string) map[string]bool {
	vals := map[string]bool{}
	for _, m := range families[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				vals[l.GetValue()] = true
			}
		}
	}
	return vals
}

func TestMetricsCountRequestsByOperationAndStatus(t *testing.T) {
	s := newService(t, telemetry.Options{Metrics: true}, nil)
	s.query(t, "CityName", `query CityName { city(slug: "nanning") { name } }`)
	s.query(t, "CityName", `query CityName { city(slug: "nanning") { nameZh } }`)
	s.query(t, "", `{ city(slug: "nanning") { name } }`)
	// A named operation the client does not name in operationName is still labelled.
	s.query(t, "", `query Partners { city(slug: "nanning") { partners { totalCount } } }`)
	got := s.scrape(t)

	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"citygraph_http_requests_total", map[string]string{"route": "/graphql", "operation": "CityName", "status": "200"}, 2},
		{"citygraph_http_requests_total", map[string]string{"route": "/graphql", "operation": "anonymous", "status": "200"}, 1},
		{"citygraph_http_requests_total", map[string]string{"route": "/graphql", "operation": "Partners", "status": "200"}, 1},
		{"citygraph_http_request_duration_seconds", map[string]string{"route": "/graphql", "operation": "CityName"}, 2},
		{"citygraph_http_request_duration_seconds", map[string]string{"route": "/graphql"}, 4},
		// The scrape itself is in flight while it is served.
		{"citygraph_http_requests_in_flight", nil, 1},
		{"citygraph_http_refusals_total", nil, 0},
	} {
		if v := value(t, got, c.name, c.labels); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, v, c.want)
		}
	}
	for _, family := range []string{"go_goroutines", "process_cpu_seconds_total", "citygraph_store_calls_total", "citygraph_store_call_duration_seconds", "citygraph_seed_rows_total"} {
		if _, ok := got[family]; !ok {
			t.Errorf("/metrics has no %s", family)
		}
	}

	// The first scrape is counted once it has ended, without an operation.
	again := s.scrape(t)
	if v := value(t, again, "citygraph_http_requests_total", map[string]string{"route": "/metrics", "operation": "", "status": "200"}); v != 1 {
		t.Errorf("scrapes counted: got %v, want 1", v)
	}
}

func TestMetricsCountRefusalsByReason(t *testing.T) {
	refuse := func(why telemetry.Reason, status int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			telemetry.RequestFrom(r.Context()).Refuse(why)
			http.Error(w, "refused", status)
		})
	}
	s := newService(t, telemetry.Options{Metrics: true}, map[string]http.Handler{
		"/rate": refuse(telemetry.RefusedRate, http.StatusTooManyRequests),
		"/cost": refuse(telemetry.RefusedCost, http.StatusOK),
	})
	for _, path := range []string{"/rate", "/rate", "/cost"} {
		s.do(t, httptest.NewRequest(http.MethodGet, path, nil))
	}
	got := s.scrape(t)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"citygraph_http_refusals_total", map[string]string{"reason": "rate"}, 2},
		{"citygraph_http_refusals_total", map[string]string{"reason": "cost"}, 1},
		{"citygraph_http_refusals_total", map[string]string{"reason": "depth"}, 0},
		{"citygraph_http_requests_total", map[string]string{"route": "/rate", "status": "429"}, 2},
	} {
		if v := value(t, got, c.name, c.labels); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, v, c.want)
		}
	}
}

func TestMetricsBoundTheOperationLabel(t *testing.T) {
	named := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		telemetry.RequestFrom(r.Context()).SetOperation(r.URL.Query().Get("op"))
	})
	s := newService(t, telemetry.Options{Metrics: true}, map[string]http.Handler{"/named": named})
	send := func(op string) {
		s.do(t, httptest.NewRequest(http.MethodGet, "/named?op="+op, nil))
	}
	for i := range telemetry.MaxOperationLabels + 20 {
		send(fmt.Sprintf("Op%d", i))
	}
	send("Op0")                   // seen before the cap: keeps its label
	send("not%20a%20name")        // not a GraphQL name
	send(strings.Repeat("A", 65)) // longer than 64 characters
	got := s.scrape(t)

	ops := labelValues(got, "citygraph_http_requests_total", "operation")
	delete(ops, "") // the scrape's own route
	if len(ops) != telemetry.MaxOperationLabels+1 {
		t.Errorf("distinct operation labels: got %d, want %d (the cap and %q)", len(ops), telemetry.MaxOperationLabels+1, telemetry.OtherOperation)
	}
	for _, c := range []struct {
		op   string
		want float64
	}{
		{"Op0", 2},
		{fmt.Sprintf("Op%d", telemetry.MaxOperationLabels-1), 1},
		{fmt.Sprintf("Op%d", telemetry.MaxOperationLabels), 0},
		{telemetry.OtherOperation, 22},
	} {
		if v := value(t, got, "citygraph_http_requests_total", map[string]string{"operation": c.op}); v != c.want {
			t.Errorf("requests labelled %q: got %v, want %v", c.op, v, c.want)
		}
	}
}

func TestMetricsTrackRequestsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	s := newService(t, telemetry.Options{Metrics: true}, map[string]http.Handler{"/slow": slow})
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/slow", nil))
	}()
	<-started
	if v := value(t, s.scrape(t), "citygraph_http_requests_in_flight", nil); v != 2 {
		t.Errorf("in flight while /slow is served: got %v, want 2 (it and the scrape)", v)
	}
	close(release)
	<-done
	if v := value(t, s.scrape(t), "citygraph_http_requests_in_flight", nil); v != 1 {
		t.Errorf("in flight after /slow ended: got %v, want 1 (the scrape)", v)
	}
}

func TestMetricsOff(t *testing.T) {
	tel := telemetry.New(telemetry.Options{})
	if h := tel.MetricsHandler(); h != nil {
		t.Fatal("MetricsHandler is not nil with metrics off; want no /metrics route")
	}
	// The middleware and the store still work without metrics.
	s := newService(t, telemetry.Options{}, nil)
	s.query(t, "CityName", `query CityName { city(slug: "nanning") { name } }`)
	if w := s.do(t, httptest.NewRequest(http.MethodGet, "/metrics", nil)); w.Code != http.StatusNotFound {
		t.Errorf("GET /metrics with metrics off: status %d, want 404", w.Code)
	}
}
