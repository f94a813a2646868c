// Package auth says who sent a request and what they may do: API keys and
// JWT bearer tokens are checked here, and the roles reader, editor and
// admin decide which operations a request may run.
package auth

import "context"

// Role is what a credential may do; each role may do what the ones below
// it may.
type Role int

const (
	// Anonymous is a request without a credential.
	Anonymous Role = iota
	// Reader may read (when the operator requires a credential to read).
	Reader
	// Editor may also create, update and end nodes and relations.
	Editor
	// Admin may also delete and import.
	Admin
)

// Principal is the sender of a request.
type Principal struct {
	// Subject names the credential's holder (the JWT's sub, the API key's
	// name); the change log records it as the author.
	Subject string
	Role    Role
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal: Anonymous when none was
// authenticated.
func FromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
