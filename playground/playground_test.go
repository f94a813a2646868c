package playground_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/playground"
)

var testExamples = []playground.Example{
	{Name: "City count", Query: "query CityCount {\n  cityCount\n}"},
	{Name: "Cities by name", Query: "query CitiesByName($name: String!) {\n  cities(name: $name) { id }\n}", Variables: `{"name": "Lyon"}`},
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestPage(t *testing.T) {
	h := playground.Handler("CityGraph <playground>", "/graphql", testExamples)
	rec := get(t, h, http.MethodGet, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`"endpoint":"/graphql"`,
		"City count", "Cities by name",
		`CityCount {\n  cityCount\n}`,
		`{\"name\": \"Lyon\"}`,
		"CityGraph &lt;playground&gt;", // the title is escaped
		"/playground/assets/graphiql.min.js?v=",
		"/playground/assets/graphiql.min.css?v=",
		"/playground/assets/react.production.min.js?v=",
		"/playground/assets/react-dom.production.min.js?v=",
		"/playground/assets/credential.js?v=",
		"/playground/assets/init.js?v=",
		`<input id="credential" type="password"`, `id="credential-forget"`, `id="credential-message"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "CityGraph <playground>") {
		t.Errorf("title not escaped")
	}
	for _, bad := range []string{"http://", "https://", "//unpkg", "//cdn"} {
		if strings.Contains(body, bad) {
			t.Errorf("page refers to %q: it must load same-origin assets only", bad)
		}
	}
	// Every src= and href= is a same-origin absolute path.
	for _, attr := range []string{`src="`, `href="`} {
		for _, part := range strings.Split(body, attr)[1:] {
			if !strings.HasPrefix(part, playground.AssetPrefix) {
				t.Errorf("%s%s...: not under %s", attr, part[:min(len(part), 40)], playground.AssetPrefix)
			}
		}
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "style-src 'self' 'unsafe-inline'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("Content-Security-Policy %q allows inline or eval'd scripts", csp)
	}
}

func TestPageWithoutExamples(t *testing.T) {
	rec := get(t, playground.Handler("", "/graphql", nil), http.MethodGet, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>GraphiQL</title>") {
		t.Errorf("GET / without examples = %d %q", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "defaultTabs") {
		t.Errorf("page without examples has defaultTabs")
	}
}

func TestAbsoluteEndpointAllowedByCSP(t *testing.T) {
	rec := get(t, playground.Handler("t", "http://127.0.0.1:8080/graphql", nil), http.MethodGet, "/")
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' http://127.0.0.1:8080 ws://127.0.0.1:8080;") {
		t.Errorf("Content-Security-Policy %q does not allow the endpoint's origin and its websocket (subscriptions)", csp)
	}
}

func TestAssets(t *testing.T) {
	h := playground.Handler("t", "/graphql", testExamples)
	page := get(t, h, http.MethodGet, "/").Body.String()
	for _, tc := range []struct{ name, contentType string }{
		{"graphiql.min.js", "text/javascript; charset=utf-8"},
		{"react.production.min.js", "text/javascript; charset=utf-8"},
		{"react-dom.production.min.js", "text/javascript; charset=utf-8"},
		{"init.js", "text/javascript; charset=utf-8"},
		{"graphiql.min.css", "text/css; charset=utf-8"},
		{"init.css", "text/css; charset=utf-8"},
		{"VERSIONS", "text/plain; charset=utf-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Unversioned URL: served, but revalidated.
			rec := get(t, h, http.MethodGet, playground.AssetPrefix+tc.name)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", tc.name, rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.contentType)
			}
			if rec.Body.Len() == 0 {
				t.Errorf("empty body")
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("unversioned Cache-Control = %q, want no-cache", cc)
			}
			etag := rec.Header().Get("ETag")
			if etag == "" {
				t.Fatalf("no ETag")
			}
			// Same ETag: 304.
			req := httptest.NewRequest(http.MethodGet, playground.AssetPrefix+tc.name, nil)
			req.Header.Set("If-None-Match", etag)
			rec2 := httptest.NewRecorder()
			h.ServeHTTP(rec2, req)
			if rec2.Code != http.StatusNotModified {
				t.Errorf("conditional GET = %d, want 304", rec2.Code)
			}
		})
	}
	// The versioned URLs in the page are cached for long.
	i := strings.Index(page, playground.AssetPrefix+"graphiql.min.js?v=")
	if i < 0 {
		t.Fatal("no versioned graphiql.min.js URL in page")
	}
	u := page[i:]
	u = u[:strings.IndexByte(u, '"')]
	rec := get(t, h, http.MethodGet, u)
	if cc := rec.Header().Get("Cache-Control"); rec.Code != http.StatusOK || !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("GET %s = %d, Cache-Control %q; want long caching", u, rec.Code, cc)
	}
}

func TestInitJSIsSameOrigin(t *testing.T) {
	h := playground.Handler("t", "/graphql", nil)
	for _, name := range []string{"init.js", "init.css"} {
		body, _ := io.ReadAll(get(t, h, http.MethodGet, playground.AssetPrefix+name).Body)
		for _, bad := range []string{"http://", "https://", "//"} {
			if name == "init.js" && bad == "//" {
				continue // comments
			}
			if strings.Contains(string(body), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestVersionsFile(t *testing.T) {
	body := get(t, playground.Handler("t", "/graphql", nil), http.MethodGet, playground.AssetPrefix+"VERSIONS").Body.String()
	for _, want := range []string{"graphiql@3.", "react@18.", "react-dom@18.", "graphiql.min.js", "graphiql.min.css"} {
		if !strings.Contains(body, want) {
			t.Errorf("VERSIONS lacks %q:\n%s", want, body)
		}
	}
}

func TestNotFound(t *testing.T) {
	h := playground.Handler("t", "/graphql", testExamples)
	for _, p := range []string{
		"/nope",
		"/index.html",
		"/graphql",
		"/playground",
		"/playground/",
		"/playground/assets/",
		"/playground/assets/licenses",
		"/playground/assets/licenses/",
		"/playground/assets/missing.js",
		"/playground/assets/../playground.go",
		"/playground/assets/./init.js",
		"/playground/assets//init.js",
	} {
		if rec := get(t, h, http.MethodGet, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
}

func TestMethods(t *testing.T) {
	h := playground.Handler("t", "/graphql", nil)
	if rec := get(t, h, http.MethodPost, "/"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", rec.Code)
	}
	if rec := get(t, h, http.MethodHead, "/"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD / = %d with %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := get(t, h, http.MethodHead, playground.AssetPrefix+"init.js"); rec.Code != http.StatusOK {
		t.Errorf("HEAD init.js = %d", rec.Code)
	}
}

func TestPageNotice(t *testing.T) {
	t.Run("shown above the editor, escaped", func(t *testing.T) {
		body := get(t, playground.Handler("t", "/graphql", nil, playground.WithNotice("No <schema> here")), http.MethodGet, "/").Body.String()
		notice := strings.Index(body, `<p class="playground-notice" role="status">No &lt;schema&gt; here</p>`)
		editor := strings.Index(body, `<div id="graphiql">`)
		if notice < 0 || editor < 0 || notice > editor {
			t.Errorf("page lacks the escaped notice before the editor:\n%s", body)
		}
	})
	t.Run("absent by default", func(t *testing.T) {
		body := get(t, playground.Handler("t", "/graphql", nil), http.MethodGet, "/").Body.String()
		if strings.Contains(body, "playground-notice") {
			t.Errorf("page has a notice, want none:\n%s", body)
		}
	})
}
