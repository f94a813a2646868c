package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/telemetry"
)

const (
	trustedName   = `query CityName { city(slug: "nanning") { name } }`
	trustedBySlug = `query CityBySlug($slug: String!) { city(slug: $slug) { name } }`
)

// writeManifest writes v as JSON (or as is, when it is a string) to a file
// in a temporary directory and returns the file's path.
func writeManifest(t *testing.T, v any) string {
	t.Helper()
	var b []byte
	if s, ok := v.(string); ok {
		b = []byte(s)
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func apolloManifest(docs ...string) map[string]any {
	var ops []map[string]any
	for _, d := range docs {
		ops = append(ops, map[string]any{"id": sha256Hex(d), "body": d, "name": "n", "type": "query"})
	}
	return map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops}
}

func TestTrustedDocuments(t *testing.T) {
	st := projectStore(t)
	manifests := map[string]any{
		"Apollo manifest": apolloManifest(trustedName, trustedBySlug),
		"plain map":       map[string]string{"sha256:" + sha256Hex(trustedName): trustedName, sha256Hex(trustedBySlug): trustedBySlug},
	}
	const untrusted = `{ city(slug: "nanning") { name nameZh } }`
	unknown := sha256Hex(untrusted)

	for format, m := range manifests {
		docs, err := graph.LoadTrustedDocuments(writeManifest(t, m))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if docs.Len() != 2 {
			t.Fatalf("%s: %d documents, want 2", format, docs.Len())
		}
		exp := graph.DefaultExposure
		exp.Trusted = docs
		h := graph.NewHandler(st, quietLog(), graph.DefaultLimits, exp)

		runs := []struct {
			name string
			send func(t *testing.T) (gqlResponse, telemetry.Reason)
		}{
			{"by APQ hash", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"extensions": apq(sha256Hex(trustedName))})
			}},
			{"by documentId with prefix", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"documentId": "sha256:" + sha256Hex(trustedName)})
			}},
			{"by documentId as bare hex", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"documentId": sha256Hex(trustedName)})
			}},
			{"by documentId with variables", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"documentId": "sha256:" + sha256Hex(trustedBySlug), "variables": map[string]any{"slug": "nanning"}})
			}},
			{"by documentId beside other extensions", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"documentId": "sha256:" + sha256Hex(trustedName), "extensions": map[string]any{"tracing": true}})
			}},
			{"by documentId in a GET", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return getQuery(t, h, url.Values{"documentId": {"sha256:" + sha256Hex(trustedBySlug)}, "variables": {`{"slug":"nanning"}`}})
			}},
			{"by APQ hash in a GET", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				ext, _ := json.Marshal(apq(sha256Hex(trustedName)))
				return getQuery(t, h, url.Values{"extensions": {string(ext)}})
			}},
			{"by its exact text", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"query": trustedName})
			}},
			{"by its text with its hash", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"query": trustedName, "extensions": apq(sha256Hex(trustedName))})
			}},
		}
		for _, tc := range runs {
			t.Run(format+" runs a document "+tc.name, func(t *testing.T) {
				resp, refusal := tc.send(t)
				if got := at(t, resp.Data, "city", "name"); got != "Nanning" {
					t.Errorf("city.name = %v (errors %s), want Nanning", got, resp.messages())
				}
				if refusal != "" {
					t.Errorf("refusal = %q, want none", refusal)
				}
			})
		}

		refusals := []struct {
			name     string
			send     func(t *testing.T) (gqlResponse, telemetry.Reason)
			wantCode string
		}{
			{"free text", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"query": untrusted})
			}, graph.CodePersistedQueryRequired},
			{"free text by GET", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return getQuery(t, h, url.Values{"query": {untrusted}})
			}, graph.CodePersistedQueryRequired},
			{"a document's text reformatted", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"query": trustedName + "\n"})
			}, graph.CodePersistedQueryRequired},
			{"introspection", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"query": `{ __schema { types { name } } }`})
			}, graph.CodePersistedQueryRequired},
			{"an unknown APQ hash", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"extensions": apq(unknown)})
			}, graph.CodePersistedQueryNotFound},
			{"an unknown documentId", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"documentId": "sha256:" + unknown})
			}, graph.CodePersistedQueryNotFound},
			{"a custom documentId", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return getQuery(t, h, url.Values{"documentId": {"CityName"}})
			}, graph.CodePersistedQueryNotFound},
			{"a persistedQuery without a hash", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1}}})
			}, graph.CodePersistedQueryNotFound},
			{"a document's id with other text", func(t *testing.T) (gqlResponse, telemetry.Reason) {
				return postJSON(t, h, map[string]any{"query": untrusted, "extensions": apq(sha256Hex(trustedName))})
			}, graph.CodePersistedQueryRequired},
		}
		for _, tc := range refusals {
			t.Run(format+" refuses "+tc.name, func(t *testing.T) {
				resp, refusal := tc.send(t)
				if got := resp.codes(); len(got) != 1 || got[0] != tc.wantCode {
					t.Errorf("codes = %v (%s), want [%s]", got, resp.messages(), tc.wantCode)
				}
				if resp.Data != nil {
					t.Errorf("data = %v, want none", resp.Data)
				}
				if refusal != telemetry.RefusedTrusted {
					t.Errorf("refusal = %q, want %q", refusal, telemetry.RefusedTrusted)
				}
			})
		}

		t.Run(format+" refuses registration", func(t *testing.T) {
			resp, _ := postJSON(t, h, map[string]any{"query": untrusted, "extensions": apq(unknown)})
			if got := resp.codes(); len(got) != 1 || got[0] != graph.CodePersistedQueryRequired {
				t.Errorf("registering: codes = %v (%s), want [%s]", got, resp.messages(), graph.CodePersistedQueryRequired)
			}
			resp, _ = postJSON(t, h, map[string]any{"extensions": apq(unknown)})
			if got := resp.codes(); len(got) != 1 || got[0] != graph.CodePersistedQueryNotFound {
				t.Errorf("after registering: codes = %v (%s), want [%s]: nothing may be registered", got, resp.messages(), graph.CodePersistedQueryNotFound)
			}
		})
	}
}

