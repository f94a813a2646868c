package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/golang-jwt/jwt/v5"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func newKey(t *testing.T, name string, role auth.Role) (key, line string) {
	t.Helper()
	key, line, err := auth.NewKey(name, role)
	if err != nil {
		t.Fatal(err)
	}
	return key, line
}

func TestAPIKeys(t *testing.T) {
	aliceKey, aliceLine := newKey(t, "alice", auth.Editor)
	rootKey, rootLine := newKey(t, "root", auth.Admin)
	strayKey, _ := newKey(t, "stray", auth.Admin) // never configured
	keys, err := auth.ParseKeys("# operators\n" + aliceLine + "," + rootLine + "\n")
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(context.Background(), keys, auth.JWTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header string
		want         auth.Principal
		wantCode     domain.Code
	}{
		{"no credential is anonymous", "", auth.Principal{}, ""},
		{"an editor's key", "Bearer " + aliceKey, auth.Principal{Subject: "alice", Role: auth.Editor}, ""},
		{"an admin's key, scheme in lower case", "bearer " + rootKey, auth.Principal{Subject: "root", Role: auth.Admin}, ""},
		{"an unknown key", "Bearer " + strayKey, auth.Principal{}, domain.EUNAUTHENTICATED},
		{"a key cut short", "Bearer " + aliceKey[:len(aliceKey)-1], auth.Principal{}, domain.EUNAUTHENTICATED},
		{"another scheme", "Basic " + aliceKey, auth.Principal{}, domain.EUNAUTHENTICATED},
		{"a JWT with none configured", "Bearer a.b.c", auth.Principal{}, domain.EUNAUTHENTICATED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Authenticate(tc.header)
			if code := domain.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("code: got %q (%v), want %q", code, err, tc.wantCode)
			}
			if got != tc.want {
				t.Errorf("principal: got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseKeysRefusesBadLines(t *testing.T) {
	_, good := newKey(t, "alice", auth.Reader)
	for _, tc := range []struct{ name, text, want string }{
		{"two fields", "alice:editor", "expected 3"},
		{"unknown role", "bob:owner:" + strings.Repeat("ab", 32), `role "owner" is not reader, editor or admin`},
		{"short hash", "bob:editor:abcd", "64 hexadecimal digits"},
		{"name used twice", good + "\n" + good, "given to two keys"},
		{"empty name", ":editor:" + strings.Repeat("ab", 32), "must be non-empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.ParseKeys(tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTWithSharedSecret(t *testing.T) {
	a, err := auth.NewAuthenticator(context.Background(), nil, auth.JWTConfig{
		Secret: secret, Issuer: "https://id.example.org", Audience: "citygraph", RoleClaim: "roles"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := func(over jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "app-1", "iss": "https://id.example.org", "aud": "citygraph",
			"exp": now.Add(time.Hour).Unix(), "roles": []string{"reader", "editor"}}
		for k, v := range over {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		return c
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		token    string
		want     auth.Principal
		wantText string // in the error, when the token is refused
	}{
		{"valid, highest role of a list", sign(t, jwt.SigningMethodHS256, secret, claims(nil)), auth.Principal{Subject: "app-1", Role: auth.Editor}, ""},
		{"no role claim is a reader", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"roles": nil})), auth.Principal{Subject: "app-1", Role: auth.Reader}, ""},
		{"expired within the leeway", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"exp": now.Add(-5 * time.Second).Unix()})), auth.Principal{Subject: "app-1", Role: auth.Editor}, ""},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"exp": now.Add(-time.Hour).Unix()})), auth.Principal{}, "expired"},
		{"not valid yet", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"nbf": now.Add(time.Hour).Unix()})), auth.Principal{}, "not valid yet"},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"exp": nil})), auth.Principal{}, "no exp"},
		{"another secret", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-00"), claims(nil)), auth.Principal{}, "signature does not verify"},
		{"another algorithm (HS512)", sign(t, jwt.SigningMethodHS512, secret, claims(nil)), auth.Principal{}, "signature does not verify"},
		{"an RSA key", sign(t, jwt.SigningMethodRS256, rsaKey, claims(nil)), auth.Principal{}, "signature does not verify"},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), auth.Principal{}, "signature does not verify"},
		{"another issuer", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"iss": "https://evil.example"})), auth.Principal{}, "issuer"},
		{"another audience", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"aud": "other"})), auth.Principal{}, "audience"},
		{"no subject", sign(t, jwt.SigningMethodHS256, secret, claims(jwt.MapClaims{"sub": nil})), auth.Principal{}, "no sub"},
		{"malformed", "not-a.jwt", auth.Principal{}, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Authenticate("Bearer " + tc.token)
			if tc.wantText == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				return
			}
			if code := domain.ErrorCode(err); code != domain.EUNAUTHENTICATED || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("got %q %v (principal %+v), want UNAUTHENTICATED containing %q", code, err, got, tc.wantText)
			}
		})
	}
}

