package telemetry

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The label values for operations that cannot have their own; a request
// that carried no GraphQL operation (another route) has "".
const (
	AnonymousOperation = "anonymous" // the operation has no name
	OtherOperation     = "other"     // an odd name, or one past MaxOperationLabels
)

// MaxOperationLabels bounds the distinct operation names the metrics keep
// apart; names seen after that count as OtherOperation, so that clients
// inventing names cannot grow the series without bound.
const MaxOperationLabels = 100

// operationPattern is what a GraphQL name looks like, at most 64 characters.
var operationPattern = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// Buckets, in seconds: requests run up to the 30 s timeout; store calls
// start in the tens of microseconds on the embedded store.
var (
	requestBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	storeBuckets   = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

type metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	inFlight      prometheus.Gauge
	refusals      *prometheus.CounterVec
	storeCalls    *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
	seedRows      *prometheus.CounterVec

	mu         sync.Mutex
	operations map[string]bool
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygraph_http_requests_total",
			Help: "HTTP requests served, by route, GraphQL operation name and status code.",
		}, []string{"route", "operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citygraph_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route and GraphQL operation name.",
			Buckets: requestBuckets,
		}, []string{"route", "operation"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "citygraph_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygraph_http_refusals_total",
			Help: "Requests refused by a server limit, by reason (cost, depth, rate, timeout, …).",
		}, []string{"reason"}),
		storeCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygraph_store_calls_total",
			Help: "Store calls, by method and outcome (OK or the error code).",
		}, []string{"method", "code"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citygraph_store_call_duration_seconds",
			Help:    "Time a store call takes, by method.",
			Buckets: storeBuckets,
		}, []string{"method"}),
		seedRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citygraph_seed_rows_total",
			Help: "Rows written by seed loads, by node or relation kind and outcome (created, updated, unchanged).",
		}, []string{"kind", "outcome"}),
		operations: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.refusals,
		m.storeCalls, m.storeDuration, m.seedRows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// boundedOperation bounds the operation label's values (see MaxOperationLabels).
func (m *metrics) boundedOperation(name string) string {
	switch {
	case name == "" || name == AnonymousOperation:
		return name
	case !operationPattern.MatchString(name):
		return OtherOperation
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.operations[name] {
		return name
	}
	if len(m.operations) >= MaxOperationLabels {
		return OtherOperation
	}
	m.operations[name] = true
	return name
}

func (m *metrics) requestStarted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

func (m *metrics) requestEnded(route, operation string, status int, refusal Reason, took time.Duration) {
	if m == nil {
		return
	}
	m.inFlight.Dec()
	op := m.boundedOperation(operation)
	m.requests.WithLabelValues(route, op, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, op).Observe(took.Seconds())
	if refusal != "" {
		m.refusals.WithLabelValues(string(refusal)).Inc()
	}
}

func (m *metrics) storeCall(method string, err error, took time.Duration) {
	if m == nil {
		return
	}
	code := "OK"
	if err != nil {
		code = string(domain.ErrorCode(err))
	}
	m.storeCalls.WithLabelValues(method, code).Inc()
	m.storeDuration.WithLabelValues(method).Observe(took.Seconds())
}

// seedLoaded counts what a load wrote; a dry run writes nothing.
func (m *metrics) seedLoaded(rep domain.Report) {
	if m == nil {
		return
	}
	add := func(kind string, c domain.Counts) {
		for outcome, n := range map[string]int{"created": c.Created, "updated": c.Updated, "unchanged": c.Unchanged} {
			if n > 0 {
				m.seedRows.WithLabelValues(kind, outcome).Add(float64(n))
			}
		}
	}
	for k, c := range rep.Nodes {
		add(string(k), c)
	}
	for k, c := range rep.Edges {
		add(string(k), c)
	}
}
