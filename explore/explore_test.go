package explore_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/explore"
)

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestPage(t *testing.T) {
	h := explore.Handler("/graphql")
	rec := get(t, h, http.MethodGet, "/explore")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /explore = %d, want 200", rec.Code)
	}
	for header, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": explore.ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := rec.Header().Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	body := rec.Body.String()
	for _, want := range []string{
		`"endpoint":"/graphql"`,
		explore.AssetPrefix + "cytoscape.min.js?v=",
		explore.AssetPrefix + "explore.js?v=",
		explore.AssetPrefix + "explore.css?v=",
		explore.AssetPrefix + "credential.js?v=",
		`<input id="credential" type="password"`, `id="credential-forget"`, `id="credential-message"`,
		`<label for="search-text">`, `id="as-of"`, `id="relation-kinds"`, `id="path-find"`, `id="save-png"`, `id="save-svg"`, `id="legend"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://", "//cdn", "//unpkg"} {
		if strings.Contains(body, bad) {
			t.Errorf("page refers to %q: it must load same-origin files only", bad)
		}
	}
	// Every src= and href= is a same-origin file of the explorer or a fragment.
	for _, attr := range []string{`src="`, `href="`} {
		for _, part := range strings.Split(body, attr)[1:] {
			if !strings.HasPrefix(part, explore.AssetPrefix) && !strings.HasPrefix(part, "#") {
				t.Errorf("%s%s…: not under %s", attr, part[:min(len(part), 40)], explore.AssetPrefix)
			}
		}
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	csp := explore.ContentSecurityPolicy
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want+";") && !strings.HasSuffix(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	// Cytoscape.js adds one <style>; the policy allows that one, by hash, and no other inline code.
	sum := sha256.Sum256([]byte(".__________cytoscape_container { position: relative; }"))
	if want := "style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
		t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("Content-Security-Policy %q allows %s", csp, bad)
		}
	}
}

func TestAssets(t *testing.T) {
	h := explore.Handler("/graphql")
	page := get(t, h, http.MethodGet, "/explore").Body.String()
	for _, tc := range []struct{ name, contentType string }{
		{"cytoscape.min.js", "text/javascript; charset=utf-8"},
		{"explore.js", "text/javascript; charset=utf-8"},
		{"explore.css", "text/css; charset=utf-8"},
		{"VERSIONS", "text/plain; charset=utf-8"},
		{"licenses/cytoscape.LICENSE", "text/plain; charset=utf-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, http.MethodGet, explore.AssetPrefix+tc.name)
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Fatalf("GET %s = %d with %d bytes, want 200 with the file", tc.name, rec.Code, rec.Body.Len())
			}
			if ct := rec.Header().Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.contentType)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("unversioned Cache-Control = %q, want no-cache", cc)
			}
			req := httptest.NewRequest(http.MethodGet, explore.AssetPrefix+tc.name, nil)
			req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
			rec2 := httptest.NewRecorder()
			h.ServeHTTP(rec2, req)
			if rec2.Code != http.StatusNotModified {
				t.Errorf("GET with its ETag = %d, want 304", rec2.Code)
			}
		})
	}
	i := strings.Index(page, explore.AssetPrefix+"cytoscape.min.js?v=")
	if i < 0 {
		t.Fatal("no versioned cytoscape.min.js URL in the page")
	}
	u := page[i:]
	u = u[:strings.IndexByte(u, '"')]
	rec := get(t, h, http.MethodGet, u)
	if cc := rec.Header().Get("Cache-Control"); rec.Code != http.StatusOK || !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("GET %s = %d, Cache-Control %q; want a year's caching", u, rec.Code, cc)
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := explore.Handler("/graphql")
	for _, tc := range []struct {
		name, method, target string
		want                 int
	}{
		{"an unknown file", http.MethodGet, explore.AssetPrefix + "nope.js", http.StatusNotFound},
		{"a path out of the assets", http.MethodGet, explore.AssetPrefix + "../explore.go", http.StatusNotFound},
		{"a dotted path", http.MethodGet, explore.AssetPrefix + "./explore.js", http.StatusNotFound},
		{"the page's directory", http.MethodGet, explore.AssetPrefix, http.StatusNotFound},
		{"another path under /explore", http.MethodGet, "/explore/graph", http.StatusNotFound},
		{"a trailing slash redirects", http.MethodGet, "/explore/", http.StatusMovedPermanently},
		{"POST to the page", http.MethodPost, "/explore", http.StatusMethodNotAllowed},
		{"DELETE of a file", http.MethodDelete, explore.AssetPrefix + "explore.js", http.StatusMethodNotAllowed},
		{"HEAD of the page", http.MethodHead, "/explore", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.method, tc.target)
			if rec.Code != tc.want {
				t.Errorf("%s %s = %d, want %d", tc.method, tc.target, rec.Code, tc.want)
			}
			if tc.want == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q, want GET, HEAD", rec.Header().Get("Allow"))
			}
		})
	}
}

func TestExportOffered(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []explore.Option
		want []string
	}{
		{"with an export endpoint", []explore.Option{explore.WithExport("/export")}, []string{`"export":"/export"`, `<fieldset id="export">`}},
		{"without one the downloads are hidden", nil, []string{`<fieldset id="export" hidden>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := get(t, explore.Handler("/graphql", tc.opts...), http.MethodGet, "/explore").Body.String()
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

func TestNotice(t *testing.T) {
	rec := get(t, explore.Handler("/graphql", explore.WithNotice("only <trusted> documents")), http.MethodGet, "/explore")
	if body := rec.Body.String(); !strings.Contains(body, "only &lt;trusted&gt; documents") {
		t.Errorf("page lacks the escaped notice")
	}
	if body := get(t, explore.Handler("/graphql"), http.MethodGet, "/explore").Body.String(); strings.Contains(body, `class="notice"`) {
		t.Errorf("page without a notice shows one")
	}
}

func TestSwitchedOff(t *testing.T) {
	h := explore.SwitchedOff("set CITYGRAPH_EXPLORE=true")
	for _, target := range []string{"/explore", explore.AssetPrefix + "explore.js"} {
		rec := get(t, h, http.MethodGet, target)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "switched off") || !strings.Contains(rec.Body.String(), "CITYGRAPH_EXPLORE") {
			t.Errorf("GET %s = %d %q, want 404 saying it is switched off and how to turn it on", target, rec.Code, rec.Body.String())
		}
	}
}

// TestVersionsMatchAssets checks that every file VERSIONS lists is there
// with the checksum it records, so that a hand edit of an embedded build is seen.
func TestVersionsMatchAssets(t *testing.T) {
	f, err := os.Open(filepath.Join("assets", "VERSIONS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var listed int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Errorf("VERSIONS line %q: want package@version, sha256 and file", line)
			continue
		}
		b, err := os.ReadFile(filepath.Join("assets", fields[2]))
		if err != nil {
			t.Errorf("VERSIONS lists %s: %v", fields[2], err)
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != fields[1] {
			t.Errorf("%s has sha256 %s, VERSIONS says %s: run scripts/refresh-explore", fields[2], got, fields[1])
		}
		listed++
	}
	if listed == 0 {
		t.Errorf("VERSIONS lists no file")
	}
}
