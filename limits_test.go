package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/graph"
)

func TestLoadConfigRequestLimits(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		timeout time.Duration
		maxResp int
		wantErr string
	}{
		{"defaults", nil, graph.DefaultLimits.Timeout, graph.DefaultLimits.MaxResponseBytes, ""},
		{"both set", map[string]string{"CITYGRAPH_REQUEST_TIMEOUT": "2m", "CITYGRAPH_MAX_RESPONSE_BYTES": "1048576"}, 2 * time.Minute, 1 << 20, ""},
		{"no response cap", map[string]string{"CITYGRAPH_MAX_RESPONSE_BYTES": "0"}, graph.DefaultLimits.Timeout, 0, ""},
		{"timeout in seconds", map[string]string{"CITYGRAPH_REQUEST_TIMEOUT": "45"}, 45 * time.Second, graph.DefaultLimits.MaxResponseBytes, ""},
		{"timeout in words", map[string]string{"CITYGRAPH_REQUEST_TIMEOUT": "soon"}, 0, 0, "CITYGRAPH_REQUEST_TIMEOUT"},
		{"zero timeout", map[string]string{"CITYGRAPH_REQUEST_TIMEOUT": "0s"}, 0, 0, "CITYGRAPH_REQUEST_TIMEOUT"},
		{"cap in words", map[string]string{"CITYGRAPH_MAX_RESPONSE_BYTES": "16MiB"}, 0, 0, "CITYGRAPH_MAX_RESPONSE_BYTES"},
		{"negative cap", map[string]string{"CITYGRAPH_MAX_RESPONSE_BYTES": "-1"}, 0, 0, "CITYGRAPH_MAX_RESPONSE_BYTES"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := loadConfig(nil, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.limits.Timeout != tc.timeout || c.limits.MaxResponseBytes != tc.maxResp {
				t.Errorf("got timeout %v, response cap %d; want %v, %d", c.limits.Timeout, c.limits.MaxResponseBytes, tc.timeout, tc.maxResp)
			}
		})
	}
}
