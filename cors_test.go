package main

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestCORSOrigins(t *testing.T) {
	good := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"https://app.example.org", []string{"https://app.example.org"}},
		{" https://app.example.org/ , http://localhost:5173,", []string{"https://app.example.org", "http://localhost:5173"}},
		{"https://*.example.org", []string{"https://*.example.org"}},
		{"*", []string{"*"}},
	}
	for _, tc := range good {
		got, err := corsOrigins(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("corsOrigins(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"app.example.org", "ftp://app.example.org", "https://app.example.org/graphql", "https://app.example.org?x=1", "https://user@app.example.org", "https://*.*.example.org", "https://"} {
		if got, err := corsOrigins(bad); err == nil || !strings.Contains(err.Error(), "not an origin") {
			t.Errorf("corsOrigins(%q) = %q, %v; want an error saying it is not an origin", bad, got, err)
		}
	}
}

func TestCORS(t *testing.T) {
	const allowed, other = "https://app.example.org", "https://evil.example.com"
	open := serverWith(t, map[string]string{"CITYGRAPH_CORS_ORIGINS": allowed + ", http://localhost:5173"})
	closed := serverWith(t, nil)

	preflight := func(h http.Handler, origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	post := func(h http.Handler, origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}

	t.Run("preflight from an allowed origin", func(t *testing.T) {
		w := preflight(open, allowed)
		if w.Code/100 != 2 {
			t.Errorf("status = %d, want 2xx", w.Code)
		}
		h := w.Header()
		if got := h.Get("Access-Control-Allow-Origin"); got != allowed {
			t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, allowed)
		}
		if got := h.Get("Access-Control-Allow-Methods"); !strings.Contains(got, http.MethodPost) {
			t.Errorf("Access-Control-Allow-Methods = %q, want POST", got)
		}
		if got := strings.ToLower(h.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "content-type") {
			t.Errorf("Access-Control-Allow-Headers = %q, want content-type", got)
		}
		if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("Access-Control-Allow-Credentials = %q, want none: the API takes no cookies", got)
		}
	})
	t.Run("preflight from the second allowed origin", func(t *testing.T) {
		if got := preflight(open, "http://localhost:5173").Header().Get("Access-Control-Allow-Origin"); got != "http://localhost:5173" {
			t.Errorf("Access-Control-Allow-Origin = %q, want http://localhost:5173", got)
		}
	})
	t.Run("a request from an allowed origin", func(t *testing.T) {
		w := post(open, allowed)
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != allowed {
			t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, allowed)
		}
		if !strings.Contains(w.Body.String(), `"__typename":"Query"`) {
			t.Errorf("body = %s, want the answer", w.Body.String())
		}
	})
	for name, h := range map[string]http.Handler{"another origin": open, "any origin with none allowed": closed} {
		t.Run("no CORS headers for "+name, func(t *testing.T) {
			for _, w := range []*httptest.ResponseRecorder{preflight(h, other), post(h, other)} {
				for k := range w.Header() {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Errorf("header %s: %q, want no CORS headers", k, w.Header().Get(k))
					}
				}
			}
		})
	}
	t.Run("only /graphql answers other origins", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("Origin", allowed)
		w := httptest.NewRecorder()
		open.ServeHTTP(w, req)
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("/healthz Access-Control-Allow-Origin = %q, want none", got)
		}
	})
}
