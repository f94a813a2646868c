// Package noloss is the project's bounded no-loss load: a fixed number of
// mixed reads and writes from concurrent clients while what the service
// needs goes away and comes back, each write carrying an idempotency key
// and retried with it; afterwards it checks through the API and the change
// log that every acknowledged write is present exactly once and every
// failed one absent or present once (issue 11, "Nothing lost").
package noloss

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one run.
type Config struct {
	// URL is the service's base (http://127.0.0.1:PORT); Token an editor's
	// API key or JWT.
	URL, Token string
	// Requests is the fixed number of requests (reads and writes, each
	// write counted once however often it is retried); Clients how many
	// send at once. Every other request is a write.
	Requests, Clients int
	// Attempts bounds the tries of one write; Backoff is the pause after
	// the first failed try, doubled after each up to MaxBackoff.
	Attempts            int
	Backoff, MaxBackoff time.Duration
	// Outages happen one after the other during the run (see Run).
	Outages []Outage
	// Ready waits until the service answers again, before the check.
	Ready func(ctx context.Context) error
}

// DefaultConfig is the short run of the test; the command's flags start
// from it.
var DefaultConfig = Config{Requests: 300, Clients: 16, Attempts: 8, Backoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second}

// write is one intended write and what its client was told.
type write struct {
	Key, Slug string
	Attempts  int
	Acked     bool  // the service answered it with data
	Seq       int64 // the change set the answer named
	Err       string
	Reason    string // the last failed attempt's, in a word (answer.reason)
	Rejected  bool   // a definitive error, not one worth a retry
}

