package peer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
)

// Statement is one Cypher statement a client sent, with its parameters.
type Statement struct {
	Query  string
	Params map[string]any
}

// BoltRecorder is a Bolt proxy on 127.0.0.1 that forwards every byte to
// Neo4j and records each RUN message it sees from a client: how a server
// under test (citygraph, the peer) talks to Neo4j, without changing either.
// It is used only to count statements and PROFILE them, never while timing.
type BoltRecorder struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	stmts []Statement
	err   error
}

// NewBoltRecorder listens on a free loopback port and forwards to target
// (host:port of Neo4j's Bolt).
func NewBoltRecorder(target string) (*BoltRecorder, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &BoltRecorder{ln: ln, target: target}
	go r.serve()
	return r, nil
}

// URI is the bolt:// address clients should use.
func (r *BoltRecorder) URI() string { return "bolt://" + r.ln.Addr().String() }

// Close stops listening; open connections end when their clients go.
func (r *BoltRecorder) Close() error { return r.ln.Close() }

// Take returns the statements recorded since the last Take, and the first
// decoding error if there was one.
func (r *BoltRecorder) Take() ([]Statement, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.stmts, r.err
	r.stmts, r.err = nil, nil
	return s, err
}

func (r *BoltRecorder) record(s Statement, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.err == nil {
			r.err = err
		}
		return
	}
	r.stmts = append(r.stmts, s)
}

func (r *BoltRecorder) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		go r.proxy(c)
	}
}

func (r *BoltRecorder) proxy(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", r.target)
	if err != nil {
		r.record(Statement{}, fmt.Errorf("dialling Neo4j at %s: %w", r.target, err))
		return
	}
	defer server.Close()
	go func() {
		io.Copy(client, server)
		client.Close()
	}()
	in := bufio.NewReader(client)
	// The handshake: magic and four version proposals. The manifest
	// marker (Bolt 5.7+ drivers) is replaced by an empty proposal, so the
	// server answers with a plain version and the stream that follows is
	// nothing but chunked messages.
	hs := make([]byte, 20)
	if _, err := io.ReadFull(in, hs); err != nil {
		return
	}
	for i := 4; i < 20; i += 4 {
		if hs[i+3] == 0xFF && hs[i+2] == 0x01 {
			copy(hs[i:i+4], []byte{0, 0, 0, 0})
		}
	}
	if _, err := server.Write(hs); err != nil {
		return
	}
	var msg []byte
	head := make([]byte, 2)
	for {
		if _, err := io.ReadFull(in, head); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(head))
		chunk := make([]byte, 2+n)
		copy(chunk, head)
		if _, err := io.ReadFull(in, chunk[2:]); err != nil {
			return
		}
		if _, err := server.Write(chunk); err != nil {
			return
		}
		if n > 0 {
			msg = append(msg, chunk[2:]...)
			continue
		}
		if len(msg) >= 2 && msg[0]&0xF0 == 0xB0 && msg[1] == 0x10 { // RUN
			r.record(decodeRun(msg[2:]))
		}
		msg = msg[:0]
	}
}

// decodeRun reads a RUN message's fields: the query and its parameters.
func decodeRun(b []byte) (Statement, error) {
	d := &unpacker{b: b}
	q, err := d.value()
	if err != nil {
		return Statement{}, err
	}
	p, err := d.value()
	if err != nil {
		return Statement{}, err
	}
	qs, ok := q.(string)
	pm, ok2 := p.(map[string]any)
	if !ok || !ok2 {
		return Statement{}, fmt.Errorf("a RUN message with a %T query and %T parameters", q, p)
	}
	return Statement{Query: qs, Params: pm}, nil
}

// unpacker decodes PackStream values: what statement parameters hold
// (null, booleans, integers, floats, strings, bytes, lists, maps); a
// structure (a temporal or spatial value) is an error.
type unpacker struct {
	b []byte
	i int
}

var errShort = errors.New("a truncated PackStream value")

func (d *unpacker) take(n int) ([]byte, error) {
	if n < 0 || d.i+n > len(d.b) {
		return nil, errShort
	}
	s := d.b[d.i : d.i+n]
	d.i += n
	return s, nil
}

func (d *unpacker) size(marker byte) (int, error) {
	var w int
	switch marker & 0x03 {
	case 0:
		w = 1
	case 1:
		w = 2
	default:
		w = 4
	}
	s, err := d.take(w)
	if err != nil {
		return 0, err
	}
	switch w {
	case 1:
		return int(s[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(s)), nil
	}
	return int(binary.BigEndian.Uint32(s)), nil
}

func (d *unpacker) value() (any, error) {
	m, err := d.take(1)
	if err != nil {
		return nil, err
	}
	c := m[0]
	switch {
	case c <= 0x7F:
		return int64(c), nil
	case c >= 0xF0:
		return int64(int8(c)), nil
	case c >= 0x80 && c <= 0x8F:
		return d.str(int(c & 0x0F))
	case c >= 0x90 && c <= 0x9F:
		return d.list(int(c & 0x0F))
	case c >= 0xA0 && c <= 0xAF:
		return d.dict(int(c & 0x0F))
	case c >= 0xB0 && c <= 0xBF:
		return nil, fmt.Errorf("a PackStream structure in a parameter")
	}
	switch c {
	case 0xC0:
		return nil, nil
	case 0xC2:
		return false, nil
	case 0xC3:
		return true, nil
	case 0xC1:
		s, err := d.take(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(s)), nil
	case 0xC8, 0xC9, 0xCA, 0xCB:
		w := 1 << (c - 0xC8)
		s, err := d.take(w)
		if err != nil {
			return nil, err
		}
		switch w {
		case 1:
			return int64(int8(s[0])), nil
		case 2:
			return int64(int16(binary.BigEndian.Uint16(s))), nil
		case 4:
			return int64(int32(binary.BigEndian.Uint32(s))), nil
		}
		return int64(binary.BigEndian.Uint64(s)), nil
	case 0xCC, 0xCD, 0xCE:
		n, err := d.size(c)
		if err != nil {
			return nil, err
		}
		s, err := d.take(n)
		return append([]byte(nil), s...), err
	case 0xD0, 0xD1, 0xD2:
		n, err := d.size(c)
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case 0xD4, 0xD5, 0xD6:
		n, err := d.size(c)
		if err != nil {
			return nil, err
		}
		return d.list(n)
	case 0xD8, 0xD9, 0xDA:
		n, err := d.size(c)
		if err != nil {
			return nil, err
		}
		return d.dict(n)
	}
	return nil, fmt.Errorf("an unknown PackStream marker %#x", c)
}

func (d *unpacker) str(n int) (any, error) {
	s, err := d.take(n)
	return string(s), err
}

func (d *unpacker) list(n int) (any, error) {
	out := make([]any, 0, n)
	for range n {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *unpacker) dict(n int) (any, error) {
	out := make(map[string]any, n)
	for range n {
		k, err := d.value()
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("a PackStream map key of type %T", k)
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out[ks] = v
	}
	return out, nil
}
