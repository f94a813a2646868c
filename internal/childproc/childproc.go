// Package childproc holds what the project's tools need to run a server as
// a child process on loopback: a free port to give it, and a log of its
// output that can be read while the process writes.
package childproc

import (
	"bytes"
	"net"
	"sync"
)

// Output collects a process's output, written by exec's copying
// goroutines while Tail may read it.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// Tail returns the last n bytes of the output (all of it if shorter).
func (o *Output) Tail(n int) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.b.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
