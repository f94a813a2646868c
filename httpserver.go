package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/admission"
	"golang.org/x/net/netutil"
)

// httpConfig bounds what one client can hold of the HTTP server: time to
// send a request, time to take its answer, idle connections, header size,
// open connections, and (admission) requests in flight and per second.
type httpConfig struct {
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int
	maxConnections    int
	admission         admission.Config
}

var defaultHTTPConfig = httpConfig{
	readHeaderTimeout: 10 * time.Second,
	readTimeout:       15 * time.Second,
	writeTimeout:      60 * time.Second,
	idleTimeout:       2 * time.Minute,
	maxHeaderBytes:    256 << 10, // a GET query at the query-size limit, URL-encoded
	maxConnections:    1024,
	admission:         admission.DefaultConfig,
}

// loadHTTPConfig reads the CITYGRAPH_* settings of the HTTP server; a bad
// value is an error naming its variable, never a silent default.
func loadHTTPConfig(getenv func(string) string) (httpConfig, error) {
	c := defaultHTTPConfig
	var errs []error
	duration := func(key string, dst *time.Duration) {
		v := getenv(key)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			secs, err2 := strconv.Atoi(v)
			d, err = time.Duration(secs)*time.Second, err2
		}
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: use a positive duration such as 30s, or seconds", key, v))
			return
		}
		*dst = d
	}
	integer := func(key string, dst *int, least int) {
		v := getenv(key)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < least {
			errs = append(errs, fmt.Errorf("%s=%q: use a whole number of at least %d", key, v, least))
			return
		}
		*dst = n
	}
	duration("CITYGRAPH_READ_HEADER_TIMEOUT", &c.readHeaderTimeout)
	duration("CITYGRAPH_READ_TIMEOUT", &c.readTimeout)
	duration("CITYGRAPH_WRITE_TIMEOUT", &c.writeTimeout)
	duration("CITYGRAPH_IDLE_TIMEOUT", &c.idleTimeout)
	integer("CITYGRAPH_MAX_HEADER_BYTES", &c.maxHeaderBytes, 4096)
	integer("CITYGRAPH_MAX_CONNECTIONS", &c.maxConnections, 1)
	integer("CITYGRAPH_MAX_IN_FLIGHT", &c.admission.MaxInFlight, 1)
	integer("CITYGRAPH_MAX_IN_FLIGHT_PER_CLIENT", &c.admission.MaxInFlightPerClient, 0)
	if v := getenv("CITYGRAPH_RATE_LIMIT"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 {
			errs = append(errs, fmt.Errorf("CITYGRAPH_RATE_LIMIT=%q: use requests per second per client (such as 20 or 0.5), or 0 for no limit", v))
		} else {
			c.admission.Rate = r
		}
	}
	integer("CITYGRAPH_RATE_BURST", &c.admission.Burst, 1)
	integer("CITYGRAPH_RATE_CLIENTS", &c.admission.Clients, 1)
	if v := getenv("CITYGRAPH_TRUSTED_PROXIES"); v != "" {
		proxies, err := admission.ParseProxies(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CITYGRAPH_TRUSTED_PROXIES: %w", err))
		}
		c.admission.Key = admission.ByAddress(proxies)
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	// The write deadline runs from the end of the headers: it must cover
	// reading the body and the whole request timeout, or answers are cut off.
	if need := c.readTimeout + graph.DefaultLimits.Timeout; c.writeTimeout <= need {
		return c, fmt.Errorf("CITYGRAPH_WRITE_TIMEOUT=%s: it must be longer than the read timeout plus the request timeout (%s), or answers are cut off", c.writeTimeout, need)
	}
	return c, nil
}

// newHTTPServer returns the server with cfg's timeouts and header bound.
// The read timeout covers reading the request only: net/http lifts the read
// deadline once the body is read, so a query may run on, up to the write
// timeout.
func newHTTPServer(cfg httpConfig, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    cfg.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// limitConnections bounds the connections open at once; the next client
// waits in the listen backlog until one closes.
func limitConnections(ln net.Listener, cfg httpConfig) net.Listener {
	return netutil.LimitListener(ln, cfg.maxConnections)
}
