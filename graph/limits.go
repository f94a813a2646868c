package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// operationLimits analyses every request's operation (Analyze) and refuses
// it when it is over a limit, before it is validated or run. It runs
// before validation because validation is itself an attack surface:
// gqlparser compares the fields of a selection set pairwise, so ten
// thousand copies of one field take seconds to validate. It runs on every
// request, cached documents included, because variables change the cost;
// an analysis no variable changes is remembered.
type operationLimits struct {
	lim    Limits
	schema *ast.Schema
	// cache is the executor's query cache: a document found there was
	// parsed and validated before, and is analysed without parsing again.
	cache graphql.Cache[*ast.QueryDocument]
	// analyses remembers the analyses of cached documents that no
	// variable changes.
	analyses analyses
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = operationLimits{}

func (operationLimits) ExtensionName() string                   { return "OperationLimits" }
func (operationLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l operationLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	doc, cached := l.cache.Get(ctx, p.Query)
	if !cached {
		var err error
		doc, err = parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.lim.MaxTokens)
		if err != nil {
			if strings.Contains(err.Error(), "exceeded token limit") {
				return refuse(ctx, telemetry.RefusedTokens, "the query has more than %d tokens (names, punctuation, values); the limit (max tokens) is %d: send a shorter query, or split it into several requests",
					l.lim.MaxTokens, l.lim.MaxTokens)
			}
			return nil // the executor reports the syntax error as it always does
		}
	}
	op := doc.Operations.ForName(p.OperationName)
	an := l.analyses.of(l.schema, doc, op, p.Variables, cached)
	switch {
	case an.Depth > l.lim.MaxDepth:
		return refuse(ctx, telemetry.RefusedDepth, "the query nests fields and inline fragments %d deep; the limit (max depth) is %d: ask for fewer levels and follow IDs in a second query",
			an.Depth, l.lim.MaxDepth)
	case an.Aliases > l.lim.MaxAliases:
		return refuse(ctx, telemetry.RefusedAliases, "the query has %d aliased fields; the limit (max aliases) is %d: split it into several requests",
			an.Aliases, l.lim.MaxAliases)
	case an.Directives > l.lim.MaxDirectives:
		return refuse(ctx, telemetry.RefusedAliases, "a field or fragment of the query has %d directives; the limit (max directives) is %d",
			an.Directives, l.lim.MaxDirectives)
	case an.Selections > l.lim.MaxSelections:
		return refuse(ctx, telemetry.RefusedCost, "a selection set of the query holds %d fields, counting those its fragments bring in; the limit (max selections) is %d: ask for each field once",
			an.Selections, l.lim.MaxSelections)
	case op != nil && an.Cost > l.lim.MaxCost:
		return refuse(ctx, telemetry.RefusedCost, "this query could return about %d items or cause as much work; the limit (max cost) is %d: ask for smaller pages (first or last, limit), nest fewer lists or fewer relation conditions in where, or call fewer analytics with smaller bounds (withinKm, maxHops, k)",
			an.Cost, l.lim.MaxCost)
	}
	telemetry.RequestFrom(ctx).SetCost(an.Cost)
	return nil
}

// refuse records why the request was refused and returns the error the
// client sees, coded LIMIT_EXCEEDED.
func refuse(ctx context.Context, why telemetry.Reason, format string, args ...any) *gqlerror.Error {
	telemetry.RequestFrom(ctx).Refuse(why)
	e := gqlerror.Errorf(format, args...)
	e.Extensions = map[string]any{"code": domain.ELIMIT}
	return e
}
