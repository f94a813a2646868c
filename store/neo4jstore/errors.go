package neo4jstore

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// translate is the one place where driver errors become domain errors.
// ctx is the context the failed work ran under; its cause says why it
// ended, which the driver's error alone does not:
//
//   - the gate went down meanwhile, or a connectivity check ran out of
//     its connect timeout: EUNAVAILABLE;
//   - the request's deadline, or the store's own time limit, passed:
//     ETIMEOUT (the server was told the same deadline and has stopped
//     too), unless the driver was retrying a connection failure when it
//     ran out: then the server is away, EUNAVAILABLE;
//   - the server stopped a transaction at its timeout: ETIMEOUT;
//   - connectivity failures and refused credentials: EUNAVAILABLE
//     (retrying later may work);
//   - domain errors raised inside transaction functions pass through;
//     everything else is EINTERNAL.
func translate(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return de
	}
	// The driver's text (addresses, "EOF") goes to the logs through Err,
	// never to clients.
	cause := context.Cause(ctx)
	var limit *budget
	errors.As(cause, &limit)
	switch {
	case errors.Is(cause, errStoreDown):
		return domain.Unavailable(err, "the graph database went away while "+what+
			"; the service keeps checking and serves again as soon as it answers")
	case limit != nil && limit.connect:
		return domain.Unavailable(&serverAway{err}, "the graph database did not answer within the "+limit.setting+
			" ("+limit.d.String()+") while "+what+"; the service keeps checking and serves again as soon as it answers")
	case cause != nil && retriedConnectivity(err):
		return unreachable(err, what)
	case limit != nil:
		return domain.Timeout(err, what+" took longer than the "+limit.setting+" ("+limit.d.String()+
			") allows and was stopped; ask for less (smaller pages, fewer hops, a smaller radius) or raise the setting")
	case errors.Is(cause, context.Canceled):
		return domain.Timeout(err, "the request was cancelled while "+what+"; the work was stopped")
	case cause != nil:
		return domain.Timeout(err, "the request's deadline passed while "+what+
			"; the work was stopped; ask for less (smaller pages, fewer hops, a smaller radius)")
	case serverTimedOut(err):
		return domain.Timeout(err, what+" ran out of its time on the graph database and was stopped; "+
			"ask for less (smaller pages, fewer hops, a smaller radius)")
	case unavailable(err):
		return unreachable(err, what)
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Security.") {
		return domain.Unavailable(&serverAway{err}, "the graph database refused the credentials while "+what+
			"; check NEO4J_USERNAME and NEO4J_PASSWORD")
	}
	var te *neo4j.TransactionExecutionLimit
	if errors.As(err, &te) {
		// Transient failures (deadlocks, a leader switch) outlasted the
		// driver's retries; the server itself answers.
		return domain.Unavailable(err, "the graph database was busy with conflicting work while "+what+"; try again")
	}
	return domain.Internal(err, what)
}

// serverAway marks the cause of an EUNAVAILABLE that means the server
// cannot serve anyone (unreachable, silent, refusing the credentials), as
// opposed to one busy moment: only these turn the availability gate down.
type serverAway struct{ error }

func (e *serverAway) Unwrap() error { return e.error }

func unreachable(err error, what string) error {
	return domain.Unavailable(&serverAway{err}, "the graph database cannot be reached while "+what+
		"; the service keeps checking and serves again as soon as it answers")
}

// serverTimedOut reports whether the server ended a transaction at the
// timeout the store gave it.
func serverTimedOut(err error) bool {
	var n4 *neo4j.Neo4jError
	return errors.As(err, &n4) && (n4.Code == "Neo.ClientError.Transaction.TransactionTimedOut" ||
		n4.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration")
}

// retriedConnectivity reports whether the driver gave up retrying because
// its time ran out while the failures were connection failures.
func retriedConnectivity(err error) bool {
	var te *neo4j.TransactionExecutionLimit
	if !errors.As(err, &te) {
		return false
	}
	for _, c := range te.Errors {
		if unavailable(c) {
			return true
		}
	}
	return false
}

// unavailable reports a connectivity failure: the server cannot be
// reached, the connection was lost, or the database cannot serve.
func unavailable(err error) bool {
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var te *neo4j.TransactionExecutionLimit
	if errors.As(err, &te) {
		return retriedConnectivity(err)
	}
	var n4 *neo4j.Neo4jError
	if errors.As(err, &n4) {
		switch {
		case strings.HasPrefix(n4.Code, "Neo.TransientError.General.DatabaseUnavailable"),
			strings.HasPrefix(n4.Code, "Neo.ClientError.Cluster.NotALeader"),
			strings.HasPrefix(n4.Code, "Neo.ClientError.Database.DatabaseNotFound"):
			return true
		}
	}
	// The pool and router report some failures as plain errors.
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "unable to retrieve routing table") ||
		strings.Contains(msg, "ConnectivityError")
}
