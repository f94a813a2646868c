package embedded_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/synth"
)

// BenchmarkHeapAfterLoad reports the live heap of a store holding the
// synthetic graph of planBenchCities cities (heap-MB), the memory the
// default-order lists and the other indexes cost.
func BenchmarkHeapAfterLoad(b *testing.B) {
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := embedded.Open("")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(context.Background(), synth.Generate(7, planBenchCities), domain.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(s)
		s.Close()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
}
