package noloss

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/citygraph/citygraph/internal/childproc"
)

// Build compiles the citygraph binary of the module at root into dir and
// returns its path, so the run drives the real program, as an operator does.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "citygraph")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %w\n%s", root, err, out)
	}
	return bin, nil
}

// Service is the citygraph binary run on a fixed loopback port, so that a
// restart after a SIGKILL answers at the same address its clients use.
type Service struct {
	// Binary is the citygraph executable; Env its environment besides
	// PATH and HOME (NEO4J_URI for Neo4j, CITYGRAPH_DATA_DIR for embedded).
	Binary string
	Env    map[string]string
	// ReadyTimeout bounds a start, until /readyz answers 200.
	ReadyTimeout time.Duration

	port int
	log  *childproc.Output // every start's output, for the error that needs it

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan error // the running process's exit
}

// URL is where the service answers.
func (s *Service) URL() string { return "http://127.0.0.1:" + strconv.Itoa(s.port) }

// Start runs the binary and returns once /readyz answers 200. The first
// start picks a free port; later ones reuse it.
func (s *Service) Start(ctx context.Context) error {
	if s.port == 0 {
		p, err := childproc.FreePort()
		if err != nil {
			return err
		}
		s.port, s.log = p, &childproc.Output{}
	}
	cmd := exec.Command(s.Binary, "-addr", "127.0.0.1:"+strconv.Itoa(s.port))
	// Only PATH and HOME pass from the parent: NEO4J_* must come from Env,
	// so the embedded run never reaches a database by accident.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.Binary, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	return s.WaitReady(ctx)
}

// WaitReady polls /readyz until it answers 200, the process exits, or
// ReadyTimeout passes: a condition with a generous bound, never a fixed wait.
func (s *Service) WaitReady(ctx context.Context) error {
	limit := s.ReadyTimeout
	if limit <= 0 {
		limit = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		if resp, err := client.Get(s.URL() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			done <- err
			return fmt.Errorf("the service exited before it was ready (%v):\n%s", err, s.Tail())
		case <-ctx.Done():
			return fmt.Errorf("the service was not ready within %s (%w):\n%s", limit, ctx.Err(), s.Tail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Kill sends SIGKILL, as a crash or an OOM killer would, and waits until
// the process is gone: nothing of it runs on, no deferred close, no flush.
func (s *Service) Kill() error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("the service is not running")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("SIGKILL: %w", err)
	}
	err := <-done
	done <- err
	return nil
}

// Stop ends the service gracefully (SIGTERM), killing it if it is still
// there after 15 s; for cleanup.
func (s *Service) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		done <- err
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
	}
}

// Tail is the end of the service's output over all its starts.
func (s *Service) Tail() string {
	if s.log == nil {
		return ""
	}
	return s.log.Tail(3000)
}
