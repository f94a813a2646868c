package graph

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// responseFrame is a request's slot for the plan writer's response: the
// writer writes {"data":…} whole into a pooled buffer, and the transport
// sends it with one Write, without copying the data into a second buffer.
// The transport makes one per request and releases it once the response
// is written; without one (the feed's websocket), the writer allocates.
type responseFrame struct {
	buf *bytes.Buffer
}

type responseFrameKey struct{}

// dataPrefix and dataSuffix frame the writer's data as a whole response.
const (
	dataPrefix = `{"data":`
	dataSuffix = `}`
)

func withResponseFrame(ctx context.Context) (context.Context, *responseFrame) {
	f := &responseFrame{}
	return context.WithValue(ctx, responseFrameKey{}, f), f
}

// responseBuffer returns the buffer the writer writes into: the request's
// pooled one, or a new one when the request has no frame.
func responseBuffer(ctx context.Context) *bytes.Buffer {
	f, _ := ctx.Value(responseFrameKey{}).(*responseFrame)
	if f == nil {
		return newResponseBuffer()
	}
	if f.buf == nil {
		if b, ok := responseBuffers.Get().(*bytes.Buffer); ok {
			f.buf = b
		} else {
			f.buf = newResponseBuffer()
		}
	}
	f.buf.Reset()
	return f.buf
}

// framed returns the whole response, ready to send, when resp is exactly
// the writer's data with nothing added (no errors, no extensions) and
// encodeResponse would send it unchanged.
func (f *responseFrame) framed(resp *graphql.Response) ([]byte, bool) {
	if f.buf == nil || len(resp.Errors) > 0 || len(resp.Extensions) > 0 || len(resp.Data) == 0 {
		return nil, false
	}
	b := f.buf.Bytes()
	if len(b) != len(dataPrefix)+len(resp.Data)+len(dataSuffix) || &b[len(dataPrefix)] != &resp.Data[0] || !asMarshalled(resp.Data) {
		return nil, false
	}
	return b, true
}

// release returns the buffer to the pool once nothing reads it: after the
// response is written. A buffer grown past maxPooledResponse is dropped,
// so that one large answer does not stay in memory.
func (f *responseFrame) release() {
	if f.buf == nil {
		return
	}
	lastResponseSize.Store(int64(f.buf.Len()))
	if f.buf.Cap() <= maxPooledResponse {
		responseBuffers.Put(f.buf)
	}
	f.buf = nil
}

// responseBuffers holds the writer's buffers between requests.
var responseBuffers sync.Pool

// lastResponseSize is the size of the last framed response: a new buffer
// starts with room for about that much, so it rarely grows step by step.
var lastResponseSize atomic.Int64

const (
	minResponseBuffer = 4 << 10
	maxPooledResponse = 1 << 20
)

func newResponseBuffer() *bytes.Buffer {
	n := int(lastResponseSize.Load())
	n += n / 4
	n = max(min(n, maxPooledResponse), minResponseBuffer)
	return bytes.NewBuffer(make([]byte, 0, n))
}
