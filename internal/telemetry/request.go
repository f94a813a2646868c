// Package telemetry is what operators see of the service: Prometheus
// metrics, OpenTelemetry traces and one access-log line per request.
//
// This file is the contract the other layers write to: the HTTP middleware
// puts a *Request in every request's context, and whoever learns something
// about the request (the GraphQL layer its operation name and cost, a limit
// that refuses it) records it there. The middleware reads it once the
// request ends, for the access log and the metrics.
package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
)

// Reason says why a request was refused; it labels the refusal metric and
// appears in the access log.
type Reason string

// The reasons a request can be refused.
const (
	RefusedCost     Reason = "cost"     // the operation's cost is over the limit
	RefusedDepth    Reason = "depth"    // selections nested too deep
	RefusedAliases  Reason = "aliases"  // too many aliases or directives
	RefusedTokens   Reason = "tokens"   // the parser's token limit
	RefusedSize     Reason = "size"     // body, query or response too large
	RefusedRate     Reason = "rate"     // the client's rate limit
	RefusedInFlight Reason = "inflight" // too many requests in flight
	RefusedTimeout  Reason = "timeout"  // the request's deadline passed
	RefusedTrusted  Reason = "trusted"  // not in the trusted-documents manifest
	RefusedAuth     Reason = "auth"     // missing or bad credential
)

// Request is what the layers learn about one request. Its methods are safe
// for concurrent use and do nothing on a nil *Request, so code that runs
// outside the HTTP middleware (tests, the seed command) need not check.
type Request struct {
	mu        sync.Mutex
	operation string
	cost      int
	refusal   Reason
	client    string
	// graphql marks a request that carried a GraphQL operation, so an
	// unnamed one is told from a request to another route (operation ""
	// means either).
	graphql atomic.Bool
}

type requestKey struct{}

// WithRequest returns ctx carrying r.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request's record, or nil outside the middleware.
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// SetOperation records the GraphQL operation's name ("" for anonymous).
func (r *Request) SetOperation(name string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.operation = name
	r.mu.Unlock()
}

// SetCost records the operation's cost as the cost analysis priced it.
func (r *Request) SetCost(cost int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.cost = cost
	r.mu.Unlock()
}

// SetClient records who the request is from: the credential's subject
// where there is one, else the client address.
func (r *Request) SetClient(client string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.client = client
	r.mu.Unlock()
}

// Refuse records why the request was refused; the first reason wins.
func (r *Request) Refuse(why Reason) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.refusal == "" {
		r.refusal = why
	}
	r.mu.Unlock()
}

// Snapshot returns what has been recorded so far.
func (r *Request) Snapshot() (operation string, cost int, refusal Reason, client string) {
	if r == nil {
		return "", 0, "", ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.operation, r.cost, r.refusal, r.client
}
