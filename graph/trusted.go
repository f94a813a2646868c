package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Codes of trusted mode's refusals.
const (
	// CodePersistedQueryNotFound: the request named a document, by
	// extensions.persistedQuery.sha256Hash or documentId, that the
	// manifest does not hold.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodePersistedQueryRequired: the request sent query text that is not
	// in the manifest; only the operator's documents run.
	CodePersistedQueryRequired = "PERSISTED_QUERY_REQUIRED"
)

// apolloManifestFormat marks a manifest written by Apollo's
// generate-persisted-query-manifest (and Apollo Kotlin, iOS).
const apolloManifestFormat = "apollo-persisted-query-manifest"

// TrustedDocuments is the operator's manifest of the only operations the
// server runs. A client names one by its SHA-256, either as the APQ
// extension (extensions.persistedQuery.sha256Hash, hex) or as documentId
// ("sha256:<hex>", or the hex alone); a request whose query text is
// exactly a manifest document also runs, so tools that send text work for
// the documents the operator allowed. Nothing else runs, and no request can
// add a document.
type TrustedDocuments struct {
	byHash map[string]string // lower-case hex SHA-256 → document text
	byText map[string]string // document text → its hash
}

// LoadTrustedDocuments reads and checks a manifest. Two formats are read:
//
//   - Apollo's persisted-query manifest: {"format":
//     "apollo-persisted-query-manifest", "version": 1, "operations":
//     [{"id": "<sha256 hex>", "body": "query …", "name": …, "type": …}]};
//   - a plain map of id to text, {"sha256:<hex>": "query …"}, as the
//     GraphQL-over-HTTP persisted-documents appendix writes ids, or with
//     the hex alone as GraphQL Code Generator's persisted documents do.
//
// Every id must be the SHA-256 of its text, and every text must parse and
// validate against the schema; the error names the first id that does not.
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	docs, err := decodeManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("trusted documents %s: the manifest holds no documents, so every request would be refused", path)
	}
	t := &TrustedDocuments{byHash: map[string]string{}, byText: map[string]string{}}
	schema := NewExecutableSchema(Config{}).Schema()
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the first bad id is the same on every start
	for _, id := range ids {
		text := docs[id]
		hash, ok := sha256Hex(id)
		if !ok {
			return nil, fmt.Errorf("trusted documents %s: id %q is not a SHA-256: write it as sha256:<64 lower-case hex digits> or the 64 digits alone", path, id)
		}
		if got := hashOf(text); got != hash {
			return nil, fmt.Errorf("trusted documents %s: id %q is not the SHA-256 of its text (that is %s): regenerate the manifest", path, id, got)
		}
		if err := checkDocument(schema, text); err != nil {
			return nil, fmt.Errorf("trusted documents %s: document %q: %w", path, id, err)
		}
		t.byHash[hash] = text
		t.byText[text] = hash
	}
	return t, nil
}

// Len returns how many documents the manifest holds.
func (t *TrustedDocuments) Len() int { return len(t.byHash) }

// decodeManifest returns the manifest's documents by id, in either format.
func decodeManifest(raw []byte) (map[string]string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, fmt.Errorf("not JSON (at byte %d): %w", syntax.Offset, err)
		}
		return nil, errors.New("not a JSON object: write an Apollo persisted-query manifest or an object mapping each id to its query text")
	}
	if format, ok := top["format"]; ok {
		var apollo struct {
			Format     string `json:"format"`
			Version    int    `json:"version"`
			Operations []struct {
				ID   string `json:"id"`
				Body string `json:"body"`
			} `json:"operations"`
		}
		if err := json.Unmarshal(raw, &apollo); err != nil {
			return nil, fmt.Errorf("not an Apollo persisted-query manifest: %w", err)
		}
		if apollo.Format != apolloManifestFormat || apollo.Version != 1 {
			return nil, fmt.Errorf("format %s version %d is not known: use %q version 1 or a map of id to query text", format, apollo.Version, apolloManifestFormat)
		}
		docs := make(map[string]string, len(apollo.Operations))
		for i, op := range apollo.Operations {
			if op.ID == "" || op.Body == "" {
				return nil, fmt.Errorf("operations[%d] lacks its id or body", i)
			}
			if _, dup := docs[op.ID]; dup {
				return nil, fmt.Errorf("operations[%d]: id %q appears twice", i, op.ID)
			}
			docs[op.ID] = op.Body
		}
		return docs, nil
	}
	docs := make(map[string]string, len(top))
	for id, v := range top {
		var text string
		if err := json.Unmarshal(v, &text); err != nil {
			return nil, fmt.Errorf("the value of %q is not a string of query text", id)
		}
		docs[id] = text
	}
	return docs, nil
}

// checkDocument parses text and validates it against schema, as a request
// would be; a manifest that fails here would fail every request for it.
func checkDocument(schema *ast.Schema, text string) error {
	doc, err := parser.ParseQuery(&ast.Source{Input: text})
	if err != nil {
		return fmt.Errorf("does not parse: %w", err)
	}
	if len(doc.Operations) == 0 {
		return errors.New("holds no operation")
	}
	if errs := validator.Validate(schema, doc); len(errs) > 0 {
		return fmt.Errorf("does not validate against the schema: %w", errs)
	}
	return nil
}

