package noloss

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// An Outage takes away what the service needs and brings it back. Begin
// returns once it is away; End returns once the service answers /readyz
// again.
type Outage interface {
	Begin(ctx context.Context) error
	End(ctx context.Context) error
	// String says what the outage is, for the report.
	String() string
}

// KillRestart kills the service with SIGKILL and restarts it on the same
// data (the embedded store's file, or the same Neo4j).
type KillRestart struct{ Service *Service }

func (k KillRestart) Begin(context.Context) error   { return k.Service.Kill() }
func (k KillRestart) End(ctx context.Context) error { return k.Service.Start(ctx) }
func (KillRestart) String() string                  { return "the service killed with SIGKILL and restarted" }

// Neo4jRestart stops the Neo4j server that scripts/neo4j runs and starts
// it again, a real stop (the server process ends), while the service runs.
type Neo4jRestart struct {
	// Script is scripts/neo4j; it reads NEO4J_BOLT_PORT and
	// CITYGRAPH_NEO4J_DATA from this process's environment.
	Script  string
	Service *Service
}

func (n Neo4jRestart) Begin(ctx context.Context) error { return n.script(ctx, "stop") }

func (n Neo4jRestart) End(ctx context.Context) error {
	if err := n.script(ctx, "start"); err != nil {
		return err
	}
	return n.Service.WaitReady(ctx)
}

func (Neo4jRestart) String() string { return "Neo4j stopped and started (scripts/neo4j)" }

// EnsureRunning starts the server if it is not running: after a run cut
// short, Neo4j is left as it was found.
func (n Neo4jRestart) EnsureRunning(ctx context.Context) error {
	if exec.CommandContext(ctx, n.Script, "status").Run() == nil {
		return nil
	}
	return n.script(ctx, "start")
}

func (n Neo4jRestart) script(ctx context.Context, verb string) error {
	out, err := exec.CommandContext(ctx, n.Script, verb).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", n.Script, verb, err, out)
	}
	return nil
}

// ManagedNeo4j reports whether the Neo4j at uri is the one scripts/neo4j
// (under root) runs with this process's environment, and so one this tool
// may stop and start; if not, it says why.
func ManagedNeo4j(ctx context.Context, root, uri string) (script string, err error) {
	script = filepath.Join(root, "scripts", "neo4j")
	if err := exec.CommandContext(ctx, script, "status").Run(); err != nil {
		return "", fmt.Errorf("scripts/neo4j status: no server of scripts/neo4j runs with NEO4J_BOLT_PORT=%q CITYGRAPH_NEO4J_DATA=%q (%v)",
			os.Getenv("NEO4J_BOLT_PORT"), os.Getenv("CITYGRAPH_NEO4J_DATA"), err)
	}
	out, err := exec.CommandContext(ctx, script, "env").Output()
	if err != nil {
		return "", fmt.Errorf("scripts/neo4j env: %w", err)
	}
	if !strings.Contains(string(out), "NEO4J_URI="+uri) && !strings.Contains(string(out), "NEO4J_URI='"+uri+"'") {
		return "", fmt.Errorf("NEO4J_URI=%s is not the server scripts/neo4j runs (it says: %s); set NEO4J_BOLT_PORT and CITYGRAPH_NEO4J_DATA to that server's",
			uri, strings.TrimSpace(string(out)))
	}
	return script, nil
}
