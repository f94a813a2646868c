package peer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// RunOptions bound the timed runs.
type RunOptions struct {
	Rounds   int           // rounds per query; the sides take turns in each
	Duration time.Duration // one side's run at one concurrency
	Clients  int           // concurrency of the throughput runs
	Progress io.Writer
}

// Row is one side's figures on one query: medians over the rounds.
type Row struct {
	Query, Shape, Side string
	RPS                float64       // successful requests per second at Clients
	P50, P99           time.Duration // at Clients
	P50One             time.Duration // at one client
	Statements         float64       // Neo4j statements per request; -1 unknown
	DBHits             float64       // Neo4j db hits per request (PROFILE); -1 unknown
}

// sample is one run's figures.
type sample struct {
	rps      float64
	p50, p99 time.Duration
}

// Run times every side on every query: in each round each side runs for
// Duration at Clients concurrent clients and then at one client, the
// sides in a different order each round, so that a busy spell of the
// machine does not fall on one side only. Every run is closed-loop (each
// client sends its next request when the last is answered) and bounded by
// Duration. Statements and db hits are counted afterwards (Account).
func (b *Bench) Run(ctx context.Context, qs []Query, opt RunOptions) ([]Row, error) {
	var rows []Row
	for _, q := range qs {
		sides := b.sidesFor(q)
		// A warm-up, not counted: connection pools, caches, the JIT.
		for _, s := range sides {
			if _, err := b.attack(ctx, s, q, opt.Clients, min(opt.Duration, time.Second)); err != nil {
				return nil, err
			}
		}
		many := make([][]sample, len(sides))
		one := make([][]sample, len(sides))
		for r := range opt.Rounds {
			for k := range sides {
				i := (k + r) % len(sides)
				s := sides[i]
				m, err := b.attack(ctx, s, q, opt.Clients, opt.Duration)
				if err != nil {
					return nil, err
				}
				o, err := b.attack(ctx, s, q, 1, opt.Duration)
				if err != nil {
					return nil, err
				}
				many[i], one[i] = append(many[i], m), append(one[i], o)
				fmt.Fprintf(opt.Progress, "peerbench: %s round %d %s: %.0f req/s, p50 %s p99 %s at %d; p50 %s at 1\n",
					q.Name, r+1, s.name, m.rps, m.p50, m.p99, opt.Clients, o.p50)
			}
		}
		for i, s := range sides {
			row := Row{Query: q.Name, Shape: q.Shape, Side: s.name, Statements: -1, DBHits: -1,
				RPS:    median(many[i], func(x sample) float64 { return x.rps }),
				P50:    time.Duration(median(many[i], func(x sample) float64 { return float64(x.p50) })),
				P99:    time.Duration(median(many[i], func(x sample) float64 { return float64(x.p99) })),
				P50One: time.Duration(median(one[i], func(x sample) float64 { return float64(x.p50) }))}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func median(xs []sample, f func(sample) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// attack runs one side for d at the given concurrency. GraphQL sides go
// through vegeta's attacker at rate 0 (as fast as the workers go) with
// exactly `clients` workers; the floor, which is no HTTP service, runs the
// same closed loop in goroutines and feeds vegeta's metrics. A run with any
// failed request is an error: its figures would not be comparable.
func (b *Bench) attack(ctx context.Context, s side, q Query, clients int, d time.Duration) (sample, error) {
	var m vegeta.Metrics
	if s.url != "" {
		target := vegeta.Target{Method: http.MethodPost, URL: s.url, Body: s.body,
			Header: http.Header{"Content-Type": []string{"application/json"}}}
		a := vegeta.NewAttacker(vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
			vegeta.Connections(clients), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
		done := make(chan struct{})
		go func() {
			select {
			case <-ctx.Done():
				a.Stop()
			case <-done:
			}
		}()
		for res := range a.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: 0}, d, s.name) {
			m.Add(res)
		}
		close(done)
	} else {
		b.floorLoop(ctx, q, clients, d, &m)
	}
	m.Close()
	if ctx.Err() != nil {
		return sample{}, ctx.Err()
	}
	if m.Requests == 0 || m.Success < 1 {
		return sample{}, fmt.Errorf("%s on %s: %d of %d requests failed (%v)", q.Name, s.name,
			m.Requests-uint64(m.Success*float64(m.Requests)+0.5), m.Requests, m.Errors)
	}
	return sample{rps: m.Throughput, p50: m.Latencies.P50, p99: m.Latencies.P99}, nil
}

// floorLoop runs the floor's statement in a closed loop on clients
// goroutines until d has passed, recording each call as a vegeta result.
func (b *Bench) floorLoop(ctx context.Context, q Query, clients int, d time.Duration, m *vegeta.Metrics) {
	results := make(chan *vegeta.Result, 1024)
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) && ctx.Err() == nil {
				start := time.Now()
				_, err := b.run(ctx, q.Cypher, q.Params)
				r := &vegeta.Result{Attack: SideFloor, Timestamp: start, Latency: time.Since(start), Code: 200}
				if err != nil {
					r.Code, r.Error = 0, err.Error()
				}
				results <- r
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		m.Add(r)
	}
}
