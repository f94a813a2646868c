package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/store/embedded"
)

// memoryStore is an empty in-memory embedded store.
func memoryStore(t *testing.T) domain.Store {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// serverWith builds the whole HTTP surface from env, as run would.
func serverWith(t *testing.T, env map[string]string) http.Handler {
	t.Helper()
	cfg, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("loadConfig(%v): %v", env, err)
	}
	return NewServer(memoryStore(t), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, telemetry.New(telemetry.Options{}))
}

// trustedManifest writes a plain-map manifest of docs and returns its path.
func trustedManifest(t *testing.T, docs ...string) string {
	t.Helper()
	m := map[string]string{}
	for _, d := range docs {
		sum := sha256.Sum256([]byte(d))
		m["sha256:"+hex.EncodeToString(sum[:])] = d
	}
	b, _ := json.Marshal(m)
	path := filepath.Join(t.TempDir(), "trusted.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadExposure(t *testing.T) {
	manifest := trustedManifest(t, `{ __typename }`)
	tests := []struct {
		name           string
		env            map[string]string
		introspection  bool
		suggestions    bool
		apq            bool
		trusted        bool
		playground     bool
		noticeMentions string
	}{
		{"defaults are open", nil, true, true, true, false, true, ""},
		{"introspection off turns the playground off", map[string]string{"CITYGRAPH_INTROSPECTION": "false"}, false, true, true, false, false, ""},
		{"the playground asked for without introspection has a notice", map[string]string{"CITYGRAPH_INTROSPECTION": "false", "CITYGRAPH_PLAYGROUND": "true"}, false, true, true, false, true, "Introspection is switched off"},
		{"trusted mode turns the playground off", map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": manifest}, true, true, true, true, false, ""},
		{"the playground asked for in trusted mode has a notice", map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": manifest, "CITYGRAPH_PLAYGROUND": "1"}, true, true, true, true, true, "trusted documents"},
		{"the playground switched off", map[string]string{"CITYGRAPH_PLAYGROUND": "false"}, true, true, true, false, false, ""},
		{"suggestions and APQ off", map[string]string{"CITYGRAPH_SUGGESTIONS": "false", "CITYGRAPH_APQ": "FALSE"}, true, false, false, false, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := loadExposure(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if e.graph.Introspection != tc.introspection || e.graph.Suggestions != tc.suggestions || e.graph.APQ != tc.apq || (e.graph.Trusted != nil) != tc.trusted {
				t.Errorf("graph = %+v, want introspection %v suggestions %v apq %v trusted %v", e.graph, tc.introspection, tc.suggestions, tc.apq, tc.trusted)
			}
			if e.playground != tc.playground {
				t.Errorf("playground = %v, want %v", e.playground, tc.playground)
			}
			if !strings.Contains(e.playgroundNotice, tc.noticeMentions) || (tc.noticeMentions == "") != (e.playgroundNotice == "") {
				t.Errorf("notice = %q, want one mentioning %q", e.playgroundNotice, tc.noticeMentions)
			}
		})
	}
}

func TestBadExposureStopsTheStart(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"sha256:0000000000000000000000000000000000000000000000000000000000000000": "{ __typename }"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"a switch that is not a boolean", map[string]string{"CITYGRAPH_INTROSPECTION": "sometimes"}, []string{"CITYGRAPH_INTROSPECTION", "sometimes", "true or false"}},
		{"a playground switch that is not a boolean", map[string]string{"CITYGRAPH_PLAYGROUND": "yes please"}, []string{"CITYGRAPH_PLAYGROUND"}},
		{"a manifest that is missing", map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": filepath.Join(t.TempDir(), "none.json")}, []string{"CITYGRAPH_TRUSTED_DOCUMENTS", "none.json", "no such file"}},
		{"a manifest whose hash is wrong", map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": bad}, []string{"CITYGRAPH_TRUSTED_DOCUMENTS", bad, "not the SHA-256 of its text"}},
		{"a CORS origin with a path", map[string]string{"CITYGRAPH_CORS_ORIGINS": "https://app.example.org/graphql"}, []string{"CITYGRAPH_CORS_ORIGINS", "https://app.example.org/graphql", "not an origin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["CITYGRAPH_DATA_DIR"] = t.TempDir()
			tc.env["PORT"] = "0"
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// run returns at once: the configuration is read before the store opens.
			err := run(ctx, nil, func(k string) string { return tc.env[k] }, nil, io.Discard, io.Discard)
			if err == nil {
				t.Fatalf("run started with %v, want an error", tc.env)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error = %q, want it to say %q", err, w)
				}
			}
		})
	}
}

func TestPlaygroundSwitch(t *testing.T) {
	get := func(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}
	t.Run("on by default", func(t *testing.T) {
		w := get(t, serverWith(t, nil), "/")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "graphiql") {
			t.Errorf("GET / = %d, want the playground page", w.Code)
		}
		if strings.Contains(w.Body.String(), "playground-notice") {
			t.Errorf("page has a notice, want none")
		}
	})
	t.Run("off says so at /", func(t *testing.T) {
		h := serverWith(t, map[string]string{"CITYGRAPH_PLAYGROUND": "false"})
		w := get(t, h, "/")
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "playground is switched off") {
			t.Errorf("GET / = %d %q, want 404 saying the playground is switched off", w.Code, w.Body.String())
		}
		if w := get(t, h, "/playground/assets/init.js"); w.Code != http.StatusNotFound {
			t.Errorf("GET an asset = %d, want 404", w.Code)
		}
	})
	t.Run("asked for without introspection shows the notice", func(t *testing.T) {
		w := get(t, serverWith(t, map[string]string{"CITYGRAPH_INTROSPECTION": "false", "CITYGRAPH_PLAYGROUND": "true"}), "/")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Introspection is switched off on this server") {
			t.Errorf("GET / = %d, want the page with the notice; body %.300s", w.Code, w.Body.String())
		}
	})
}

