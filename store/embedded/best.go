package embedded

import "slices"

// best keeps the first n items seen in an order, sorted, so that a read
// that answers a page of a large set sorts n items, not the set: less work,
// and none of it after the read's last deadline check.
type best[T any] struct {
	n     int
	order func(a, b T) int
	items []T
}

func newBest[T any](n int, order func(a, b T) int) *best[T] {
	return &best[T]{n: n, order: order, items: make([]T, 0, min(n, 1024))}
}

// offer keeps x if it is among the first n seen so far.
func (b *best[T]) offer(x T) {
	if b.n <= 0 || len(b.items) == b.n && b.order(x, b.items[b.n-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(b.items, x, b.order)
	if len(b.items) == b.n {
		b.items = b.items[:b.n-1]
	}
	b.items = slices.Insert(b.items, i, x)
}
