package neo4jstore

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citygraph/citygraph/domain"
)

// Config says where the Neo4j server is and how hard to try.
type Config struct {
	// URI is bolt://, neo4j:// (routing, for a cluster) or their +s/+ssc
	// TLS variants.
	URI      string
	Username string
	Password string
	// Database is the database name; empty uses the server's default.
	Database    string
	MaxPoolSize int
	// ConnectTimeout bounds one connection attempt and the availability
	// gate's checks; QueryTimeout bounds every store call (Apply gets one
	// QueryTimeout per 10,000 rows), or the request's deadline if that
	// comes first, and each transaction carries it to the server.
	ConnectTimeout time.Duration
	QueryTimeout   time.Duration
}

// Defaults for the zero fields of a Config.
const (
	DefaultUsername       = "neo4j"
	DefaultMaxPoolSize    = 50
	DefaultConnectTimeout = 5 * time.Second
	DefaultQueryTimeout   = 30 * time.Second
)

// ConfigFromEnv reads NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD,
// NEO4J_DATABASE, NEO4J_MAX_POOL_SIZE, NEO4J_CONNECT_TIMEOUT and
// NEO4J_QUERY_TIMEOUT (Go durations such as 5s). ok is false when NEO4J_URI
// is unset: the service then uses the embedded store. Values that cannot be
// parsed are left at their defaults here and reported by Open's validation.
func ConfigFromEnv(getenv func(string) string) (Config, bool) {
	uri := strings.TrimSpace(getenv("NEO4J_URI"))
	if uri == "" {
		return Config{}, false
	}
	cfg := Config{
		URI:      uri,
		Username: getenv("NEO4J_USERNAME"),
		Password: getenv("NEO4J_PASSWORD"),
		Database: getenv("NEO4J_DATABASE"),
	}
	if v := getenv("NEO4J_MAX_POOL_SIZE"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			cfg.MaxPoolSize = n
		} else {
			cfg.MaxPoolSize = -1 // rejected by validate with the variable's name
		}
	}
	cfg.ConnectTimeout = envDuration(getenv("NEO4J_CONNECT_TIMEOUT"))
	cfg.QueryTimeout = envDuration(getenv("NEO4J_QUERY_TIMEOUT"))
	return cfg, true
}

// envDuration parses a duration; a bad one becomes -1 so that validate can
// name it rather than silently using the default.
func envDuration(s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if secs, err2 := strconv.Atoi(s); err2 == nil {
			return time.Duration(secs) * time.Second
		}
		return -1
	}
	return d
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	u, err := url.Parse(c.URI)
	if err != nil || u.Host == "" {
		return c, domain.Errorf(domain.EINVALID, "NEO4J_URI %q is not a URI such as bolt://127.0.0.1:7687", c.URI)
	}
	switch u.Scheme {
	case "bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc":
	default:
		return c, domain.Errorf(domain.EINVALID, "NEO4J_URI scheme %q is not supported; use bolt://, neo4j:// or neo4j+s://", u.Scheme)
	}
	if c.Username == "" {
		c.Username = DefaultUsername
	}
	if c.MaxPoolSize == 0 {
		c.MaxPoolSize = DefaultMaxPoolSize
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.QueryTimeout == 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	for name, bad := range map[string]bool{
		"NEO4J_MAX_POOL_SIZE":   c.MaxPoolSize < 0,
		"NEO4J_CONNECT_TIMEOUT": c.ConnectTimeout < 0,
		"NEO4J_QUERY_TIMEOUT":   c.QueryTimeout < 0,
	} {
		if bad {
			return c, domain.Errorf(domain.EINVALID, "%s must be a positive number (a duration such as 5s for timeouts)", name)
		}
	}
	return c, nil
}

// redacted is the URI without credentials, for logs.
func (c Config) redacted() string {
	u, err := url.Parse(c.URI)
	if err != nil {
		return "(unparseable URI)"
	}
	u.User = nil
	return fmt.Sprint(u)
}
