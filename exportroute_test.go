package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestExportRoute runs the service and exports through /export: a stream
// on a good request, a coded 400 on a bad one.
func TestExportRoute(t *testing.T) {
	base, _ := startService(t, map[string]string{})
	resp, err := http.Get(base + "/export?format=jsonl&center=City:nanning&depth=1")
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for sc := bufio.NewScanner(resp.Body); sc.Scan(); {
		lines++
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/jsonl" || lines < 2 {
		t.Errorf("GET /export: status %d, Content-Type %q, %d lines; want 200, application/jsonl, Nanning and its neighbours",
			resp.StatusCode, resp.Header.Get("Content-Type"), lines)
	}
	code, body := getJSON(t, base+"/export?format=gexf")
	if code != http.StatusBadRequest || !strings.Contains(body["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)["code"].(string), "INVALID_ARGUMENT") {
		t.Errorf("GET /export?format=gexf = %d %v, want 400 INVALID_ARGUMENT", code, body)
	}
}

func TestExportSettings(t *testing.T) {
	cfg, _, err := loadConfig(nil, func(k string) string {
		return map[string]string{"CITYGRAPH_EXPORT_CONCURRENCY": "4", "CITYGRAPH_EXPORT_TIMEOUT": "90"}[k]
	}, io.Discard)
	if err != nil || cfg.exports.Concurrency != 4 || cfg.exports.Timeout != 90*time.Second {
		t.Errorf("got %+v, %v; want 4 exports at once for 90 s each", cfg.exports, err)
	}
	for _, env := range []map[string]string{
		{"CITYGRAPH_EXPORT_CONCURRENCY": "0"}, {"CITYGRAPH_EXPORT_CONCURRENCY": "many"},
		{"CITYGRAPH_EXPORT_TIMEOUT": "-1s"}, {"CITYGRAPH_EXPORT_TIMEOUT": "soon"},
	} {
		if _, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard); err == nil {
			t.Errorf("loadConfig(%v) accepted it; want an error naming the setting", env)
		}
	}
}
