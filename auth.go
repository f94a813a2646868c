package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/auth"
)

// authConfig is who may call the service and what each role may run
// (internal/auth, graph.Access), and the live feed's bounds.
type authConfig struct {
	keys   auth.KeySet
	jwt    auth.JWTConfig
	access graph.Access
	feed   graph.FeedConfig
	// authenticator is built by run from keys and jwt (it may fetch a JWKS).
	authenticator *auth.Authenticator
}

// loadAuth reads the CITYGRAPH_* settings of credentials, roles and the
// feed; a bad value is an error naming its variable.
func loadAuth(getenv func(string) string) (authConfig, error) {
	c := authConfig{feed: graph.DefaultFeed}
	var errs []error
	keys, err := auth.ParseKeys(getenv("CITYGRAPH_API_KEYS"))
	if err != nil {
		errs = append(errs, fmt.Errorf("CITYGRAPH_API_KEYS: %w", err))
	}
	c.keys = keys
	if path := getenv("CITYGRAPH_API_KEYS_FILE"); path != "" {
		f, err := os.Open(path)
		if err == nil {
			var more auth.KeySet
			more, err = auth.ReadKeys(f)
			f.Close()
			if err == nil {
				c.keys, err = auth.ParseKeys(keyLines(append(c.keys, more...))) // names must differ across both
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("CITYGRAPH_API_KEYS_FILE %s: %w", path, err))
		}
	}

	c.jwt = auth.JWTConfig{Secret: []byte(getenv("CITYGRAPH_JWT_SECRET")), JWKSURL: getenv("CITYGRAPH_JWT_JWKS_URL"),
		Algorithm: getenv("CITYGRAPH_JWT_ALGORITHM"), Issuer: getenv("CITYGRAPH_JWT_ISSUER"),
		Audience: getenv("CITYGRAPH_JWT_AUDIENCE"), RoleClaim: getenv("CITYGRAPH_JWT_ROLE_CLAIM")}
	if u := c.jwt.JWKSURL; u != "" {
		if err := checkJWKSURL(u); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.jwt.Validate(); err != nil {
		errs = append(errs, err)
	}
	duration := func(key string, dst *time.Duration) {
		if v := getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("%s=%q: use a positive duration such as 30s", key, v))
				return
			}
			*dst = d
		}
	}
	duration("CITYGRAPH_JWT_LEEWAY", &c.jwt.Leeway)

	if v := getenv("CITYGRAPH_REQUIRE_READER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CITYGRAPH_REQUIRE_READER=%q: use true (1) or false (0)", v))
		}
		c.access.RequireReader = b
	}

	duration("CITYGRAPH_FEED_POLL", &c.feed.Poll)
	duration("CITYGRAPH_FEED_KEEPALIVE", &c.feed.KeepAlive)
	for _, n := range []struct {
		key string
		dst *int
	}{{"CITYGRAPH_FEED_MAX_PER_CLIENT", &c.feed.MaxPerClient}, {"CITYGRAPH_FEED_MAX_SUBSCRIPTIONS", &c.feed.MaxTotal}} {
		if v := getenv(n.key); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 1 {
				errs = append(errs, fmt.Errorf("%s=%q: use a whole number, 1 or more", n.key, v))
				continue
			}
			*n.dst = i
		}
	}
	return c, errors.Join(errs...)
}

// buildAuthenticator makes cfg's authenticator; a JWKS is refreshed until ctx ends.
func buildAuthenticator(ctx context.Context, cfg *config) error {
	a, err := auth.NewAuthenticator(ctx, cfg.auth.keys, cfg.auth.jwt)
	cfg.auth.authenticator = a
	return err
}

// keyLines writes keys back as configuration lines.
func keyLines(keys auth.KeySet) string {
	var s string
	for _, k := range keys {
		s += fmt.Sprintf("%s:%s:%x\n", k.Name, k.Role, k.Hash)
	}
	return s
}

// checkJWKSURL wants https, as keys fetched in the clear could be
// swapped; plain http is allowed on the loopback only.
func checkJWKSURL(s string) error {
	u, err := url.Parse(s)
	if err == nil && u.Scheme == "https" && u.Host != "" {
		return nil
	}
	if err == nil && u.Scheme == "http" {
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("CITYGRAPH_JWT_JWKS_URL=%q: give an https URL (plain http only on the loopback)", s)
}

// keyCommand is `citygraph key new --name N --role R`: it prints a new API
// key, once, and the line that configures its hash.
func keyCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "new" {
		return errors.New("usage: citygraph key new --name NAME --role reader|editor|admin")
	}
	fs := flag.NewFlagSet("citygraph key new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "who holds the key; the change log records it as the author of writes")
	roleName := fs.String("role", "", "reader, editor or admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	key, line, err := auth.NewKey(*name, role)
	if err != nil {
		return fmt.Errorf("--name: %w", err)
	}
	fmt.Fprintf(stdout, "# The key of %s (%s): give it to its holder; it is not stored and cannot be shown again.\n%s\n", *name, role, key)
	fmt.Fprintf(stdout, "# Its line for CITYGRAPH_API_KEYS or CITYGRAPH_API_KEYS_FILE:\n%s\n", line)
	return nil
}

// websocketsApart sends websocket upgrades (subscriptions, bounded by the
// feed itself) to ws and other requests to h: a subscription lasts as long
// as its client, and must not hold one of admission's request slots.
func websocketsApart(ws, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			ws.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
