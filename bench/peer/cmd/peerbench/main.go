// Command peerbench loads the peer benchmark's graph into Neo4j, checks
// that every side answers each query alike, and times the sides in
// interleaved rounds; bench/peer/run drives it. See docs/benchmarks.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/citygraph/citygraph/bench/peer"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("peerbench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	load := fl.Int("load", -1, "wipe the Neo4j at NEO4J_URI, load this many synthetic cities and the seed data, and exit")
	bin := fl.String("citygraph", "", "path of the citygraph binary to run")
	peerDir := fl.String("peer-dir", "bench/peer/peer", "the peer's folder, with its node_modules installed (npm ci)")
	embeddedCities := fl.Int("embedded-cities", -1, "also run citygraph on the embedded store with this many synthetic cities and the seed data; negative: leave it out")
	rounds := fl.Int("rounds", 3, "rounds per query; the sides take turns within a round")
	dur := fl.Duration("duration", 2*time.Second, "length of one side's run in a round, at each concurrency")
	clients := fl.Int("clients", 16, "concurrent clients of the throughput runs")
	only := fl.String("query", "", "run only this query (by name)")
	checkOnly := fl.Bool("check", false, "only check that the sides answer alike")
	dump := fl.Bool("dump", false, "with -check, print each query's canonical answer")
	a := peer.BenchAnchors
	fl.StringVar(&a.City, "city", a.City, "slug of the city the partner queries start from")
	fl.StringVar(&a.Forum, "forum", a.Forum, "slug of the forum the forum query asks for")
	fl.StringVar(&a.Country, "country", a.Country, "ISO code of the country the country queries start from")
	fl.StringVar(&a.FundingBody, "funding-body", a.FundingBody, "slug of the funding body the funding queries ask for")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *rounds < 1 || *dur <= 0 || *dur > time.Minute || *clients < 1 || *clients > 256 {
		return fmt.Errorf("-rounds %d -duration %s -clients %d: give at least one round, a duration up to 1m and 1 to 256 clients", *rounds, *dur, *clients)
	}
	var qs []peer.Query
	for _, q := range peer.Queries(a) {
		if *only == "" || q.Name == *only {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return fmt.Errorf("no query is named %q", *only)
	}
	cfg, ok := neo4jstore.ConfigFromEnv(getenv)
	if !ok {
		return fmt.Errorf("NEO4J_URI is unset: point it at the benchmark's Neo4j")
	}
	if *load >= 0 {
		return loadNeo4j(ctx, cfg, *load, stderr)
	}
	if *bin == "" {
		return fmt.Errorf("-citygraph is required: build it with go build -o /tmp/citygraph .")
	}
	fmt.Fprintln(stderr, "peerbench: starting citygraph and the peer on 127.0.0.1")
	run, err := peer.Setup(ctx, peer.SetupOptions{Citygraph: *bin, PeerDir: *peerDir, Neo4j: cfg,
		EmbeddedCities: *embeddedCities, Accounting: !*checkOnly})
	if err != nil {
		return err
	}
	defer run.Stop()
	b, err := peer.NewBench(ctx, cfg, run.Sides)
	if err != nil {
		return err
	}
	defer b.Close()
	var dumpTo io.Writer
	if *dump {
		dumpTo = stdout
	}
	if err := b.CheckAll(ctx, qs, stderr, dumpTo); err != nil {
		return err
	}
	if *checkOnly {
		return nil
	}
	rows, err := b.Run(ctx, qs, peer.RunOptions{Rounds: *rounds, Duration: *dur, Clients: *clients, Progress: stderr})
	if err != nil {
		return err
	}
	costs := map[string]map[string]peer.Cost{}
	for _, q := range qs {
		c, err := b.Account(ctx, run.Accounting, q)
		if err != nil {
			return err
		}
		costs[q.Name] = c
	}
	for i, r := range rows {
		if c, ok := costs[r.Query][r.Side]; ok {
			rows[i].Statements, rows[i].DBHits = c.Statements, c.DBHits
		}
	}
	peer.WriteTable(stdout, rows, *clients)
	return nil
}

func loadNeo4j(ctx context.Context, cfg neo4jstore.Config, cities int, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := neo4jstore.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Wipe(ctx); err != nil {
		return fmt.Errorf("wiping %s: %w", cfg.URI, err)
	}
	start := time.Now()
	if err := peer.Load(ctx, st, cities); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "peerbench: loaded %d synthetic cities and the seed data in %s\n", cities, time.Since(start).Round(time.Second))
	return nil
}
