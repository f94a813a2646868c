package seed_test

import (
	"testing"

	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/domain"
)

func TestSmokeProject(t *testing.T) {
	b, err := seed.ProjectBatch()
	if err != nil {
		if e, ok := err.(*domain.Error); ok {
			for _, p := range e.Problems {
				t.Log(p.String())
			}
		}
		t.Fatal(err)
	}
	t.Log(len(b.Nodes), len(b.Edges))
}
