package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bound what one request may cost.
type Limits struct {
	// MaxBodyBytes bounds a POST body; larger gets 413.
	MaxBodyBytes int64
	// MaxUploadBytes bounds a multipart body (importSeed's files) instead.
	MaxUploadBytes int64
	// MaxQueryBytes bounds the query text, before it is parsed.
	MaxQueryBytes int
	// MaxCost bounds an operation's cost: the items it could return,
	// nested pages multiplied out, plus the work its analytics may cause
	// (see Analyze).
	MaxCost int
	// MaxDepth bounds how deep fields and inline fragments nest.
	MaxDepth int
	// MaxAliases bounds the aliased fields in a document.
	MaxAliases int
	// MaxDirectives bounds the directives on one field or fragment.
	MaxDirectives int
	// MaxSelections bounds the largest selection set as validation sees it
	// (Analysis.Selections): it compares fields answering one key pairwise.
	MaxSelections int
	// MaxTokens bounds the tokens the parser reads.
	MaxTokens int
	// Timeout bounds one request's execution; past it the work stops and
	// the client gets TIMEOUT (see requestDeadline).
	Timeout time.Duration
	// MaxResponseBytes bounds a response's data; a larger one is replaced
	// by LIMIT_EXCEEDED (see responseSizeLimit). Zero means no bound.
	MaxResponseBytes int
}

// DefaultLimits suit an analyst's playground and an app's queries alike.
var DefaultLimits = Limits{MaxBodyBytes: 1 << 20, MaxUploadBytes: 64 << 20, MaxQueryBytes: 64 << 10, Timeout: 30 * time.Second,
	MaxCost: 50_000, MaxDepth: 20, MaxAliases: 50, MaxDirectives: 10, MaxSelections: 200, MaxTokens: 10_000,
	MaxResponseBytes: 16 << 20}

// NewHandler returns the /graphql endpoint: GET and POST per the
// GraphQL-over-HTTP spec, per-request loaders, errors with codes in
// extensions.code, panics turned into internal errors; exp says how much
// of the API clients may see and send.
func NewHandler(st domain.Store, log *slog.Logger, lim Limits, exp Exposure, opts ...Option) http.Handler {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.feed == nil {
		o.feed = &DefaultFeed
	}
	feed := newFeed(st, log, *o.feed, lim.Timeout)
	res := &Resolver{Store: st, Log: log, Feed: feed}
	es := NewExecutableSchema(Config{Resolvers: res})
	res.Schema = es.Schema()
	srv := handler.New(es)
	srv.AddTransport(feed.transport()) // first: HTTPTransport takes every request
	srv.AddTransport(HTTPTransport{})
	srv.Use(telemetry.OperationName{}) // first, so refused operations are named too
	// The one role check, before anything reads or writes.
	srv.Use(authorize{access: o.access})
	cache := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(lim.MaxTokens)
	// The production switches: introspection, suggestions, persisted and trusted documents.
	exp.use(srv)
	srv.Use(queryLimit{max: lim.MaxQueryBytes})
	srv.Use(operationLimits{lim: lim, schema: es.Schema(), cache: cache, analyses: newAnalyses(1000)}) // after the persisted query is resolved
	srv.Use(requestDeadline{timeout: lim.Timeout})                                                     // before the size limit: it sees the request's own context
	if lim.MaxResponseBytes > 0 {
		srv.Use(responseSizeLimit{max: lim.MaxResponseBytes})
	}
	// After the limits and inside the deadline: one store call per request,
	// and its answers written straight to the response where they can be.
	srv.Use(runPlan{store: st, schema: es.Schema(), log: log, writer: o.planWriter(res, lim.MaxResponseBytes)})
	for _, e := range o.extensions {
		srv.Use(e)
	}
	srv.Use(wakeFeed{feed})
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(recoverPanic(log))

	return feed.route(limitRequest(lim, st, exp.wrap(srv)), exp.wrap(srv))
}