// Run sends cfg.Requests requests from cfg.Clients clients and runs the
// outages during them, then checks what the service holds. The
// run is cut in 2×len(Outages)+1 equal stretches: outage k begins as the
// first request of stretch 2k+1 is handed out; half way through that
// stretch, requests wait until it has begun (so some meet the service while
// it is away), and the next stretch waits until it has ended, so that
// every outage happens within the run however fast the clients are. An
// outage ends only after a write attempt has failed since it began, so each
// one reaches the clients whatever the timing.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	// Each stretch needs writes after its outage has begun (see above).
	if least := 8 * (2*len(cfg.Outages) + 1); cfg.Requests < least || cfg.Clients < 1 || cfg.Attempts < 2 {
		return nil, fmt.Errorf("a run with %d outages needs at least %d requests, 1 client and 2 attempts a write", len(cfg.Outages), least)
	}
	run := runID()
	cl := newClient(cfg.URL, cfg.Token, cfg.Clients)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	writes := make([]*write, cfg.Requests)
	// writeFailures counts write attempts that failed, for whatever reason;
	// writeFailed wakes the outage waiting for one.
	var writeFailures atomic.Int64
	writeFailed := make(chan struct{}, 1)
	cl.failed = func() {
		writeFailures.Add(1)
		select {
		case writeFailed <- struct{}{}:
		default:
		}
	}
	var readsOK, readsFailed, readsRejected atomic.Int64
	var firstRejected sync.Once
	var rejectedRead string // the first rejected read's error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if i%2 == 0 {
					writes[i] = sendWrite(ctx, cl, cfg, run, i)
					continue
				}
				switch a := cl.do(ctx, reads[i/2%len(reads)], nil); {
				case a.err() == nil:
					readsOK.Add(1)
				case a.retryable():
					readsFailed.Add(1)
				default:
					readsRejected.Add(1)
					firstRejected.Do(func() { rejectedRead = a.err().Error() })
				}
			}
		}()
	}

	// The dispatcher hands out requests in order and runs the outages.
	stretch := cfg.Requests / (2*len(cfg.Outages) + 1)
	type phase struct{ begun, ended chan struct{} }
	phases := make([]phase, len(cfg.Outages))
	var outageWG sync.WaitGroup
	func() {
		defer close(jobs)
		for i := range cfg.Requests {
			for k, o := range cfg.Outages {
				start := (2*k + 1) * stretch
				switch i {
				case start:
					phases[k] = phase{make(chan struct{}), make(chan struct{})}
					outageWG.Add(1)
					before := writeFailures.Load()
					go func() {
						defer outageWG.Done()
						defer close(phases[k].ended)
						if err := o.Begin(ctx); err != nil {
							cancel(fmt.Errorf("outage %d (%s) did not begin: %w", k+1, o, err))
							return
						}
						close(phases[k].begun)
						for writeFailures.Load() == before {
							select {
							case <-writeFailed:
							case <-ctx.Done():
								return
							}
						}
						if err := o.End(ctx); err != nil {
							cancel(fmt.Errorf("outage %d (%s) did not end: %w", k+1, o, err))
						}
					}()
				case start + stretch/2:
					select {
					case <-phases[k].begun:
					case <-ctx.Done():
						return
					}
				case start + stretch:
					select {
					case <-phases[k].ended:
					case <-ctx.Done():
						return
					}
				}
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	outageWG.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if cfg.Ready != nil {
		if err := cfg.Ready(ctx); err != nil {
			return nil, fmt.Errorf("the service did not come back for the check: %w", err)
		}
	}

	rep := &Report{Outages: len(cfg.Outages), Requests: cfg.Requests,
		ReadsAnswered: int(readsOK.Load()), ReadsFailed: int(readsFailed.Load()), ReadsRejected: int(readsRejected.Load())}
	rep.Reads = rep.ReadsAnswered + rep.ReadsFailed + rep.ReadsRejected
	if n := rep.ReadsRejected; n > 0 {
		// Every read is valid: one refused for good says the tool or the service is broken.
		rep.Violations = append(rep.Violations, fmt.Sprintf("%d reads were rejected; the first: %s", n, rejectedRead))
	}
	var sent []*write
	for _, w := range writes {
		if w != nil {
			sent = append(sent, w)
		}
	}
	return rep, rep.check(ctx, cl, run, sent)
}

// reads are the read requests, in turn: lists, counts and a search, as an
// app's pages would ask.
var reads = []string{
	`{ sources(first: 5) { totalCount edges { node { id name } } } }`,
	`{ cities(first: 10) { totalCount edges { node { id name } } } }`,
	`{ search(text: "city", first: 5) { score } }`,
}

const createSource = `mutation NoLossWrite($input: CreateSourceInput!) {
  createSource(input: $input) { source { id } changeSeq }
}`

// sendWrite creates one source with its own idempotency key, retrying with
// the same key while the answer is unknown or the store is away.
func sendWrite(ctx context.Context, cl *client, cfg Config, run string, i int) *write {
	w := &write{Key: fmt.Sprintf("noloss-%s-%05d", run, i), Slug: fmt.Sprintf("noloss-%s-%05d", run, i)}
	input := map[string]any{"slug": w.Slug, "name": "No-loss run " + run + " write " + fmt.Sprint(i),
		"urls": []string{"https://example.org/noloss/" + w.Slug}, "idempotencyKey": w.Key}
	pause := cfg.Backoff
	for w.Attempts < cfg.Attempts {
		if w.Attempts > 0 {
			select {
			case <-time.After(pause): // a client's backoff, not synchronisation
			case <-ctx.Done():
				w.Err, w.Reason = context.Cause(ctx).Error(), "run cancelled"
				return w
			}
			pause = min(2*pause, cfg.MaxBackoff)
		}
		w.Attempts++
		a := cl.do(ctx, createSource, map[string]any{"input": input})
		if err := a.err(); err != nil {
			w.Err, w.Reason = err.Error(), a.reason()
			cl.failed()
			if !a.retryable() {
				w.Rejected = true
				return w
			}
			continue
		}
		var out struct {
			CreateSource struct {
				ChangeSeq int64 `json:"changeSeq"`
			} `json:"createSource"`
		}
		if err := json.Unmarshal(a.Data, &out); err != nil || out.CreateSource.ChangeSeq < 1 {
			w.Err, w.Rejected = fmt.Sprintf("an answer without a change set: %s", a.Data), true
			return w
		}
		w.Acked, w.Seq, w.Err = true, out.CreateSource.ChangeSeq, ""
		return w
	}
	return w
}

// runID names one run, so its writes are told apart from any other's in a
// store that outlives it.
func runID() string { return strings.ToLower(rand.Text()[:10]) }
