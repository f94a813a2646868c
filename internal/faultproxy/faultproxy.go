// Package faultproxy is a loopback TCP proxy for tests that cut and restore
// a connection to a real server: switching its mode is a real outage for a
// client (sockets closed, connections refused or unanswered) without
// stopping the server that other tests share.
package faultproxy

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Mode is what a Proxy does with connections.
type Mode int

const (
	// Up forwards every connection to the server.
	Up Mode = iota
	// Down closes live connections and drops new ones at once, as a
	// stopped server's host does.
	Down
	// Silent closes live connections and accepts new ones but never
	// answers, as a server behind a dead network path does: only timeouts
	// end a call.
	Silent
	// Stalled keeps every connection open and passes what clients send,
	// but holds what the server answers, and a client closing its side is
	// not passed on: the server keeps working for a client that has gone,
	// as behind a network path that fails one way. Only the server's own
	// timeouts end its work.
	Stalled
)

// Proxy is a loopback TCP proxy in front of a server's port (Neo4j's
// Bolt port in citygraph's tests). Switching its mode is a real outage for the driver (sockets
// closed, connections refused or unanswered) without stopping the shared
// server, so the store's recovery is tested in seconds.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	changed *sync.Cond // broadcast on every Set
	mode    Mode
	conns   map[net.Conn]bool

	accepted atomic.Uint64
}

// Start listens on a loopback port in front of target, in the given mode,
// until the test ends.
func Start(t testing.TB, target string, mode Mode) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, mode: mode, conns: map[net.Conn]bool{}}
	p.changed = sync.NewCond(&p.mu)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.Set(Down)
	})
	return p
}

// URI is the server's URI rewritten to go through the proxy. A routing
// scheme (neo4j://) becomes direct (bolt://): routing would hand the
// driver the server's own address and bypass the proxy.
func (p *Proxy) URI(serverURI string) string {
	u, err := url.Parse(serverURI)
	if err != nil {
		return serverURI
	}
	u.Scheme = strings.Replace(u.Scheme, "neo4j", "bolt", 1)
	u.Host = p.ln.Addr().String()
	return u.String()
}

// Set switches the mode; Down and Silent close every live connection.
func (p *Proxy) Set(m Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	if m == Down || m == Silent {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
	p.changed.Broadcast()
}

// Accepted counts the connections clients have opened to the proxy in any
// mode, so a test can tell whether a call reached for the server.
func (p *Proxy) Accepted() uint64 { return p.accepted.Load() }

// track registers c unless the proxy has meanwhile left the modes in
// which c is kept (Up or Stalled for a forwarded connection, Silent for a
// held one).
func (p *Proxy) track(c net.Conn, keep ...Mode) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range keep {
		if p.mode == m {
			p.conns[c] = true
			return true
		}
	}
	c.Close()
	return false
}

// flowing waits while the proxy is Stalled and reports whether data may
// pass (false once it is Down or Silent, which closed the connection).
func (p *Proxy) flowing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.mode == Stalled {
		p.changed.Wait()
	}
	return p.mode == Up
}

func (p *Proxy) stalled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode == Stalled
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed by cleanup
		}
		p.accepted.Add(1)
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		switch mode {
		case Down:
			c.Close()
		case Silent:
			p.track(c, Silent) // held open, never read
		case Up, Stalled:
			go p.forward(c)
		}
	}
}

func (p *Proxy) forward(c net.Conn) {
	if !p.track(c, Up, Stalled) {
		return
	}
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(s, Up, Stalled) {
		c.Close()
		return
	}
	// Either side ending ends both, as a dropped TCP path would, except
	// that a stalled path does not tell the server that the client left.
	go func() {
		io.Copy(s, c)
		c.Close()
		if !p.stalled() {
			s.Close()
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 && (!p.flowing() || !write(c, buf[:n])) {
			break
		}
		if err != nil {
			break
		}
	}
	c.Close()
	s.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

func write(c net.Conn, b []byte) bool {
	_, err := c.Write(b)
	return err == nil
}