// Option sets what NewHandler serves beyond its defaults.
type Option func(*options)

type options struct {
	access Access
	feed   *FeedConfig
	// The tests' switches (export_test.go): the plan writer off, a hook
	// that counts its answers, extensions that watch execution.
	noPlanWriter bool
	planWritten  func()
	extensions   []graphql.HandlerExtension
}

// WithAccess sets who may run what (see Access.RequiredRole); without it
// reads are anonymous and writes still need their roles.
func WithAccess(a Access) Option { return func(o *options) { o.access = a } }

// limitRequest refuses oversized bodies with 413, bounds execution time
// and gives the request fresh loaders on st (in one context, one copy of
// the request).
func limitRequest(lim Limits, st domain.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max, what := lim.MaxBodyBytes, "send a smaller query"
		if isMultipart(r.Header) {
			max, what = lim.MaxUploadBytes, "send fewer or smaller files at a time (CITYGRAPH_MAX_UPLOAD_BYTES)"
		}
		if r.ContentLength > max {
			// The same answer the transport gives a chunked body that outgrows the limit.
			telemetry.RequestFrom(r.Context()).Refuse(telemetry.RefusedSize)
			writeError(w, http.StatusRequestEntityTooLarge, domain.ELIMIT,
				fmt.Sprintf("the request body is %d bytes, over the limit of %d bytes; %s", r.ContentLength, max, what))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		ctx, cancel := context.WithTimeout(r.Context(), lim.Timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(loader.With(ctx, loader.New(st))))
	})
}

// writeError writes a GraphQL-shaped error response for failures that
// happen before the executor runs.
func writeError(w http.ResponseWriter, status int, code domain.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{
		{"message": msg, "extensions": map[string]any{"code": code}},
	}})
}

// queryLimit refuses query text over max bytes before it is parsed.
type queryLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = queryLimit{}

func (queryLimit) ExtensionName() string                   { return "QueryLimit" }
func (queryLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (q queryLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > q.max {
		e := gqlerror.Errorf("query is %d bytes; the limit is %d", len(p.Query), q.max)
		e.Extensions = map[string]any{"code": domain.EINVALID}
		return e
	}
	return nil
}

// presentError gives every error a code in extensions.code and a message
// for humans; internal errors are logged with their cause and shown only
// as "internal error".
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var de *domain.Error
		if errors.As(err, &de) {
			gerr.Message = domain.ErrorMessage(de)
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			gerr.Extensions["code"] = de.Code
			if len(de.Problems) > 0 {
				gerr.Extensions["problems"] = de.Problems
			}
			if de.Code == domain.EINTERNAL || de.Code == domain.EUNAVAILABLE {
				log.ErrorContext(ctx, "request failed", "code", de.Code, "path", gerr.Path.String(), "err", de.Error(), "cause", de.Err)
			}
			return gerr
		}
		if _, ok := gerr.Extensions["code"]; ok {
			return gerr // gqlgen's own parse and validation errors
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			gerr.Message = "the request was stopped: it took longer than the server allows, or its client went away; ask for smaller pages"
			gerr.Extensions = map[string]any{"code": domain.ETIMEOUT}
			return gerr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Rule != "" {
			return gerr
		}
		if gerr.Path == nil {
			// Errors outside field resolution come from the executor itself
			// (argument coercion and the like): they describe the request.
			gerr.Extensions = map[string]any{"code": domain.EINVALID}
			return gerr
		}
		log.ErrorContext(ctx, "unexpected error", "path", gerr.Path.String(), "err", err)
		gerr.Message = domain.ErrorMessage(err)
		gerr.Extensions = map[string]any{"code": domain.EINTERNAL}
		return gerr
	}
}

// recoverPanic logs a panic with its stack and answers an internal error,
// so no panic reaches a client.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return domain.Internal(fmt.Errorf("panic: %v", p), "internal error")
	}
}
