package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citygraph/citygraph/playground/browsertest"
	"github.com/citygraph/citygraph/store/embedded"
)

// syncBuffer collects run's log output safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startService runs the whole program on the embedded default, as a
// newcomer's `go run .` does, and waits until /healthz answers.
func startService(t *testing.T, env map[string]string) (base string, stop func() error) {
	t.Helper()
	port := freePort(t)
	env["PORT"] = fmt.Sprint(port)
	if _, ok := env["CITYGRAPH_DATA_DIR"]; !ok {
		env["CITYGRAPH_DATA_DIR"] = t.TempDir()
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, strings.NewReader(""), io.Discard, logs) }()
	base = fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run returned before serving: %v\nlogs:\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("service did not answer /healthz within 30s\nlogs:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(15 * time.Second):
				runErr = fmt.Errorf("run did not return within 15s of cancellation")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func getJSON(t *testing.T, u string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", u, err)
	}
	return resp.StatusCode, v
}

func TestServiceEndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	base, stop := startService(t, map[string]string{"CITYGRAPH_DATA_DIR": dataDir})

	t.Run("ready on the embedded store", func(t *testing.T) {
		code, body := getJSON(t, base+"/readyz")
		if code != http.StatusOK || body["status"] != "ready" {
			t.Errorf("/readyz = %d %v, want 200 ready", code, body)
		}
	})

	const q = `{ forum(slug: "cam-2015") { nameZh organisers { totalCount } } }`
	t.Run("POST answers from the seed loaded on first start", func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"query": q})
		resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				Forum struct {
					NameZh     string
					Organisers struct{ TotalCount int }
				}
			}
			Errors []any
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) > 0 || out.Data.Forum.Organisers.TotalCount != 6 {
			t.Errorf("got %+v, want the 2015 forum with 6 organisers", out)
		}
	})

	t.Run("GET answers a query", func(t *testing.T) {
		code, body := getJSON(t, base+"/graphql?query="+url.QueryEscape(q))
		if code != http.StatusOK || body["data"] == nil {
			t.Errorf("GET /graphql = %d %v", code, body)
		}
	})

	t.Run("playground loads and runs a query with no request leaving localhost", func(t *testing.T) {
		result, hosts := browsertest.RunQuery(t, base+"/")
		if bad := browsertest.NonLoopback(hosts); len(bad) > 0 {
			t.Errorf("the page requested hosts beyond loopback: %v", bad)
		}
		if !strings.Contains(result, `"data"`) || strings.Contains(result, `"errors"`) {
			t.Errorf("result pane = %.300s; want data and no errors", result)
		}
	})

	t.Run("graceful shutdown", func(t *testing.T) {
		if err := stop(); err != nil {
			t.Errorf("run returned %v after cancellation, want nil", err)
		}
	})

	t.Run("data survives a restart without reseeding", func(t *testing.T) {
		base2, stop2 := startService(t, map[string]string{"CITYGRAPH_DATA_DIR": dataDir})
		defer stop2()
		code, body := getJSON(t, base2+"/graphql?query="+url.QueryEscape(`{ sources(first: 1) { totalCount } }`))
		n := body["data"].(map[string]any)["sources"].(map[string]any)["totalCount"].(float64)
		if code != http.StatusOK || n == 0 {
			t.Errorf("after restart: %d sources (status %d), want the seeded ones", int(n), code)
		}
	})
}

func TestRunRejectsUnknownCommand(t *testing.T) {
	env := map[string]string{"CITYGRAPH_DATA_DIR": t.TempDir()}
	err := run(context.Background(), []string{"frobnicate"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("run(frobnicate) = %v, want an error naming the command", err)
	}
}

// The direct seed command, meeting the embedded store's file locked by a
// running service, says to load through the service instead.
func TestSeedOnALockedStoreSaysToUseServer(t *testing.T) {
	dir := t.TempDir()
	held, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	env := map[string]string{"CITYGRAPH_DATA_DIR": dir}
	err = run(context.Background(), []string{"seed", "seed/testdata/example"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "locked") || !strings.Contains(err.Error(), "seed --server") {
		t.Errorf("run(seed) on a locked store = %v, want it to say the file is locked and to use seed --server", err)
	}
}
