package noloss_test

import (
	"context"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/citygraph/citygraph/bench/noloss"
	"github.com/citygraph/citygraph/internal/faultproxy"
)

// root is the module's directory, from this package's.
const root = "../.."

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// citygraph builds the service's binary once for the package's tests.
func citygraph(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "noloss-bin-"); built.err == nil {
			built.bin, built.err = noloss.Build(context.Background(), root, built.dir)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// checkRun runs cfg and holds the report to the promise, and to a
// run in which the outages reached the clients and the service served.
func checkRun(t *testing.T, cfg noloss.Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // a bound for a hung run, not a measure
	defer cancel()
	rep, err := noloss.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(printed(rep))
	if !rep.OK() {
		t.Errorf("%d violations of nothing lost (see the report above)", len(rep.Violations))
	}
	if want := cfg.Requests / 2; rep.Writes != want || rep.Reads != cfg.Requests-want {
		t.Errorf("sent %d writes and %d reads, want %d and %d", rep.Writes, rep.Reads, want, cfg.Requests-want)
	}
	if rep.Acknowledged == 0 || rep.Retried == 0 {
		t.Errorf("acknowledged %d and retried %d writes, want some of each: the outages reached the clients and the service came back",
			rep.Acknowledged, rep.Retried)
	}
	if rep.Acknowledged+rep.Failed+rep.Rejected != rep.Writes {
		t.Errorf("acknowledged %d + failed %d + rejected %d != %d writes", rep.Acknowledged, rep.Failed, rep.Rejected, rep.Writes)
	}
}

// TestNothingLostEmbeddedKilled: the service on the embedded store, killed
// with SIGKILL and restarted on the same data file twice during the run.
func TestNothingLostEmbeddedKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the service binary")
	}
	bin := citygraph(t)
	svc, cfg, err := noloss.StartEmbedded(context.Background(), noloss.DefaultConfig, bin, t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	checkRun(t, cfg)
}

// TestNothingLostNeo4jStopped: the service over Neo4j, which is stopped and
// started twice during the run. scripts/test runs a Neo4j of scripts/neo4j,
// so the stop is real; over a server it does not manage, the test cuts the
// Bolt connections with the fault proxy instead.
func TestNothingLostNeo4jStopped(t *testing.T) {
	env := map[string]string{}
	for _, k := range []string{"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	if env["NEO4J_URI"] == "" {
		msg := "Neo4j tests skipped: start a server with scripts/neo4j start and set NEO4J_URI (eval \"$(scripts/neo4j env)\"), or run scripts/test"
		if os.Getenv("CITYGRAPH_REQUIRE_NEO4J") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bin := citygraph(t)
	ctx := context.Background()
	script, unmanaged := noloss.ManagedNeo4j(ctx, root, env["NEO4J_URI"])
	var outages func(*noloss.Service) []noloss.Outage
	if unmanaged == nil {
		// Whatever happens to the run, the suite's Neo4j is left running.
		t.Cleanup(func() {
			if err := (noloss.Neo4jRestart{Script: script}).EnsureRunning(context.Background()); err != nil {
				t.Errorf("restarting Neo4j after the run: %v", err)
			}
		})
		outages = func(svc *noloss.Service) []noloss.Outage {
			o := noloss.Neo4jRestart{Script: script, Service: svc}
			return []noloss.Outage{o, o}
		}
	} else {
		t.Logf("cutting Bolt with the fault proxy instead of stopping Neo4j: %v", unmanaged)
		u, err := url.Parse(env["NEO4J_URI"])
		if err != nil {
			t.Fatal(err)
		}
		proxy := faultproxy.Start(t, u.Host, faultproxy.Up)
		env["NEO4J_URI"] = proxy.URI(env["NEO4J_URI"])
		outages = func(svc *noloss.Service) []noloss.Outage {
			o := boltCut{proxy: proxy, svc: svc}
			return []noloss.Outage{o, o}
		}
	}
	svc, cfg, err := noloss.StartNeo4j(ctx, noloss.DefaultConfig, bin, env, outages)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	checkRun(t, cfg)
}

// boltCut is an outage of the fault proxy: Bolt connections refused.
type boltCut struct {
	proxy *faultproxy.Proxy
	svc   *noloss.Service
}

func (b boltCut) Begin(context.Context) error { b.proxy.Set(faultproxy.Down); return nil }
func (b boltCut) End(ctx context.Context) error {
	b.proxy.Set(faultproxy.Up)
	return b.svc.WaitReady(ctx)
}
func (boltCut) String() string { return "Bolt cut by the fault proxy" }
