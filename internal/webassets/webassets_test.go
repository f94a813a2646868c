package webassets_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/citygraph/citygraph/internal/webassets"
)

func newSet(t *testing.T) *webassets.Set {
	t.Helper()
	set, err := webassets.New(fstest.MapFS{
		"app.js":             {Data: []byte("console.log(1)")},
		"licenses/a.LICENSE": {Data: []byte("MIT")},
	}, "/x/assets/")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestNewRefusesAPrefixWithoutSlashes(t *testing.T) {
	for _, prefix := range []string{"x/assets/", "/x/assets", ""} {
		if _, err := webassets.New(fstest.MapFS{}, prefix); err == nil {
			t.Errorf("New(%q) = nil error, want one saying the prefix must start and end with /", prefix)
		}
	}
}

func TestURLIsVersionedByContent(t *testing.T) {
	set := newSet(t)
	u := set.URL("app.js")
	if !strings.HasPrefix(u, "/x/assets/app.js?v=") || len(u) != len("/x/assets/app.js?v=")+16 {
		t.Errorf("URL = %q, want /x/assets/app.js?v=<16 hex digits>", u)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("URL of a missing file did not panic")
		}
	}()
	set.URL("missing.js")
}

func TestServeHTTP(t *testing.T) {
	set := newSet(t)
	for _, tc := range []struct {
		name, method, target string
		want                 int
		cache                string
	}{
		{"a file, unversioned", http.MethodGet, "/x/assets/app.js", http.StatusOK, "no-cache"},
		{"a file, versioned", http.MethodGet, set.URL("app.js"), http.StatusOK, "public, max-age=31536000, immutable"},
		{"a file, stale version", http.MethodGet, "/x/assets/app.js?v=0000000000000000", http.StatusOK, "no-cache"},
		{"a file in a folder", http.MethodGet, "/x/assets/licenses/a.LICENSE", http.StatusOK, "no-cache"},
		{"a missing file", http.MethodGet, "/x/assets/b.js", http.StatusNotFound, ""},
		{"a path that climbs", http.MethodGet, "/x/assets/licenses/../app.js", http.StatusNotFound, ""},
		{"another prefix", http.MethodGet, "/y/assets/app.js", http.StatusNotFound, ""},
		{"a POST", http.MethodPost, "/x/assets/app.js", http.StatusMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			set.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			if rec.Code != tc.want {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.target, rec.Code, tc.want)
			}
			if got := rec.Header().Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			if tc.want == http.StatusOK && rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no X-Content-Type-Options: nosniff")
			}
		})
	}
}

func TestServePage(t *testing.T) {
	for _, tc := range []struct {
		method   string
		want     int
		wantBody string
	}{
		{http.MethodGet, http.StatusOK, "<p>hi</p>"},
		{http.MethodHead, http.StatusOK, ""},
		{http.MethodPut, http.StatusMethodNotAllowed, "use GET or HEAD"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			webassets.ServePage(rec, httptest.NewRequest(tc.method, "/", nil), []byte("<p>hi</p>"), "default-src 'none'")
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.wantBody) || (tc.wantBody == "" && rec.Body.Len() > 0) {
				t.Errorf("%s = %d %q, want %d %q", tc.method, rec.Code, rec.Body.String(), tc.want, tc.wantBody)
			}
			if tc.want == http.StatusOK && rec.Header().Get("Content-Security-Policy") != "default-src 'none'" {
				t.Errorf("Content-Security-Policy = %q, want the page's", rec.Header().Get("Content-Security-Policy"))
			}
		})
	}
}

// TestExtraTreesAreServedBeside: a file that several pages share is served
// from its own tree under each set's prefix, and a name in two trees is
// refused when the set is made.
func TestExtraTreesAreServedBeside(t *testing.T) {
	shared := fstest.MapFS{"box.js": {Data: []byte("shared()")}}
	set, err := webassets.New(fstest.MapFS{"app.js": {Data: []byte("own()")}}, "/x/assets/", shared)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"app.js": "own()", "box.js": "shared()"} {
		w := httptest.NewRecorder()
		set.ServeHTTP(w, httptest.NewRequest(http.MethodGet, set.URL(name), nil))
		if w.Code != http.StatusOK || w.Body.String() != want {
			t.Errorf("GET %s = %d %q, want 200 %q", set.URL(name), w.Code, w.Body.String(), want)
		}
	}
	if _, err := webassets.New(fstest.MapFS{"box.js": {Data: []byte("mine")}}, "/y/", shared); err == nil || !strings.Contains(err.Error(), "box.js") {
		t.Errorf("New with box.js in two trees: err = %v, want one naming box.js", err)
	}
}
