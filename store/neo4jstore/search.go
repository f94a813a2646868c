package neo4jstore

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/citygraph/citygraph/domain"
)

// luceneSpecial are the characters Lucene's query parser treats as syntax.
const luceneSpecial = `+-&|!(){}[]^"~*?:\/`

func escapeLucene(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(luceneSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stopWords is the English stop set the cjk analyzer drops; a search term
// found inside one of them cannot be required of the index.
var stopWords = strings.Fields("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with")

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// luceneQuery turns search text into a full-text query that every node the
// contract counts as a hit matches (a superset, scored exactly afterwards):
// for each word, each run of letters or digits must occur inside an indexed
// token (*run*), and each CJK character pair inside a bigram token. It
// returns "" when no term can be required (text of punctuation or stop
// words only), and the caller then scores every node.
func luceneQuery(text string) string {
	var terms []string
	add := func(t string) {
		if t == "" || slices.ContainsFunc(stopWords, func(w string) bool { return strings.Contains(w, t) }) {
			return
		}
		terms = append(terms, "*"+escapeLucene(t)+"*")
	}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		var run []rune
		var cjk []rune
		flush := func() {
			add(string(run))
			run = run[:0]
			if len(cjk) == 1 {
				add(string(cjk))
			}
			for i := 0; i+1 < len(cjk); i++ {
				add(string(cjk[i : i+2]))
			}
			cjk = cjk[:0]
		}
		for _, r := range w {
			switch {
			case isCJK(r):
				if len(run) > 0 {
					add(string(run))
					run = run[:0]
				}
				cjk = append(cjk, r)
			case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
				if len(cjk) > 0 {
					flush()
				}
				run = append(run, r)
			default:
				flush()
			}
		}
		flush()
	}
	return strings.Join(slices.Compact(terms), " AND ")
}

// Search looks the text up in the full-text index (cjk analyzer) and scores
// the candidates exactly as the contract says: 3 exact name, Chinese name
// or alias; 2 prefix of one; 1 substring of one or of the description;
// 0.5 every word found. Ties by kind, then slug (the key's order).
func (s *Store) Search(ctx context.Context, q domain.SearchQuery) ([]domain.SearchHit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	cypher, params := searchStatement(q)
	recs, err := s.query(ctx, "searching", cypher, params)
	if err != nil {
		return nil, err
	}
	out := []domain.SearchHit{}
	for _, rec := range recs {
		k, err := domain.ParseNodeKey(getStr(rec, "key"))
		if err != nil {
			return nil, domain.Internal(err, "searching")
		}
		sc, _ := rec.Get("score")
		f, _ := sc.(float64)
		out = append(out, domain.SearchHit{Key: k, Score: f})
	}
	return out, nil
}

// searchStatement builds Search's statement for a normalized query: the
// candidates come from the full-text index and are scored exactly here.
func searchStatement(q domain.SearchQuery) (string, map[string]any) {
	t := strings.ToLower(q.Text)
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	params := map[string]any{"t": t, "words": strings.Fields(t), "kinds": kinds, "first": int64(q.First),
		"index": fulltextIndex, "lucene": luceneQuery(q.Text)}
	candidates := "CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node AS n"
	if params["lucene"] == "" {
		candidates = "MATCH (n:Entity)" // nothing to look up: score everything (rare: punctuation only)
	}
	return candidates + `
		WITH n WHERE size($kinds) = 0 OR any(l IN labels(n) WHERE l IN $kinds)
		WITH n, [x IN [n.name, coalesce(n.nameZh, '')] + coalesce(n.aliases, []) | toLower(x)] AS names,
			toLower(coalesce(n.description, '')) AS d
		WITH n, names, names + [d] AS texts
		WITH n, CASE
			WHEN $t IN names THEN 3.0
			WHEN any(x IN names WHERE x <> '' AND x STARTS WITH $t) THEN 2.0
			WHEN any(x IN texts WHERE x CONTAINS $t) THEN 1.0
			WHEN size($words) >= 2 AND all(w IN $words WHERE any(x IN texts WHERE x CONTAINS w)) THEN 0.5
			ELSE 0.0 END AS score
		WHERE score > 0
		RETURN n.key AS key, score
		ORDER BY score DESC, key
		LIMIT $first`, params
}
