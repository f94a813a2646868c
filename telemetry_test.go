package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
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