// sha256Hex returns the lower-case hex digest an id names: "sha256:<hex>"
// or the hex alone.
func sha256Hex(id string) (string, bool) {
	h := strings.ToLower(strings.TrimPrefix(id, "sha256:"))
	if len(h) != sha256.Size*2 {
		return "", false
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", false
	}
	return h, true
}

func hashOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*TrustedDocuments)(nil)

func (*TrustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (*TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters puts the manifest's text in place of the id a
// request names, and refuses any request that is not a manifest document.
func (t *TrustedDocuments) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	id, err := requestedID(ctx, p)
	if err != nil {
		return err
	}
	if id == "" {
		if _, ok := t.byText[p.Query]; ok {
			return nil
		}
		if p.Query == "" {
			return nil // the transport reports the missing query
		}
		return refuseUntrusted(ctx, CodePersistedQueryRequired,
			"this server runs only the operations its operator trusts, and this query text is not one of them: send a trusted document's id as documentId or extensions.persistedQuery.sha256Hash (query text cannot be registered here)")
	}
	hash, ok := sha256Hex(id)
	text, found := t.byHash[hash]
	switch {
	case ok && found && (p.Query == "" || p.Query == text):
		p.Query = text
		return nil
	case p.Query != "":
		return refuseUntrusted(ctx, CodePersistedQueryRequired,
			fmt.Sprintf("the query text sent with the id %q is not a trusted document, and documents cannot be registered here: send a trusted document's id alone", id))
	default:
		return refuseUntrusted(ctx, CodePersistedQueryNotFound,
			fmt.Sprintf("no trusted document has the id %q: this server runs only the operations its operator trusts, and none can be registered", id))
	}
}

func refuseUntrusted(ctx context.Context, code, msg string) *gqlerror.Error {
	telemetry.RequestFrom(ctx).Refuse(telemetry.RefusedTrusted)
	e := gqlerror.Errorf("%s", msg)
	errcode.Set(e, code)
	return e
}

// requestedID returns the document id a request names by the APQ
// extension (where withDocumentID also puts a documentId), "" for none.
func requestedID(ctx context.Context, p *graphql.RawParams) (string, *gqlerror.Error) {
	pq, present := p.Extensions["persistedQuery"]
	if !present || pq == nil {
		return "", nil
	}
	if m, ok := pq.(map[string]any); ok {
		if h, ok := m["sha256Hash"].(string); ok && h != "" {
			return h, nil
		}
	}
	return "", refuseUntrusted(ctx, CodePersistedQueryNotFound,
		`extensions.persistedQuery names no document: send {"version": 1, "sha256Hash": "<hex>"}`)
}

// withDocumentID turns a persisted-document request (documentId in a
// GET's URL or a JSON POST's body, as the GraphQL-over-HTTP appendix has
// it) into the APQ form that transports know, extensions.persistedQuery,
// as that appendix suggests a middleware do. A request that already has
// persistedQuery, or whose body is not a JSON object, passes unchanged.
func withDocumentID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			q, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil || q.Get("documentId") == "" {
				break
			}
			ext := map[string]json.RawMessage{}
			if v := q.Get("extensions"); v != "" && json.Unmarshal([]byte(v), &ext) != nil {
				break
			}
			if merged, ok := withPersistedQuery(ext, q.Get("documentId")); ok {
				q.Set("extensions", string(merged))
				q.Del("documentId")
				u := *r.URL
				u.RawQuery = q.Encode()
				r = r.Clone(r.Context())
				r.URL = &u
			}
		case http.MethodPost:
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" || r.Body == nil {
				break
			}
			body, err := io.ReadAll(r.Body)
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
			if err != nil {
				break // the transport meets the same error
			}
			if body, ok := bodyWithPersistedQuery(body); ok {
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.ContentLength = int64(len(body))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bodyWithPersistedQuery rewrites a JSON body's documentId as
// extensions.persistedQuery; ok is false when there is nothing to rewrite.
func bodyWithPersistedQuery(body []byte) ([]byte, bool) {
	var req map[string]json.RawMessage
	if json.Unmarshal(body, &req) != nil || req["documentId"] == nil {
		return nil, false
	}
	var id string
	if json.Unmarshal(req["documentId"], &id) != nil || id == "" {
		return nil, false
	}
	ext := map[string]json.RawMessage{}
	if raw, ok := req["extensions"]; ok && string(raw) != "null" && json.Unmarshal(raw, &ext) != nil {
		return nil, false
	}
	merged, ok := withPersistedQuery(ext, id)
	if !ok {
		return nil, false
	}
	req["extensions"] = merged
	delete(req, "documentId")
	out, err := json.Marshal(req)
	return out, err == nil
}

// withPersistedQuery returns ext with persistedQuery naming id, or false
// when ext already has a persistedQuery.
func withPersistedQuery(ext map[string]json.RawMessage, id string) (json.RawMessage, bool) {
	if _, ok := ext["persistedQuery"]; ok {
		return nil, false
	}
	pq, err := json.Marshal(map[string]any{"version": 1, "sha256Hash": strings.TrimPrefix(id, "sha256:")})
	if err != nil {
		return nil, false
	}
	ext["persistedQuery"] = pq
	out, err := json.Marshal(ext)
	return out, err == nil
}

// errReader returns err, or io.EOF when err is nil.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err == nil {
		return 0, io.EOF
	}
	return 0, e.err
}
