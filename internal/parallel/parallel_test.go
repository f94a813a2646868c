package parallel_test

import (
	"sync/atomic"
	"testing"

	"github.com/citygraph/citygraph/internal/parallel"
)

func TestForVisitsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2047, 2048, 10001} {
		seen := make([]atomic.Int32, n)
		parallel.For(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Fatalf("n=%d: index %d visited %d times, want 1", n, i, got)
			}
		}
	}
}
