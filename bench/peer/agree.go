package peer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Mismatch is a query on which two sides answered differently.
type Mismatch struct {
	Query, Side, Reference string
	Diff                   string
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("%s: %s answers differently from %s:\n%s", m.Query, m.Side, m.Reference, m.Diff)
}

// Check asks every side the query once and compares each canonical
// answer with the floor's. It returns the floor's answer.
func (b *Bench) Check(ctx context.Context, q Query) (any, error) {
	sides := b.sidesFor(q)
	answers := make([]any, len(sides))
	var ref side
	var want any
	for i, s := range sides {
		a, err := s.answer(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s on %s: %w", q.Name, s.name, err)
		}
		answers[i] = a
		if s.name == SideFloor {
			ref, want = s, a
		}
	}
	if want == nil {
		return nil, fmt.Errorf("%s: the floor found nothing; is the data loaded?", q.Name)
	}
	for i, s := range sides {
		if s.name != ref.name && !reflect.DeepEqual(answers[i], want) {
			return nil, &Mismatch{Query: q.Name, Side: s.name, Reference: ref.name, Diff: diff(want, answers[i])}
		}
	}
	return want, nil
}

// CheckAll checks every query and stops at the first mismatch; with
// dump, it writes each canonical answer too.
func (b *Bench) CheckAll(ctx context.Context, qs []Query, progress, dump io.Writer) error {
	for _, q := range qs {
		a, err := b.Check(ctx, q)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(a)
		fmt.Fprintf(progress, "peerbench: %s: every side answers alike (%d bytes of canonical answer)\n", q.Name, len(raw))
		if dump != nil {
			fmt.Fprintf(dump, "%s: %s\n", q.Name, raw)
		}
	}
	return nil
}

// diff shows the first lines where two answers differ, as indented JSON.
func diff(want, got any) string {
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	from := max(i-5, 0)
	var sb strings.Builder
	fmt.Fprintf(&sb, "first difference at line %d of the canonical JSON\n", i+1)
	for j := from; j < i; j++ {
		fmt.Fprintf(&sb, "  %s\n", wl[j])
	}
	for j := i; j < min(i+8, len(wl)); j++ {
		fmt.Fprintf(&sb, "- %s\n", wl[j])
	}
	for j := i; j < min(i+8, len(gl)); j++ {
		fmt.Fprintf(&sb, "+ %s\n", gl[j])
	}
	return sb.String()
}
