package embedded_test

import (
	"testing"

	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/storetest"
)

// FuzzFilter builds random where filters from each input and checks that
// the embedded store answers them as the contract suite's brute-force
// oracle does, on node lists and on relations. Plain go test runs the
// seeds; go test -fuzz FuzzFilter ./store/embedded explores further.
func FuzzFilter(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	s, err := embedded.Open("")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	c := storetest.NewFilterChecker(f, s)
	f.Fuzz(func(t *testing.T, seed uint64) {
		c.CheckNodes(t, seed)
		c.CheckRelations(t, seed)
	})
}
