package seed_test

import (
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed/seedtest"
	"github.com/citygraph/citygraph/store/embedded"
)

func openEmbedded(tb testing.TB) domain.Store {
	tb.Helper()
	st, err := embedded.Open("")
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// BenchmarkLoadPartnerships100k loads 100,000 partnership rows into the
// in-memory embedded store (target: 200,000 rows/s or more).
func BenchmarkLoadPartnerships100k(b *testing.B) {
	seedtest.BenchmarkLoad(b, openEmbedded, 100_000)
}

// BenchmarkLoadPartnerships100kOnDisk does the same into a bbolt file.
func BenchmarkLoadPartnerships100kOnDisk(b *testing.B) {
	seedtest.BenchmarkLoad(b, func(tb testing.TB) domain.Store {
		st, err := embedded.Open(tb.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}, 100_000)
}
