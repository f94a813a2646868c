package noloss

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Report is what a run sent, what its clients were told, and what the
// service holds afterwards.
type Report struct {
	Outages  int
	Requests int
	// Reads sent, answered without error, failed while the store was away
	// (no answer, or UNAVAILABLE, TIMEOUT, RATE_LIMITED), and rejected for
	// good (each read is valid, so any is a violation).
	Reads, ReadsAnswered, ReadsFailed, ReadsRejected int
	// Writes sent; Acknowledged: answered with data; Failed: no answer
	// after the last attempt; Rejected: a definitive error (every write is
	// valid, so each is a violation); Retried: needed more than one attempt.
	Writes, Acknowledged, Failed, Rejected, Retried, Attempts int
	// Present: the write's source is in the graph; Recorded: its key is in
	// the change log; Duplicates: keys recorded more than once.
	Present, Recorded, Duplicates int
	// FailedPresent: failed writes that were applied all the same (allowed,
	// once).
	FailedPresent int
	// FailedBecause counts failed writes by their last attempt's outcome
	// ("no answer", "UNAVAILABLE", …).
	FailedBecause map[string]int
	Violations    []string
}

// OK reports whether nothing was lost or applied twice.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

// Print writes the counts and every violation.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "requests     %d (%d outages)\n", r.Requests, r.Outages)
	fmt.Fprintf(w, "reads        %d sent, %d answered, %d failed, %d rejected\n", r.Reads, r.ReadsAnswered, r.ReadsFailed, r.ReadsRejected)
	fmt.Fprintf(w, "writes       %d sent, %d acknowledged, %d failed, %d rejected, %d retried (%d attempts)\n",
		r.Writes, r.Acknowledged, r.Failed, r.Rejected, r.Retried, r.Attempts)
	if len(r.FailedBecause) > 0 {
		var parts []string
		for _, reason := range slices.Sorted(maps.Keys(r.FailedBecause)) {
			parts = append(parts, fmt.Sprintf("%s %d", reason, r.FailedBecause[reason]))
		}
		fmt.Fprintf(w, "             failed writes were last told: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "afterwards   %d present, %d recorded, %d duplicates, %d failed but present\n",
		r.Present, r.Recorded, r.Duplicates, r.FailedPresent)
	if r.OK() {
		fmt.Fprintln(w, "nothing lost: every acknowledged write is present exactly once, every failed one absent or present once")
		return
	}
	fmt.Fprintf(w, "%d VIOLATIONS:\n", len(r.Violations))
	const shown = 30
	for _, v := range r.Violations[:min(shown, len(r.Violations))] {
		fmt.Fprintln(w, "  "+v)
	}
	if len(r.Violations) > shown {
		fmt.Fprintf(w, "  … and %d more\n", len(r.Violations)-shown)
	}
}

// check reads the change log and the graph through the API and holds each
// write to its outcome: acknowledged, present exactly once with the change
// set its answer named; failed, absent or present once; never twice.
func (r *Report) check(ctx context.Context, cl *client, run string, writes []*write) error {
	recorded, err := recordedKeys(ctx, cl, "noloss-"+run+"-")
	if err != nil {
		return err
	}
	present, err := presentSlugs(ctx, cl, writes)
	if err != nil {
		return err
	}
	violate := func(format string, a ...any) { r.Violations = append(r.Violations, fmt.Sprintf(format, a...)) }
	for _, w := range writes {
		r.Writes++
		r.Attempts += w.Attempts
		if w.Attempts > 1 {
			r.Retried++
		}
		seqs, here := recorded[w.Key], present[w.Slug]
		if here {
			r.Present++
		}
		if len(seqs) > 0 {
			r.Recorded++
		}
		if len(seqs) > 1 {
			r.Duplicates++
			violate("write %s is recorded %d times (change sets %v): applied more than once", w.Key, len(seqs), seqs)
		}
		if here != (len(seqs) > 0) {
			violate("write %s: source present=%v but its key recorded %d times: the change and its record must commit together", w.Key, here, len(seqs))
		}
		switch {
		case w.Acked:
			r.Acknowledged++
			if !here {
				violate("write %s was acknowledged (change set %d) but its source %s is not in the graph: lost", w.Key, w.Seq, w.Slug)
			}
			if len(seqs) == 1 && seqs[0] != w.Seq {
				violate("write %s was answered with change set %d but the log records it as %d", w.Key, w.Seq, seqs[0])
			}
		case w.Rejected:
			r.Rejected++
			violate("write %s was rejected after %d attempts: %s", w.Key, w.Attempts, w.Err)
		default:
			r.Failed++
			if r.FailedBecause == nil {
				r.FailedBecause = map[string]int{}
			}
			r.FailedBecause[w.Reason]++
			if here {
				r.FailedPresent++
			}
		}
	}
	return nil
}

// recordedKeys pages through the whole change log and returns the
// sequence numbers of the change sets whose idempotency key has prefix.
func recordedKeys(ctx context.Context, cl *client, prefix string) (map[string][]int64, error) {
	const q = `query NoLossLog($after: Int!) { changes(after: $after, first: 1000) { seq idempotencyKey } }`
	out := map[string][]int64{}
	var after int64
	for {
		a := cl.do(ctx, q, map[string]any{"after": after})
		if err := a.err(); err != nil {
			return nil, fmt.Errorf("reading the change log after %d: %w", after, err)
		}
		var page struct {
			Changes []struct {
				Seq            int64   `json:"seq"`
				IdempotencyKey *string `json:"idempotencyKey"`
			} `json:"changes"`
		}
		if err := json.Unmarshal(a.Data, &page); err != nil {
			return nil, fmt.Errorf("reading the change log: %w", err)
		}
		if len(page.Changes) == 0 {
			return out, nil
		}
		for _, c := range page.Changes {
			if c.Seq <= after {
				return nil, fmt.Errorf("the change log went back from %d to %d", after, c.Seq)
			}
			after = c.Seq
			if c.IdempotencyKey != nil && strings.HasPrefix(*c.IdempotencyKey, prefix) {
				out[*c.IdempotencyKey] = append(out[*c.IdempotencyKey], c.Seq)
			}
		}
	}
}

// presentSlugs asks for every write's source by its global ID, 100 at a time.
func presentSlugs(ctx context.Context, cl *client, writes []*write) (map[string]bool, error) {
	const q = `query NoLossPresent($ids: [ID!]!) { nodes(ids: $ids) { id } }`
	out := map[string]bool{}
	for start := 0; start < len(writes); start += 100 {
		var ids []string
		for _, w := range writes[start:min(start+100, len(writes))] {
			ids = append(ids, "Source:"+w.Slug)
		}
		a := cl.do(ctx, q, map[string]any{"ids": ids})
		if err := a.err(); err != nil {
			return nil, fmt.Errorf("reading the written sources: %w", err)
		}
		var page struct {
			Nodes []*struct {
				ID string `json:"id"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal(a.Data, &page); err != nil {
			return nil, fmt.Errorf("reading the written sources: %w", err)
		}
		for _, n := range page.Nodes {
			if n != nil {
				out[strings.TrimPrefix(n.ID, "Source:")] = true
			}
		}
	}
	return out, nil
}
