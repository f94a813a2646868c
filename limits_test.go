package main

import (
	"io"
	"strings"
	"testing"

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
