package embedded

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// searchDoc is a node's searchable text, lower-cased once at write time.
type searchDoc struct {
	names []string // name, Chinese name, aliases
	desc  string
}

func newSearchDoc(n domain.Node) *searchDoc {
	m := n.Base()
	d := &searchDoc{desc: strings.ToLower(m.Description)}
	for _, s := range append([]string{m.Name, m.NameZh}, m.Aliases...) {
		if s != "" {
			d.names = append(d.names, strings.ToLower(s))
		}
	}
	return d
}

// score: 3 exact name, 2 prefix of a name, 1 substring of a name or the
// description, 0.5 every word found somewhere; 0 no match.
func (d *searchDoc) score(text string, words []string) float64 {
	best := 0.0
	for _, n := range d.names {
		switch {
		case n == text:
			return 3
		case strings.HasPrefix(n, text):
			best = 2
		case best < 1 && strings.Contains(n, text):
			best = 1
		}
	}
	if best > 0 {
		return best
	}
	if strings.Contains(d.desc, text) {
		return 1
	}
	if len(words) < 2 {
		return 0
	}
	for _, w := range words {
		if !strings.Contains(d.desc, w) && !slices.ContainsFunc(d.names, func(n string) bool { return strings.Contains(n, w) }) {
			return 0
		}
	}
	return 0.5
}

// Search finds nodes by English or Chinese text. See domain.SearchQuery.
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	return read(s, ctx, func(st *state) ([]domain.SearchHit, error) {
		text := strings.ToLower(q.Text)
		words := strings.Fields(text)
		kinds := q.Kinds
		if len(kinds) == 0 {
			kinds = domain.Kinds
		}
		dl := newDeadline(ctx, fmt.Sprintf("searching for %q", q.Text), "fewer kinds of node (kinds) or more specific text")
		hits := newBest(q.First, func(a, b domain.SearchHit) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Key.Kind, b.Key.Kind), cmp.Compare(a.Key.ID, b.Key.ID))
		})
		for _, k := range unique(kindStrings(kinds)) {
			for _, id := range st.byKind[domain.Kind(k)] {
				if dl.tick() {
					return nil, dl.Err()
				}
				key := domain.NodeKey{Kind: domain.Kind(k), ID: id}
				if sc := st.search[key].score(text, words); sc > 0 {
					hits.offer(domain.SearchHit{Key: key, Score: sc})
				}
			}
		}
		if len(hits.items) == 0 {
			return nil, nil // as an empty answer always was
		}
		return hits.items, nil
	})
}

func kindStrings(ks []domain.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
