package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Authenticator checks a request's credential: an API key or a JWT, sent
// as "Authorization: Bearer <credential>".
type Authenticator struct {
	keys   KeySet
	tokens *tokenVerifier
}

// NewAuthenticator returns an authenticator for keys and, when jwt is
// enabled, bearer tokens; a JWKS key set is refreshed until ctx ends.
func NewAuthenticator(ctx context.Context, keys KeySet, jwt JWTConfig) (*Authenticator, error) {
	a := &Authenticator{keys: keys}
	if jwt.Enabled() {
		v, err := newTokenVerifier(ctx, jwt)
		if err != nil {
			return nil, err
		}
		a.tokens = v
	}
	return a, nil
}

// Authenticate returns the principal of an Authorization value: Anonymous
// for none, and EUNAUTHENTICATED for one that does not check out (a wrong
// key, a bad, expired or wrongly signed token): a bad credential is never
// taken for no credential.
func (a *Authenticator) Authenticate(authorization string) (Principal, error) {
	authorization = strings.TrimSpace(authorization)
	if authorization == "" {
		return Principal{}, nil
	}
	scheme, cred, _ := strings.Cut(authorization, " ")
	cred = strings.TrimSpace(cred)
	if !strings.EqualFold(scheme, "Bearer") || cred == "" {
		return Principal{}, unauthenticated("the Authorization header must be \"Bearer <API key or JWT>\"")
	}
	if a == nil {
		return Principal{}, unauthenticated("this service accepts no credentials; send the request without one")
	}
	if strings.HasPrefix(cred, KeyPrefix) {
		if p, ok := a.keys.Lookup(cred); ok {
			return p, nil
		}
		return Principal{}, unauthenticated("the API key is not one this service knows; ask the operator for a key")
	}
	if a.tokens == nil {
		return Principal{}, unauthenticated("this service accepts no JWTs (none is configured); send an API key")
	}
	p, err := a.tokens.verify(cred)
	if err != nil {
		return Principal{}, unauthenticated(err.Error())
	}
	return p, nil
}

func unauthenticated(msg string) *domain.Error {
	return domain.Errorf(domain.EUNAUTHENTICATED, "%s", msg)
}

// Challenge is the WWW-Authenticate value of a 401 (RFC 6750).
func Challenge(err error) string {
	if err == nil {
		return `Bearer realm="citygraph"`
	}
	return fmt.Sprintf(`Bearer realm="citygraph", error="invalid_token", error_description=%q`,
		strings.ReplaceAll(domain.ErrorMessage(err), `"`, "'"))
}

type failureKey struct{}

// Middleware authenticates each request: the principal goes in its
// context (auth.FromContext). A bad credential is kept as the request's
// failure for Refuse, so that the admission check between them limits
// the rate of bad attempts by address.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r.Header.Get("Authorization"))
		switch {
		case err != nil:
			r = r.WithContext(context.WithValue(r.Context(), failureKey{}, err))
		case p != Principal{} || FromContext(r.Context()) != Principal{}:
			r = r.WithContext(WithPrincipal(r.Context(), p))
		} // else the context already answers Anonymous: it is left as it is
		next.ServeHTTP(w, r)
	})
}

// Require refuses a request whose principal lacks role: 401
// UNAUTHENTICATED without a credential, 403 FORBIDDEN with too low a
// role. It guards endpoints other than /graphql, whose operations the
// GraphQL layer checks field by field.
func Require(role Role, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := FromContext(r.Context())
		switch {
		case p.Role >= role:
			next.ServeHTTP(w, r)
		case p.Role == Anonymous:
			refuse(w, http.StatusUnauthorized, domain.EUNAUTHENTICATED, Challenge(nil),
				fmt.Sprintf("this needs a credential with the %s role; send \"Authorization: Bearer <API key or JWT>\"", role))
		default:
			refuse(w, http.StatusForbidden, domain.EFORBIDDEN, "",
				fmt.Sprintf("this needs the %s role; the credential of %q has the %s role", role, p.Subject, p.Role))
		}
	})
}

// Refuse answers 401 UNAUTHENTICATED, with WWW-Authenticate, to a request
// whose credential Middleware refused; others go to next.
func Refuse(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err, _ := r.Context().Value(failureKey{}).(error)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		refuse(w, http.StatusUnauthorized, domain.EUNAUTHENTICATED, Challenge(err), domain.ErrorMessage(err))
	})
}

// refuse writes a GraphQL-shaped error with its status and, for a 401,
// the WWW-Authenticate challenge.
func refuse(w http.ResponseWriter, status int, code domain.Code, challenge, msg string) {
	if challenge != "" {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]any{"code": code}}}})
}

// ClientKey keys admission by credential: an authenticated request by its
// subject, so that its limit follows it across addresses, any other by
// fallback (its address).
func ClientKey(fallback func(*http.Request) string) func(*http.Request) string {
	return func(r *http.Request) string {
		if p := FromContext(r.Context()); p.Subject != "" {
			return "sub:" + p.Subject
		}
		return fallback(r)
	}
}
