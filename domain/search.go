package domain

import (
	"strings"
)

// SearchQuery is a full-text search over names, aliases and descriptions
// in English and Chinese.
//
// Contract: every hit contains the text (case-insensitively) in its name,
// Chinese name, an alias or its description, or matches all its words;
// exact name matches rank first; ties by kind then slug. A hit scores 3 for
// an exact name, Chinese name or alias (case-insensitive), 2 for a prefix of
// one, 1 for a substring of one or of the description, 0.5 when every word
// of the text is found in those fields.
type SearchQuery struct {
	Text  string
	Kinds []Kind
	First int
}

// MaxSearchLen bounds search text.
const MaxSearchLen = 200

// Normalize validates q and applies defaults.
func (q *SearchQuery) Normalize() error {
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" {
		return Errorf(EINVALID, "search text is empty; give a word in English or Chinese, such as Nanning or 南宁")
	}
	if len(q.Text) > MaxSearchLen {
		return Errorf(EINVALID, "search text is %d bytes; at most %d", len(q.Text), MaxSearchLen)
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return Errorf(EINVALID, "unknown node kind %q", k)
		}
	}
	if err := TopCount.Normalize(&q.First); err != nil {
		return err
	}
	return nil
}

// SearchHit is one search result; Score is higher for better matches.
type SearchHit struct {
	Key   NodeKey
	Score float64
}
