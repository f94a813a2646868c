// Command noloss is citygraph's bounded no-loss load (bench/noloss): it
// builds and runs the service, sends a fixed number of mixed reads and
// writes from concurrent clients while the store goes away and comes back,
// retries each write with its idempotency key, then checks that every
// acknowledged write is present exactly once and every failed one absent
// or present once. It prints the counts and exits 1 on any violation.
//
//	go run ./cmd/noloss -store embedded -requests 5000   # SIGKILL and restart
//	eval "$(scripts/neo4j env)" && go run ./cmd/noloss -store neo4j -requests 5000   # Neo4j stopped and started
//
// Run it from the repository's root; it talks to 127.0.0.1 only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/citygraph/citygraph/bench/noloss"
)

// errViolations makes the exit status 1 once the report is printed.
var errViolations = errors.New("writes were lost or applied twice (see above)")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "noloss:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("noloss", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := noloss.DefaultConfig
	store := fs.String("store", "embedded", "embedded (the service killed with SIGKILL and restarted) or neo4j (Neo4j stopped and started with scripts/neo4j; NEO4J_* from the environment)")
	outages := fs.Int("outages", 2, "how many outages during the run")
	dataDir := fs.String("data", "", "the embedded store's directory (default: a new temporary one, removed afterwards)")
	root := fs.String("root", ".", "the repository's root: the service is built there and scripts/neo4j found there")
	fs.IntVar(&cfg.Requests, "requests", 2000, "the fixed number of requests, every other one a write")
	fs.IntVar(&cfg.Clients, "clients", cfg.Clients, "clients sending at once")
	fs.IntVar(&cfg.Attempts, "attempts", cfg.Attempts, "tries of one write before it counts as failed")
	fs.DurationVar(&cfg.MaxBackoff, "max-backoff", cfg.MaxBackoff, "the longest pause between two tries of a write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; see -h", fs.Args())
	}

	work, err := os.MkdirTemp("", "noloss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fmt.Fprintln(stderr, "noloss: building the service")
	bin, err := noloss.Build(ctx, *root, work)
	if err != nil {
		return err
	}

	var svc *noloss.Service
	switch *store {
	case "embedded":
		dir := *dataDir
		if dir == "" {
			dir = work
		}
		svc, cfg, err = noloss.StartEmbedded(ctx, cfg, bin, dir, *outages)
	case "neo4j":
		env := map[string]string{}
		for _, k := range []string{"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"} {
			if v := getenv(k); v != "" {
				env[k] = v
			}
		}
		if env["NEO4J_URI"] == "" {
			return fmt.Errorf("-store neo4j needs NEO4J_URI: scripts/neo4j start && eval \"$(scripts/neo4j env)\"")
		}
		script, err := noloss.ManagedNeo4j(ctx, *root, env["NEO4J_URI"])
		if err != nil {
			return fmt.Errorf("-store neo4j stops and starts the server with scripts/neo4j: %w", err)
		}
		restart := noloss.Neo4jRestart{Script: script}
		defer restart.EnsureRunning(context.WithoutCancel(ctx))
		svc, cfg, err = noloss.StartNeo4j(ctx, cfg, bin, env, func(s *noloss.Service) []noloss.Outage {
			restart.Service = s
			var list []noloss.Outage
			for range *outages {
				list = append(list, restart)
			}
			return list
		})
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("-store is %q; use embedded or neo4j", *store)
	}
	if err != nil {
		return err
	}
	defer svc.Stop()

	fmt.Fprintf(stderr, "noloss: %d requests from %d clients, %d outages: %s\n", cfg.Requests, cfg.Clients, len(cfg.Outages), describe(cfg.Outages))
	rep, err := noloss.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if !rep.OK() {
		return errViolations
	}
	return nil
}

func describe(o []noloss.Outage) string {
	if len(o) == 0 {
		return "none"
	}
	return o[0].String()
}
