// Package parallel spreads a loop over the cores. Bulk loads validate and
// encode 100,000-row batches; on two cores that halves their time.
package parallel

import (
	"runtime"
	"sync"
)

// minN is the size below which goroutines cost more than they save.
const minN = 2048

// For calls f(i) for every i in [0, n), spread over the cores when n is
// large enough to pay for the goroutines. f must be safe to call
// concurrently for different i.
func For(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < minN || workers < 2 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}
