package graph

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Exposure says how much of the API a client may see and send: the
// operator's production switches. The zero value switches introspection,
// suggestions and APQ off; DefaultExposure, for development, has them on.
type Exposure struct {
	// Introspection answers __schema and __type; off, operations that
	// select them are refused with INTROSPECTION_DISABLED.
	Introspection bool
	// Suggestions adds "Did you mean …?" to validation errors, which names
	// fields, arguments and types a client did not ask about.
	Suggestions bool
	// APQ lets any client register a query under its hash (automatic
	// persisted queries); off, a request by hash alone is refused with
	// PERSISTED_QUERY_NOT_SUPPORTED. Ignored in trusted mode.
	APQ bool
	// Trusted, when set, is the only source of operations: see trusted.go.
	Trusted *TrustedDocuments
}

// DefaultExposure is open: introspection, suggestions and APQ on.
var DefaultExposure = Exposure{Introspection: true, Suggestions: true, APQ: true}

// Codes of the refusals the production switches make.
const (
	CodeIntrospectionDisabled      = "INTROSPECTION_DISABLED"
	CodePersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
)

// use installs the switches on srv; install it before the limits, so that
// they see the text of a document a request names by its id.
func (e Exposure) use(srv *handler.Server) {
	if e.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(introspectionOff{})
	}
	switch {
	case e.Trusted != nil:
		srv.Use(e.Trusted)
	case e.APQ:
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	default:
		srv.Use(apqOff{})
	}
	if !e.Suggestions {
		// Both: gqlgen puts back the guessing rules it knows unless told not to.
		srv.SetDisableSuggestion(true)
		srv.SetValidationRulesFn(rulesWithoutSuggestions)
	}
}

// wrap adds what the switches need at the HTTP level: reading the
// documentId of a persisted-document request in trusted mode.
func (e Exposure) wrap(h http.Handler) http.Handler {
	if e.Trusted == nil {
		return h
	}
	return withDocumentID(h)
}

// apqOff answers a request by hash alone with the code Apollo clients take
// as "send the full query from now on"; a hash sent with its query is
// ignored, and nothing is stored.
type apqOff struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = apqOff{}

func (apqOff) ExtensionName() string                   { return "APQOff" }
func (apqOff) Validate(graphql.ExecutableSchema) error { return nil }
func (apqOff) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Extensions["persistedQuery"] == nil || p.Query != "" {
		return nil
	}
	e := gqlerror.Errorf("this server does not keep persisted queries; send the query text")
	errcode.Set(e, CodePersistedQueryNotSupported)
	return e
}
