package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

func TestServiceExposesMetrics(t *testing.T) {
	t.Run("on by default", func(t *testing.T) {
		base, _ := startService(t, map[string]string{})
		resp, err := http.Post(base+"/graphql", "application/json",
			strings.NewReader(`{"query":"query CityName { city(slug: \"nanning\") { name } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		body := getMetrics(t, base+"/metrics", http.StatusOK)
		for _, want := range []string{
			`citygraph_http_requests_total{operation="CityName",route="/graphql",status="200"} 1`,
			`citygraph_seed_rows_total{kind="City",outcome="created"}`, // the first start's seed load
			`citygraph_store_calls_total{code="OK",method="Apply"} 1`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics has no %s", want)
			}
		}
	})
	t.Run("off with CITYGRAPH_METRICS=false", func(t *testing.T) {
		base, _ := startService(t, map[string]string{"CITYGRAPH_METRICS": "false"})
		getMetrics(t, base+"/metrics", http.StatusNotFound)
	})
}

// collector is an OTLP/HTTP trace receiver that keeps what it is sent.
type collector struct {
	mu       sync.Mutex
	spans    []string
	services []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(b, &req)
	}
	if r.URL.Path != "/v1/traces" || err != nil {
		http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.ResourceSpans {
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.name" {
				c.services = append(c.services, a.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				c.spans = append(c.spans, sp.Name)
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
}

func TestServiceExportsTracesOverOTLP(t *testing.T) {
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	// The OTLP exporter reads its endpoint from the process environment.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")
	base, stop := startService(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL})
	resp, err := http.Post(base+"/graphql", "application/json",
		strings.NewReader(`{"query":"query CityName { city(slug: \"nanning\") { name } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// run flushes the buffered spans before it returns.
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	for _, want := range []string{"POST /graphql", "GET /healthz", "store.Apply", "store.ListNodes"} {
		if !slices.Contains(col.spans, want) {
			t.Errorf("exported spans %v have no %q", col.spans, want)
		}
	}
	if len(col.services) == 0 || col.services[0] != "citygraph" {
		t.Errorf("service.name: got %v, want citygraph", col.services)
	}
}

func TestRunRefusesBadTelemetrySettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CITYGRAPH_METRICS": "yes"}, `CITYGRAPH_METRICS is "yes"; use true or false`},
		{map[string]string{"CITYGRAPH_ACCESS_LOG": "loud"}, `CITYGRAPH_ACCESS_LOG is "loud"`},
		{map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, `OTEL_TRACES_EXPORTER is "zipkin"`},
	} {
		c.env["CITYGRAPH_DATA_DIR"] = t.TempDir()
		err := run(context.Background(), nil, func(k string) string { return c.env[k] }, strings.NewReader(""), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run with %v: got %v, want an error with %q", c.env, err, c.want)
		}
	}
}

// getMetrics fetches u and fails unless it answers status.
func getMetrics(t *testing.T, u string, status int) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", u, resp.StatusCode, status, b)
	}
	return string(b)
}
