package neo4jstore

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

func TestTranslate(t *testing.T) {
	live := context.Background()
	ended := func(cause error) context.Context {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		return ctx
	}
	pastDeadline := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
		t.Cleanup(cancel)
		return ctx
	}
	queryLimit := &budget{d: 30 * time.Second, setting: "query timeout NEO4J_QUERY_TIMEOUT"}
	connectLimit := &budget{d: 5 * time.Second, setting: "connect timeout NEO4J_CONNECT_TIMEOUT", connect: true}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	lost := &neo4j.ConnectivityError{Inner: io.EOF}
	retriedRefused := &neo4j.TransactionExecutionLimit{Cause: "context deadline exceeded", Errors: []error{lost, lost}}
	deadlocks := &neo4j.TransactionExecutionLimit{Cause: "timeout (exceeded max retry time: 3s)",
		Errors: []error{&neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}}}

	for _, tc := range []struct {
		name     string
		ctx      context.Context
		err      error
		want     domain.Code
		away     bool   // turns the gate down
		phrasing string // part of the message
	}{
		{"the gate went down during the call", ended(errStoreDown), context.Canceled, domain.EUNAVAILABLE, false, "went away"},
		{"a connectivity check ran out of its connect timeout", ended(connectLimit), context.DeadlineExceeded, domain.EUNAVAILABLE, true, "NEO4J_CONNECT_TIMEOUT"},
		{"the query timeout ran out", ended(queryLimit), context.DeadlineExceeded, domain.ETIMEOUT, false, "NEO4J_QUERY_TIMEOUT"},
		{"the request's deadline passed", pastDeadline(), context.DeadlineExceeded, domain.ETIMEOUT, false, "request's deadline"},
		{"the request's deadline passed inside a read", pastDeadline(), &neo4j.ConnectivityError{Inner: context.DeadlineExceeded}, domain.ETIMEOUT, false, "request's deadline"},
		{"the request was cancelled", ended(context.Canceled), context.Canceled, domain.ETIMEOUT, false, "cancelled"},
		{"the deadline passed while retrying lost connections", ended(queryLimit), retriedRefused, domain.EUNAVAILABLE, true, "cannot be reached"},
		{"the server stopped the transaction at its timeout", live, &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"}, domain.ETIMEOUT, false, "ran out of its time"},
		{"a lost connection", live, lost, domain.EUNAVAILABLE, true, "cannot be reached"},
		{"a refused connection", live, refused, domain.EUNAVAILABLE, true, "cannot be reached"},
		{"retries of a refused connection ran out", live, &neo4j.TransactionExecutionLimit{Cause: "timeout (exceeded max retry time: 3s)", Errors: []error{lost}}, domain.EUNAVAILABLE, true, "cannot be reached"},
		{"the database is unavailable", live, &neo4j.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, domain.EUNAVAILABLE, true, "cannot be reached"},
		{"refused credentials", live, &neo4j.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized"}, domain.EUNAVAILABLE, true, "NEO4J_PASSWORD"},
		{"retries of deadlocks ran out", live, deadlocks, domain.EUNAVAILABLE, false, "busy"},
		{"a domain error passes through", live, domain.Errorf(domain.EINVALID, "bad batch"), domain.EINVALID, false, "bad batch"},
		{"anything else is internal", live, &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}, domain.EINTERNAL, false, "reading nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := translate(tc.ctx, tc.err, "reading nodes")
			if got := domain.ErrorCode(err); got != tc.want {
				t.Fatalf("code = %s (%v), want %s", got, err, tc.want)
			}
			var away *serverAway
			if got := errors.As(err, &away); got != tc.away {
				t.Errorf("turns the gate down = %v, want %v", got, tc.away)
			}
			if !strings.Contains(err.Error(), tc.phrasing) {
				t.Errorf("message %q does not say %q", err, tc.phrasing)
			}
			if tc.want != domain.EINTERNAL && strings.Contains(domain.ErrorMessage(err), "EOF") {
				t.Errorf("message %q shows the driver's text", domain.ErrorMessage(err))
			}
		})
	}
	if translate(live, nil, "reading nodes") != nil {
		t.Error("translate(nil) is not nil")
	}
}