func TestBadTrustedDocuments(t *testing.T) {
	good := sha256Hex(trustedName)
	tests := []struct {
		name     string
		manifest any // nil: no file at all
		want     string
	}{
		{"missing file", nil, "no such file"},
		{"not JSON", `query CityName { city(slug: "nanning") { name } }`, "not JSON (at byte 1)"},
		{"cut short", `{"sha256:` + good + `": "{ city`, "not JSON"},
		{"a JSON array", `["{ city(slug: \"nanning\") { name } }"]`, "not a JSON object"},
		{"empty", `{}`, "holds no documents"},
		{"a value that is not text", map[string]any{"sha256:" + good: 42}, "is not a string of query text"},
		{"an id that is no hash", map[string]string{"CityName": trustedName}, `id "CityName" is not a SHA-256`},
		{"a hash of other text", map[string]string{"sha256:" + sha256Hex(trustedBySlug): trustedName}, "is not the SHA-256 of its text"},
		{"text that does not parse", map[string]string{sha256Hex("{ city(slug: "): "{ city(slug: "}, "does not parse"},
		{"text with no operation", map[string]string{sha256Hex("fragment F on Query { __typename }"): "fragment F on Query { __typename }"}, "holds no operation"},
		{"text that does not validate", map[string]string{sha256Hex("{ mayor }"): "{ mayor }"}, "does not validate against the schema"},
		{"an Apollo manifest of another version", map[string]any{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []any{}}, "version 2 is not known"},
		{"another format", map[string]any{"format": "relay", "version": 1}, "is not known"},
		{"an Apollo operation without body", map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": []any{map[string]any{"id": good}}}, "operations[0] lacks its id or body"},
		{"an Apollo manifest with a bad hash", func() any {
			m := apolloManifest(trustedName)
			m["operations"].([]map[string]any)[0]["body"] = trustedBySlug
			return m
		}(), "is not the SHA-256 of its text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "absent.json")
			if tc.manifest != nil {
				path = writeManifest(t, tc.manifest)
			}
			docs, err := graph.LoadTrustedDocuments(path)
			if err == nil {
				t.Fatalf("LoadTrustedDocuments = %d documents, want an error saying %q", docs.Len(), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error = %q, want it to name %s and say %q", err, path, tc.want)
			}
		})
	}
}

// withDocumentID reads a JSON body before the transport does: whatever the
// body, the transport must still get it whole.
func TestTrustedDocumentsGiveTheBodyBack(t *testing.T) {
	docs, err := graph.LoadTrustedDocuments(writeManifest(t, apolloManifest(trustedName)))
	if err != nil {
		t.Fatal(err)
	}
	exp := graph.DefaultExposure
	exp.Trusted = docs
	h := graph.NewHandler(projectStore(t), quietLog(), graph.DefaultLimits, exp)
	quoted, _ := json.Marshal(trustedName)

	t.Run("a document's text beside an empty documentId runs", func(t *testing.T) {
		resp, _ := exchange(t, h, httptestPost(`{"query": `+string(quoted)+`, "documentId": ""}`))
		if got := at(t, resp.Data, "city", "name"); got != "Nanning" {
			t.Errorf("city.name = %v (errors %s), want Nanning", got, resp.messages())
		}
	})
	for _, body := range []string{`{"documentId": 7}`, `[{"query": "{ __typename }"}]`, `{"query": "{ __typename`} {
		t.Run("odd body "+body, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptestPost(body))
			if w.Code >= 500 {
				t.Errorf("status = %d, want a client error", w.Code)
			}
			var resp gqlResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
				t.Fatalf("body %s: want a GraphQL error, got %s", body, truncate(w.Body.String()))
			}
			for _, e := range resp.Errors {
				if e.Extensions["code"] == nil {
					t.Errorf("error %q has no code", e.Message)
				}
			}
		})
	}
}

func httptestPost(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}
