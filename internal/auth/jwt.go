package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// JWTConfig says which bearer tokens the service accepts: signed with a
// shared secret (HS256) or by a key from a JWKS URL, never both.
type JWTConfig struct {
	// Secret is the HMAC key of HS256 tokens, at least 32 bytes.
	Secret []byte
	// JWKSURL is where the identity provider publishes its public keys.
	JWKSURL string
	// Algorithm is the one signing algorithm accepted (pinned, so that a
	// token cannot pick a weaker one or "none"): HS256 with a secret,
	// RS256 by default with a JWKS.
	Algorithm string
	// Issuer and Audience, when set, must match the token's iss and aud.
	Issuer, Audience string
	// RoleClaim names the claim that holds the role; "role" by default.
	RoleClaim string
	// Leeway is the clock skew allowed on exp and nbf; 30 s by default.
	Leeway time.Duration
}

// Enabled reports whether bearer tokens are configured at all.
func (c JWTConfig) Enabled() bool { return len(c.Secret) > 0 || c.JWKSURL != "" }

// Validate says what is wrong with c, naming the setting.
func (c JWTConfig) Validate() error {
	switch {
	case len(c.Secret) > 0 && c.JWKSURL != "":
		return errors.New("CITYGRAPH_JWT_SECRET and CITYGRAPH_JWT_JWKS_URL are both set; set one")
	case len(c.Secret) > 0 && len(c.Secret) < 32:
		return fmt.Errorf("CITYGRAPH_JWT_SECRET is %d bytes; use at least 32 random bytes", len(c.Secret))
	case len(c.Secret) > 0 && c.Algorithm != "" && c.Algorithm != "HS256":
		return fmt.Errorf("CITYGRAPH_JWT_ALGORITHM is %s, but a shared secret signs HS256 only", c.Algorithm)
	case c.JWKSURL != "" && c.Algorithm != "" && !isPublicKeyAlgorithm(c.Algorithm):
		return fmt.Errorf("CITYGRAPH_JWT_ALGORITHM is %q; with a JWKS use a public-key algorithm (RS256, PS256, ES256, EdDSA, …)", c.Algorithm)
	}
	return nil
}

func isPublicKeyAlgorithm(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}

// tokenVerifier checks bearer tokens with golang-jwt.
type tokenVerifier struct {
	parser    *jwt.Parser
	keys      jwt.Keyfunc
	roleClaim string
}

// newTokenVerifier builds the verifier; with a JWKS URL it starts a
// refresh of the key set that stops when ctx ends.
func newTokenVerifier(ctx context.Context, c JWTConfig) (*tokenVerifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	alg, leeway, claim := c.Algorithm, c.Leeway, c.RoleClaim
	if leeway == 0 {
		leeway = 30 * time.Second
	}
	if claim == "" {
		claim = "role"
	}
	v := &tokenVerifier{roleClaim: claim}
	if len(c.Secret) > 0 {
		alg = "HS256"
		secret := c.Secret
		v.keys = func(*jwt.Token) (any, error) { return secret, nil }
	} else {
		if alg == "" {
			alg = "RS256"
		}
		kf, err := keyfunc.NewDefaultCtx(ctx, []string{c.JWKSURL})
		if err != nil {
			return nil, fmt.Errorf("CITYGRAPH_JWT_JWKS_URL: %w", err)
		}
		v.keys = kf.KeyfuncCtx(ctx)
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{alg}), jwt.WithLeeway(leeway), jwt.WithExpirationRequired()}
	if c.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(c.Issuer))
	}
	if c.Audience != "" {
		opts = append(opts, jwt.WithAudience(c.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// verify returns the token's principal: sub as the subject, the role
// claim's highest known role (reader when it names none). Any failure is
// a reason for the client, never a fallback to anonymous.
func (v *tokenVerifier) verify(token string) (Principal, error) {
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(token, claims, v.keys); err != nil {
		return Principal{}, tokenError(err)
	}
	sub, _ := claims.GetSubject()
	if sub == "" {
		return Principal{}, errors.New("the token has no sub claim; the service records it as the author of writes")
	}
	p := Principal{Subject: sub, Role: Reader}
	var names []string
	switch r := claims[v.roleClaim].(type) {
	case string:
		names = strings.Fields(strings.ReplaceAll(r, ",", " "))
	case []any:
		for _, x := range r {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	}
	for _, n := range names {
		if role, err := ParseRole(n); err == nil && role > p.Role {
			p.Role = role
		}
	}
	return p, nil
}

// tokenError says in a sentence why a token was refused.
func tokenError(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("the token has expired; get a new one")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return errors.New("the token is not valid yet (nbf); check the clocks")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return errors.New("the token has no exp claim; tokens must expire")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return errors.New("the token's issuer (iss) is not the one this service trusts")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return errors.New("the token's audience (aud) does not name this service")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return errors.New("the token's signature does not verify: it was signed with another key or algorithm")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("the token is malformed; send an API key or a JWT")
	}
	return errors.New("the token is not valid: " + err.Error())
}
