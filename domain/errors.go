package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error so that each layer can react to it without parsing
// messages: the GraphQL layer puts it in extensions.code, the HTTP layer maps
// it to a status.
type Code string

const (
	// EINVALID: the caller sent something malformed or out of range.
	EINVALID Code = "INVALID_ARGUMENT"
	// ENOTFOUND: a referenced thing does not exist.
	ENOTFOUND Code = "NOT_FOUND"
	// ECONFLICT: the write contradicts what is stored.
	ECONFLICT Code = "CONFLICT"
	// EUNAVAILABLE: a backend (Neo4j) cannot be reached; retrying later may work.
	EUNAVAILABLE Code = "UNAVAILABLE"
	// ETIMEOUT: the request's deadline passed before its work was done; the
	// work has been stopped. Ask for less (smaller pages, fewer hops).
	ETIMEOUT Code = "TIMEOUT"
	// ELIMIT: the request is over a limit the server sets (its cost, depth,
	// aliases, tokens, size); the message names the limit and the value.
	ELIMIT Code = "LIMIT_EXCEEDED"
	// ERATELIMIT: the client sent more requests than its rate allows; retry
	// after the time the response's Retry-After header gives.
	ERATELIMIT Code = "RATE_LIMITED"
	// EUNAUTHENTICATED: the request needs a credential, or the one it sent
	// (an API key or a JWT) does not check out; the message says which.
	EUNAUTHENTICATED Code = "UNAUTHENTICATED"
	// EFORBIDDEN: the credential is valid but its role may not do this.
	EFORBIDDEN Code = "FORBIDDEN"
	// EINTERNAL: a bug or an unexpected backend failure; details are logged, not shown.
	EINTERNAL Code = "INTERNAL"
)

// Error is the one error type of citygraph. Message is for humans and says
// what went wrong and what to do; Code is for programs.
type Error struct {
	Code    Code
	Message string
	// Problems lists every individual problem when one error reports many
	// (a seed file with several bad rows).
	Problems []Problem
	// Err is the underlying cause, kept for logs; never shown to clients for
	// EINTERNAL.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Code == EINTERNAL {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Problem is one precise complaint about input: where it is, which field,
// what was found and what was expected.
type Problem struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
	Found    string `json:"found,omitempty"`
	Expected string `json:"expected,omitempty"`
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, p.Line)
	}
	s := loc
	if p.Field != "" {
		if s != "" {
			s += ": "
		}
		s += p.Field
	}
	if s != "" {
		s += ": "
	}
	return fmt.Sprintf("%sfound %s, expected %s", s, p.Found, p.Expected)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure; msg says what was being attempted.
func Internal(err error, msg string) *Error {
	return &Error{Code: EINTERNAL, Message: msg, Err: err}
}

// Unavailable wraps a backend connectivity failure.
func Unavailable(err error, msg string) *Error {
	return &Error{Code: EUNAVAILABLE, Message: msg, Err: err}
}

// Timeout reports that the request's deadline passed while doing what msg
// says; err is the context's error, kept for logs.
func Timeout(err error, msg string) *Error {
	return &Error{Code: ETIMEOUT, Message: msg, Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for foreign errors and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err; foreign and internal errors
// get a generic text so that internals never leak to clients.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error; it has been logged"
}
