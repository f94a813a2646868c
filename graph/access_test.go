package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// writeCountingStore counts every call that could change the graph:
// Apply (the seed path) and Writer.Write.
type writeCountingStore struct {
	domain.Store
	writes atomic.Int64
}

func (s *writeCountingStore) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	s.writes.Add(1)
	return s.Store.Apply(ctx, b, opt)
}

func (s *writeCountingStore) Write(ctx context.Context, w *domain.Write) (*domain.ChangeSet, error) {
	s.writes.Add(1)
	if wr, ok := s.Store.(domain.Writer); ok {
		return wr.Write(ctx, w)
	}
	return nil, domain.Errorf(domain.EUNAVAILABLE, "this test store keeps no change log")
}

func (s *writeCountingStore) Changes(ctx context.Context, after int64, first int) ([]domain.ChangeSet, error) {
	if wr, ok := s.Store.(domain.Writer); ok {
		return wr.Changes(ctx, after, first)
	}
	return nil, nil
}

func (s *writeCountingStore) History(ctx context.Context, key domain.NodeKey, first int) ([]domain.ChangeSet, error) {
	if wr, ok := s.Store.(domain.Writer); ok {
		return wr.History(ctx, key, first)
	}
	return nil, nil
}

// credentials returns an authenticator with one API key per role, and the
// Authorization header of each role ("" for anonymous).
func credentials(t *testing.T) (*auth.Authenticator, map[auth.Role]string) {
	t.Helper()
	headers := map[auth.Role]string{auth.Anonymous: ""}
	var lines []string
	for _, r := range []auth.Role{auth.Reader, auth.Editor, auth.Admin} {
		key, line, err := auth.NewKey("the-"+r.String(), r)
		if err != nil {
			t.Fatal(err)
		}
		headers[r] = "Bearer " + key
		lines = append(lines, line)
	}
	keys, err := auth.ParseKeys(strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(context.Background(), keys, auth.JWTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return a, headers
}

// TestEveryMutationFieldNeedsItsRole walks every Mutation field of the
// schema, as a schema lists them, with no credential and with each role:
// too low a role is refused with UNAUTHENTICATED or FORBIDDEN, its status,
// and no write; a high enough role gets past the check.
func TestEveryMutationFieldNeedsItsRole(t *testing.T) {
	authn, headers := credentials(t)
	t.Run("the service's schema", func(t *testing.T) {
		st := &writeCountingStore{Store: projectStore(t)}
		schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
		if schema.Mutation == nil {
			t.Skip("this schema has no Mutation type yet; the schema double below checks the rule")
		}
		h := authn.Middleware(auth.Refuse(graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure)))
		walkMutations(t, schema, h, headers, &st.writes)
	})
	t.Run("a schema double", func(t *testing.T) {
		schema := gqlparser.MustLoadSchema(&ast.Source{Name: "double.graphqls", Input: `
			type Query { x: Int }
			scalar Upload
			enum Kind { CITY FORUM }
			input ThingInput { name: String!, kind: Kind!, tags: [String!]!, note: String, at: Upload }
			type Payload { seq: Int }
			type Mutation {
				createThing(input: ThingInput!): Payload
				updateThing(input: ThingInput!, expectedVersion: Int): Payload
				endThing(id: ID!, on: String!): Boolean
				deleteThing(id: ID!): Payload
				importSeed(files: [Upload!]!, dryRun: Boolean): Payload
			}`})
		es := &executedDouble{schema: schema}
		srv := handler.New(es)
		srv.AddTransport(graph.HTTPTransport{})
		srv.Use(graph.AuthorizeExtension(graph.Access{}))
		walkMutations(t, schema, authn.Middleware(auth.Refuse(srv)), headers, &es.runs)
	})
}

// executedDouble is an executable schema that only counts the operations
// it is asked to run.
type executedDouble struct {
	schema *ast.Schema
	runs   atomic.Int64
}

func (d *executedDouble) Schema() *ast.Schema { return d.schema }
func (d *executedDouble) Complexity(context.Context, string, string, int, map[string]any) (int, bool) {
	return 0, false
}
func (d *executedDouble) Exec(context.Context) graphql.ResponseHandler {
	d.runs.Add(1)
	return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{}`)})
}

func walkMutations(t *testing.T, schema *ast.Schema, h http.Handler, headers map[auth.Role]string, writes *atomic.Int64) {
	t.Helper()
	var names []string
	for _, f := range schema.Mutation.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("the Mutation type has no fields")
	}
	access := graph.Access{}
	for _, name := range names {
		f := schema.Mutation.Fields.ForName(name)
		need := access.RequiredRole(ast.Mutation, name)
		call := name + argumentsFor(schema, f.Arguments) + selectionFor(schema, f.Type)
		// The field written directly and behind a fragment spread.
		for _, spelling := range []struct{ name, doc string }{
			{"directly", "mutation { " + call + " }"},
			{"through a fragment", "mutation { ...m } fragment m on Mutation { " + call + " }"},
		} {
			doc := spelling.doc
			for _, role := range []auth.Role{auth.Anonymous, auth.Reader, auth.Editor, auth.Admin} {
				t.Run(fmt.Sprintf("%s %s as %s", name, spelling.name, role), func(t *testing.T) {
					before := writes.Load()
					status, code := postAs(t, h, headers[role], doc)
					switch {
					case role >= need:
						if code == string(domain.EUNAUTHENTICATED) || code == string(domain.EFORBIDDEN) {
							t.Errorf("%s may run %s, but it was refused with %s", role, name, code)
						}
					case role == auth.Anonymous:
						if status != http.StatusUnauthorized || code != string(domain.EUNAUTHENTICATED) {
							t.Errorf("got %d %s, want 401 UNAUTHENTICATED", status, code)
						}
					default:
						if status != http.StatusForbidden || code != string(domain.EFORBIDDEN) {
							t.Errorf("got %d %s, want 403 FORBIDDEN", status, code)
						}
					}
					if role < need {
						if got := writes.Load() - before; got != 0 {
							t.Errorf("a refused %s wrote %d times, want 0", name, got)
						}
					}
				})
			}
		}
	}
}

// postAs sends a GraphQL document with an Authorization header and returns
// the status and the first error's code ("" for none).
func postAs(t *testing.T, h http.Handler, authorization, doc string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": doc})
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var resp struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response is not JSON: %s", w.Body)
	}
	if len(resp.Errors) == 0 {
		return w.Code, ""
	}
	return w.Code, fmt.Sprint(resp.Errors[0].Extensions["code"])
}

// argumentsFor writes a literal for every required argument, so that the
// document passes validation and meets the role check: the values need
// not make sense, as no refused field runs.
func argumentsFor(schema *ast.Schema, args ast.ArgumentDefinitionList) string {
	var parts []string
	for _, a := range args {
		if a.Type.NonNull && a.DefaultValue == nil {
			parts = append(parts, a.Name+": "+literalFor(schema, a.Type))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func literalFor(schema *ast.Schema, t *ast.Type) string {
	if t.Elem != nil {
		return "[]"
	}
	def := schema.Types[t.NamedType]
	switch {
	case def == nil:
		return `"x"`
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+literalFor(schema, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch t.NamedType {
	case "Int", "Float":
		return "1"
	case "Boolean":
		return "false"
	}
	return `"x"`
}

func selectionFor(schema *ast.Schema, t *ast.Type) string {
	for t.Elem != nil {
		t = t.Elem
	}
	switch schema.Types[t.NamedType].Kind {
	case ast.Object, ast.Interface, ast.Union:
		return " { __typename }"
	}
	return ""
}

func TestReadsNeedReaderOnlyWhenRequired(t *testing.T) {
	authn, headers := credentials(t)
	st := projectStore(t)
	const doc = `{ city(slug: "nanning") { name } }`
	for _, tc := range []struct {
		name       string
		access     graph.Access
		role       auth.Role
		wantStatus int
		wantCode   string
	}{
		{"anonymous reads by default", graph.Access{}, auth.Anonymous, http.StatusOK, ""},
		{"anonymous is refused when reader is required", graph.Access{RequireReader: true}, auth.Anonymous, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"a reader reads when reader is required", graph.Access{RequireReader: true}, auth.Reader, http.StatusOK, ""},
		{"an admin reads when reader is required", graph.Access{RequireReader: true}, auth.Admin, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := authn.Middleware(auth.Refuse(graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure, graph.WithAccess(tc.access))))
			status, code := postAs(t, h, headers[tc.role], doc)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("got %d %q, want %d %q", status, code, tc.wantStatus, tc.wantCode)
			}
		})
	}
}
