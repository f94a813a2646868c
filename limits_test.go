package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/graph"
)

func TestLimitsComeFromTheEnvironment(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	t.Run("unset means the defaults", func(t *testing.T) {
		c, _, err := loadConfig(nil, env(nil), io.Discard)
		if err != nil || c.limits != graph.DefaultLimits {
			t.Errorf("limits = %+v, %v; want the defaults %+v", c.limits, err, graph.DefaultLimits)
		}
	})
	t.Run("each setting sets its limit", func(t *testing.T) {
		c, _, err := loadConfig(nil, env(map[string]string{
			"CITYGRAPH_MAX_COST": "1000", "CITYGRAPH_MAX_DEPTH": "9", "CITYGRAPH_MAX_ALIASES": "8",
			"CITYGRAPH_MAX_DIRECTIVES": "7", "CITYGRAPH_MAX_SELECTIONS": "60", "CITYGRAPH_MAX_TOKENS": "500",
		}), io.Discard)
		want := graph.DefaultLimits
		want.MaxCost, want.MaxDepth, want.MaxAliases, want.MaxDirectives, want.MaxSelections, want.MaxTokens = 1000, 9, 8, 7, 60, 500
		if err != nil || c.limits != want {
			t.Errorf("limits = %+v, %v; want %+v", c.limits, err, want)
		}
	})
	t.Run("a bad value is refused with the setting's name", func(t *testing.T) {
		for _, v := range []string{"lots", "0", "-5"} {
			_, _, err := loadConfig(nil, env(map[string]string{"CITYGRAPH_MAX_DEPTH": v}), io.Discard)
			if err == nil || !strings.Contains(err.Error(), "CITYGRAPH_MAX_DEPTH") {
				t.Errorf("CITYGRAPH_MAX_DEPTH=%s: err = %v; want one naming the setting", v, err)
			}
		}
	})
}

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