func TestJWTFromJWKS(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := auth.NewAuthenticator(ctx, nil, auth.JWTConfig{JWKSURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"sub": "svc", "exp": time.Now().Add(time.Hour).Unix(), "role": "admin"}
	for _, tc := range []struct {
		name    string
		token   string
		wantErr bool
	}{
		{"signed by the published key", sign(t, jwt.SigningMethodRS256, key, claims), false},
		{"signed by another key", sign(t, jwt.SigningMethodRS256, other, claims), true},
		{"HS256 with the public key as secret", sign(t, jwt.SigningMethodHS256, key.PublicKey.N.Bytes(), claims), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Authenticate("Bearer " + tc.token)
			if tc.wantErr {
				if domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
					t.Fatalf("got %+v, %v; want UNAUTHENTICATED", got, err)
				}
				return
			}
			if err != nil || got != (auth.Principal{Subject: "svc", Role: auth.Admin}) {
				t.Fatalf("got %+v, %v; want svc as admin", got, err)
			}
		})
	}
}

func TestMiddlewareRefusesBadCredentials(t *testing.T) {
	key, line := newKey(t, "alice", auth.Editor)
	keys, err := auth.ParseKeys(line)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(context.Background(), keys, auth.JWTConfig{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	var seen []auth.Principal
	h := a.Middleware(auth.Refuse(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, auth.FromContext(r.Context()))
	})))
	expired := sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "x", "exp": time.Now().Add(-time.Hour).Unix()})
	for _, tc := range []struct {
		name, header string
		wantStatus   int
	}{
		{"anonymous passes", "", http.StatusOK},
		{"a good key passes", "Bearer " + key, http.StatusOK},
		{"an expired token is refused", "Bearer " + expired, http.StatusUnauthorized},
		{"a wrong key is refused", "Bearer cgk_nope", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("status: got %d, want %d", w.Code, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusOK {
				if len(seen) != 1 {
					t.Fatalf("next ran %d times, want 1", len(seen))
				}
				return
			}
			if len(seen) != 0 {
				t.Errorf("next ran for a refused credential, as %+v", seen)
			}
			if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, `Bearer realm="citygraph", error="invalid_token"`) {
				t.Errorf("WWW-Authenticate: got %q", got)
			}
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("body: got %s (%v), want one UNAUTHENTICATED error", w.Body, err)
			}
		})
	}
}

// The principal next sees is the credential's, and Anonymous without one,
// whatever the context held before the middleware.
func TestMiddlewareSetsThePrincipal(t *testing.T) {
	key, line := newKey(t, "alice", auth.Editor)
	keys, err := auth.ParseKeys(line)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAuthenticator(context.Background(), keys, auth.JWTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var got auth.Principal
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = auth.FromContext(r.Context()) }))
	planted := auth.WithPrincipal(context.Background(), auth.Principal{Subject: "mallory", Role: auth.Admin})
	for _, tc := range []struct {
		name   string
		header string
		ctx    context.Context
		want   auth.Principal
	}{
		{"no credential is Anonymous", "", context.Background(), auth.Principal{}},
		{"no credential is Anonymous over a principal already in the context", "", planted, auth.Principal{}},
		{"a key is its holder", "Bearer " + key, context.Background(), auth.Principal{Subject: "alice", Role: auth.Editor}},
		{"a key is its holder over a principal already in the context", "Bearer " + key, planted, auth.Principal{Subject: "alice", Role: auth.Editor}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = auth.Principal{Subject: "unset"}
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil).WithContext(tc.ctx)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("principal: got %+v, want %+v", got, tc.want)
			}
		})
	}
}