// The switches reach /graphql through NewServer.
func TestServerRefusesWhatIsSwitchedOff(t *testing.T) {
	post := func(t *testing.T, h http.Handler, body string) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Body.String()
	}
	t.Run("introspection", func(t *testing.T) {
		got := post(t, serverWith(t, map[string]string{"CITYGRAPH_INTROSPECTION": "false"}), `{"query":"{ __schema { queryType { name } } }"}`)
		if !strings.Contains(got, `"INTROSPECTION_DISABLED"`) {
			t.Errorf("body = %s, want INTROSPECTION_DISABLED", got)
		}
	})
	t.Run("the access log names a trusted-mode refusal", func(t *testing.T) {
		env := map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": trustedManifest(t, `{ __typename }`)}
		cfg, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		tel := telemetry.New(telemetry.Options{AccessLog: slog.New(slog.NewTextHandler(&logs, nil))})
		h := NewServer(memoryStore(t), slog.New(slog.DiscardHandler), cfg, tel)
		post(t, h, `{"query":"query Other { __typename }"}`)
		if !strings.Contains(logs.String(), "refusal=trusted") {
			t.Errorf("access log = %q, want refusal=trusted", logs.String())
		}
	})
	t.Run("free text in trusted mode", func(t *testing.T) {
		h := serverWith(t, map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": trustedManifest(t, `{ __typename }`)})
		if got := post(t, h, `{"query":"{ __typename }"}`); !strings.Contains(got, `"__typename":"Query"`) {
			t.Errorf("manifest text: body = %s, want it to run", got)
		}
		if got := post(t, h, `{"query":"query Other { __typename }"}`); !strings.Contains(got, `"PERSISTED_QUERY_REQUIRED"`) {
			t.Errorf("other text: body = %s, want PERSISTED_QUERY_REQUIRED", got)
		}
	})
}
