package graph

import (
	"bytes"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
)

// EncodeResponse exposes encodeResponse to the external tests.
var EncodeResponse = encodeResponse

// AuthorizeExtension exposes the role check, for tests that serve a
// schema double with it.
func AuthorizeExtension(a Access) graphql.HandlerExtension { return authorize{access: a} }

// WithoutPlanWriter turns off writing responses straight from the plan's
// answers, so every operation runs through gqlgen: the parity tests'
// reference.
func WithoutPlanWriter() Option { return func(o *options) { o.noPlanWriter = true } }

// WithPlanWritten calls written for every response written straight from
// the plan's answers.
func WithPlanWritten(written func()) Option { return func(o *options) { o.planWritten = written } }

// WithExtension adds a gqlgen extension after the handler's own, for tests
// that watch execution (which resolvers run).
func WithExtension(e graphql.HandlerExtension) Option {
	return func(o *options) { o.extensions = append(o.extensions, e) }
}

// QuoteLikeGqlgen is the plan writer's string quoting, which must match
// graphql.MarshalString byte for byte.
func QuoteLikeGqlgen(s string) string {
	var b bytes.Buffer
	appendQuoted(&b, s)
	return b.String()
}

// OperationFields and WalkOperationFields expose the remembered and the
// freshly walked projection of an operation.
var (
	OperationFields     = operationFields
	WalkOperationFields = walkOperationFields
)

// EnumLikeGqlgen and DateLikeGqlgen are the plan writer's writing of an
// enum value and a date, which must match their MarshalGQL byte for byte.
func EnumLikeGqlgen(v domain.PartnershipKind) string {
	r := &responder{buf: &bytes.Buffer{}}
	enum(func(v domain.PartnershipKind) domain.PartnershipKind { return v })(r, nil, v)
	return r.buf.String()
}

func DateLikeGqlgen(d domain.Date) string {
	r := &responder{buf: &bytes.Buffer{}}
	date(func(d domain.Date) domain.Date { return d })(r, nil, d)
	return r.buf.String()
}
