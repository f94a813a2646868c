package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
)

const testSecret = "an-hs256-secret-of-32-bytes-or-more!"

// newKeyLine runs `citygraph key new` and returns the key and its line.
func newKeyLine(t *testing.T, name, role string) (key, line string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"key", "new", "--name", name, "--role", role}, func(string) string { return "" }, nil, &out, io.Discard); err != nil {
		t.Fatalf("key new: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("key new printed %q; want a key and a line", out.String())
	}
	return lines[0], lines[1]
}

func postWithAuth(t *testing.T, h http.Handler, authorization string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = "192.0.2.1:1234"
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestServiceChecksCredentials(t *testing.T) {
	key, line := newKeyLine(t, "ci", "reader")
	stray, _ := newKeyLine(t, "stray", "admin")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"CITYGRAPH_API_KEYS": line, "CITYGRAPH_JWT_SECRET": testSecret, "CITYGRAPH_REQUIRE_READER": "1"}
	cfg, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := buildAuthenticator(ctx, &cfg); err != nil {
		t.Fatal(err)
	}
	h := NewServer(memoryStore(t), quietLog(), cfg, telemetry.New(telemetry.Options{}))
	token := func(exp time.Duration) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "app", "role": "reader", "exp": time.Now().Add(exp).Unix()}).SignedString([]byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name, authorization string
		want                int
	}{
		{"no credential, reader required", "", http.StatusUnauthorized},
		{"the key key new printed", "Bearer " + key, http.StatusOK},
		{"a key not configured", "Bearer " + stray, http.StatusUnauthorized},
		{"a valid token", "Bearer " + token(time.Hour), http.StatusOK},
		{"an expired token", "Bearer " + token(-time.Hour), http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := postWithAuth(t, h, tc.authorization)
			if w.Code != tc.want {
				t.Fatalf("status: got %d (%s), want %d", w.Code, w.Body, tc.want)
			}
			if tc.want == http.StatusUnauthorized && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate: got %q, want a Bearer challenge", w.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

// A client's rate follows its credential: two keys from one address have
// a bucket each, and a refused credential is limited by its address.
func TestRateLimitKeysOnTheCredential(t *testing.T) {
	keyA, lineA := newKeyLine(t, "a", "reader")
	keyB, lineB := newKeyLine(t, "b", "reader")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"CITYGRAPH_API_KEYS": lineA + "," + lineB, "CITYGRAPH_RATE_LIMIT": "0.001", "CITYGRAPH_RATE_BURST": "1"}
	cfg, _, err := loadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := buildAuthenticator(ctx, &cfg); err != nil {
		t.Fatal(err)
	}
	h := NewServer(memoryStore(t), quietLog(), cfg, telemetry.New(telemetry.Options{}))
	for i, step := range []struct {
		authorization string
		want          int
	}{
		{"Bearer " + keyA, http.StatusOK},
		{"Bearer " + keyA, http.StatusTooManyRequests}, // a's burst is spent
		{"Bearer " + keyB, http.StatusOK},              // b has its own, from the same address
		{"", http.StatusOK},                            // so has the address itself
		{"Bearer cgk_bad", http.StatusTooManyRequests}, // a bad key counts against its address
	} {
		if w := postWithAuth(t, h, step.authorization); w.Code != step.want {
			t.Errorf("request %d: got %d (%s), want %d", i+1, w.Code, w.Body, step.want)
		}
	}
}

func TestLoadAuthRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a short secret", map[string]string{"CITYGRAPH_JWT_SECRET": "short"}, "at least 32"},
		{"a secret and a JWKS", map[string]string{"CITYGRAPH_JWT_SECRET": testSecret, "CITYGRAPH_JWT_JWKS_URL": "https://id.example.org/jwks"}, "both set"},
		{"a JWKS over plain http", map[string]string{"CITYGRAPH_JWT_JWKS_URL": "http://id.example.org/jwks"}, "https"},
		{"HS256 with a JWKS", map[string]string{"CITYGRAPH_JWT_JWKS_URL": "https://id.example.org/jwks", "CITYGRAPH_JWT_ALGORITHM": "HS256"}, "public-key"},
		{"a bad key line", map[string]string{"CITYGRAPH_API_KEYS": "ci:owner:00"}, "CITYGRAPH_API_KEYS"},
		{"a missing key file", map[string]string{"CITYGRAPH_API_KEYS_FILE": "/nonexistent/keys"}, "CITYGRAPH_API_KEYS_FILE"},
		{"require reader not a boolean", map[string]string{"CITYGRAPH_REQUIRE_READER": "maybe"}, "CITYGRAPH_REQUIRE_READER"},
		{"a feed bound of 0", map[string]string{"CITYGRAPH_FEED_MAX_PER_CLIENT": "0"}, "CITYGRAPH_FEED_MAX_PER_CLIENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadConfig(nil, func(k string) string { return tc.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// The running service accepts a websocket for subscriptions, past the
// request timeout and admission, with the credential in connection_init.
func TestServiceAcceptsSubscriptions(t *testing.T) {
	key, line := newKeyLine(t, "app", "reader")
	base, _ := startService(t, map[string]string{"CITYGRAPH_API_KEYS": line, "CITYGRAPH_REQUIRE_READER": "true", "CITYGRAPH_SEED_ON_START": "false"})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + key}})
	if err := conn.Write(ctx, websocket.MessageText, init); err != nil {
		t.Fatal(err)
	}
	_, b, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(b), `"connection_ack"`) {
		t.Fatalf("got %s, %v; want connection_ack", b, err)
	}
}
