package embedded

import (
	"github.com/citygraph/citygraph/domain"
)

// pageBuf is where one read makes its relation pages. A plan answers a
// page for every anchor it reaches, mostly small ones, so the pages'
// items and cursors are carved from shared chunks (each page capped, so
// that appending to one never writes into the next), and the cursors are
// the lists' own strings (nameorder.go): a page costs a few allocations at
// most, not two per item.
type pageBuf struct {
	// share says the pages hold the stored relations' values, which a
	// plan's answers may (they are read-only); else private copies.
	share bool
	edges []domain.Edge
	strs  []string
	// edgeChunk and strChunk are the last chunks' sizes, doubling from 16
	// up to maxChunk, so a read of one small page makes a small chunk.
	edgeChunk, strChunk int
	pending             []string // the cursors of the page being made
	// ends are the far ends of the last page made when it is a stretch of
	// a default-order list, else nil: a plan's walk reads them from there.
	ends []nameEnd
}

// maxChunk bounds the items one chunk holds; a larger page has its own.
const maxChunk = 256

// grow doubles a chunk's size, from 16 up to maxChunk.
func grow(size *int) int {
	*size = min(max(2**size, 16), maxChunk)
	return *size
}

// items returns an empty slice with room for n relations.
func (b *pageBuf) items(n int) []domain.Edge {
	if n > cap(b.edges)-len(b.edges) {
		if n > maxChunk/2 {
			return make([]domain.Edge, 0, n)
		}
		b.edges = make([]domain.Edge, 0, max(n, grow(&b.edgeChunk)))
	}
	l := len(b.edges)
	b.edges = b.edges[:l+n]
	return b.edges[l : l : l+n]
}

// cursors returns the cursors added for the page being made (see
// addCursor), nil if none, and starts the next page's.
func (b *pageBuf) cursors() []string {
	n := len(b.pending)
	if n == 0 {
		return nil
	}
	var out []string
	if n > cap(b.strs)-len(b.strs) {
		if n > maxChunk/2 {
			out = make([]string, n)
		} else {
			b.strs = make([]string, 0, max(n, grow(&b.strChunk)))
		}
	}
	if out == nil {
		l := len(b.strs)
		b.strs = b.strs[:l+n]
		out = b.strs[l : l+n : l+n]
	}
	copy(out, b.pending)
	b.startPage()
	return out
}

// startPage forgets the cursors of a page left unfinished.
func (b *pageBuf) startPage() { b.pending = b.pending[:0] }

// addCursor adds the cursor of the page's next item.
func (b *pageBuf) addCursor(c string) { b.pending = append(b.pending, c) }

// edge is e as a page holds it.
func (b *pageBuf) edge(e *domain.Edge) domain.Edge {
	if b.share {
		return *e
	}
	return cloneEdge(e)
}
