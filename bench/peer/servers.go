package peer

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/citygraph/citygraph/internal/childproc"
)

// Process is a server under test, started on a free loopback port.
type Process struct {
	URL  string
	name string
	cmd  *exec.Cmd
	log  *childproc.Output
	done chan error
}

// startTimeout bounds how long a server may take to answer after start.
const startTimeout = 120 * time.Second

// StartCitygraph runs the citygraph binary with env (NEO4J_URI for Neo4j;
// CITYGRAPH_DATA_DIR for the embedded store) on 127.0.0.1 and waits until
// /readyz answers 200.
func StartCitygraph(ctx context.Context, bin string, env map[string]string) (*Process, error) {
	port, err := childproc.FreePort()
	if err != nil {
		return nil, err
	}
	// Every benchmark client comes from 127.0.0.1, so the per-client rate
	// and in-flight bounds would measure the admission limits, not the
	// service: the benchmark turns them off, as an operator behind a
	// trusted proxy would key them per real client.
	env = withDefaults(env, map[string]string{"CITYGRAPH_ACCESS_LOG": "false", "LOG_LEVEL": "warn",
		"CITYGRAPH_RATE_LIMIT": "0", "CITYGRAPH_MAX_IN_FLIGHT_PER_CLIENT": "0"})
	p, err := start(ctx, "citygraph", exec.Command(bin, "-addr", "127.0.0.1:"+strconv.Itoa(port)), env)
	if err != nil {
		return nil, err
	}
	p.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	return p, p.wait(ctx, func() bool {
		resp, err := http.Get(p.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// StartPeer runs the peer (node server.mjs in dir, its node_modules
// installed) on 127.0.0.1 and waits until it answers a query.
func StartPeer(ctx context.Context, dir string, env map[string]string) (*Process, error) {
	port, err := childproc.FreePort()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@neo4j", "graphql")); err != nil {
		return nil, fmt.Errorf("the peer's packages are not installed: run npm ci in %s", dir)
	}
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	env = withDefaults(env, map[string]string{"PEER_PORT": strconv.Itoa(port), "NODE_ENV": "production"})
	p, err := start(ctx, "peer", cmd, env)
	if err != nil {
		return nil, err
	}
	p.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	body := []byte(`{"query":"{ __typename }"}`)
	return p, p.wait(ctx, func() bool {
		resp, err := http.Post(p.URL+"/", "application/json", bytes.NewReader(body))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func withDefaults(env, defaults map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range env {
		out[k] = v
	}
	return out
}

func start(ctx context.Context, name string, cmd *exec.Cmd, env map[string]string) (*Process, error) {
	// Only PATH and HOME pass from the parent: NEO4J_* and the like must
	// come from env, so no side reaches a database by accident.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &Process{name: name, cmd: cmd, log: &childproc.Output{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { p.done <- cmd.Wait() }()
	return p, nil
}

// wait polls ready until it holds, the process exits, or startTimeout passes.
func (p *Process) wait(ctx context.Context, ready func() bool) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if ready() {
			return nil
		}
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, err, p.tail())
		case <-ctx.Done():
			p.Stop()
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	p.Stop()
	return fmt.Errorf("%s was not ready within %s:\n%s", p.name, startTimeout, p.tail())
}

// Stop sends SIGTERM, and SIGKILL if the process is still there after 10 s.
func (p *Process) Stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
	}
}

func (p *Process) tail() string {
	return p.log.Tail(2000)
}
