// Command citygraph serves the city-partnership knowledge graph over
// GraphQL, with a GraphiQL playground, on an embedded store by default or
// on Neo4j when NEO4J_URI is set.
//
//	citygraph                          serve on :8080 (PORT or -addr to change)
//	citygraph seed [--dry-run] PATH…   load seed files into the configured store
//	citygraph key new --name N --role R  print a new API key and its configuration line
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed, and asking for it is no failure
		}
		fmt.Fprintln(os.Stderr, "citygraph:", err)
		os.Exit(1)
	}
}

// config is everything run reads from flags and the environment.
type config struct {
	addr        string
	dataDir     string
	neo4j       neo4jstore.Config
	useNeo4j    bool
	seedOnStart bool
	logLevel    slog.Level
	logJSON     bool
	shutdown    time.Duration
	metrics     bool // serve /metrics
	accessLog   bool // one log line per request
	limits      graph.Limits
	http        httpConfig
	exposure    exposure
	corsOrigins []string
	explorer    explorer // the graph explorer at /explore
	auth        authConfig
	exports     export.Config
}

func loadConfig(args []string, getenv func(string) string, stderr io.Writer) (config, []string, error) {
	fs := flag.NewFlagSet("citygraph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	c := config{shutdown: 10 * time.Second}
	fs.StringVar(&c.addr, "addr", ":"+port, "address to listen on (default from PORT)")
	fs.StringVar(&c.dataDir, "data", envOr(getenv, "CITYGRAPH_DATA_DIR", "data"), "directory of the embedded store (CITYGRAPH_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	c.neo4j, c.useNeo4j = neo4jstore.ConfigFromEnv(getenv)
	c.seedOnStart = getenv("CITYGRAPH_SEED_ON_START") != "false"
	if err := c.logLevel.UnmarshalText([]byte(envOr(getenv, "LOG_LEVEL", "info"))); err != nil {
		return c, nil, fmt.Errorf("LOG_LEVEL: %w (use debug, info, warn or error)", err)
	}
	c.logJSON = getenv("LOG_FORMAT") == "json"
	// Telemetry; traces are set by the standard OTEL_* variables instead.
	for _, b := range []struct {
		env string
		to  *bool
	}{{"CITYGRAPH_METRICS", &c.metrics}, {"CITYGRAPH_ACCESS_LOG", &c.accessLog}} {
		v, err := strconv.ParseBool(envOr(getenv, b.env, "true"))
		if err != nil {
			return c, nil, fmt.Errorf("%s is %q; use true or false", b.env, getenv(b.env))
		}
		*b.to = v
	}
	// What one GraphQL request may ask for (graph.Limits, checked before it runs).
	c.limits = graph.DefaultLimits
	for _, l := range []struct {
		env string
		to  *int
	}{
		{"CITYGRAPH_MAX_COST", &c.limits.MaxCost}, {"CITYGRAPH_MAX_DEPTH", &c.limits.MaxDepth},
		{"CITYGRAPH_MAX_ALIASES", &c.limits.MaxAliases}, {"CITYGRAPH_MAX_DIRECTIVES", &c.limits.MaxDirectives},
		{"CITYGRAPH_MAX_SELECTIONS", &c.limits.MaxSelections}, {"CITYGRAPH_MAX_TOKENS", &c.limits.MaxTokens},
	} {
		if v := getenv(l.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return c, nil, fmt.Errorf("%s is %q; use a whole number, 1 or more", l.env, v)
			}
			*l.to = n
		}
	}

	// How long a request may run, and how large its answer may be.
	if v := getenv("CITYGRAPH_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if secs, err2 := strconv.Atoi(v); err != nil && err2 == nil { // seconds, as NEO4J_QUERY_TIMEOUT takes
			d, err = time.Duration(secs)*time.Second, nil
		}
		if err != nil || d <= 0 {
			return c, nil, fmt.Errorf("CITYGRAPH_REQUEST_TIMEOUT is %q; give a positive Go duration such as 30s or 2m, or seconds", v)
		}
		c.limits.Timeout = d
	}
	if v := getenv("CITYGRAPH_MAX_RESPONSE_BYTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, nil, fmt.Errorf("CITYGRAPH_MAX_RESPONSE_BYTES is %q; give a number of bytes such as 16777216, or 0 for no cap", v)
		}
		c.limits.MaxResponseBytes = n
	}

	// How large an import's upload may be (importSeed's multipart body).
	if v := getenv("CITYGRAPH_MAX_UPLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return c, nil, fmt.Errorf("CITYGRAPH_MAX_UPLOAD_BYTES is %q; give a number of bytes such as 67108864", v)
		}
		c.limits.MaxUploadBytes = n
	}

	httpCfg, err := loadHTTPConfig(getenv)
	if err != nil {
		return c, nil, err
	}
	c.http = httpCfg

	// Production switches: introspection, suggestions, APQ, trusted documents, playground, CORS.
	if c.exposure, err = loadExposure(getenv); err != nil {
		return c, nil, err
	}
	if c.corsOrigins, err = corsOrigins(getenv("CITYGRAPH_CORS_ORIGINS")); err != nil {
		return c, nil, err
	}

	// The graph explorer at /explore.
	if c.explorer, err = loadExplorer(getenv, c.exposure); err != nil {
		return c, nil, err
	}

	// Credentials, roles and the live feed (auth.go).
	if c.auth, err = loadAuth(getenv); err != nil {
		return c, nil, err
	}

	// /export: how many run at once, and how long one may take.
	c.exports = export.DefaultConfig
	if v := getenv("CITYGRAPH_EXPORT_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, nil, fmt.Errorf("CITYGRAPH_EXPORT_CONCURRENCY is %q; use a whole number, 1 or more", v)
		}
		c.exports.Concurrency = n
	}
	if v := getenv("CITYGRAPH_EXPORT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if secs, err2 := strconv.Atoi(v); err != nil && err2 == nil {
			d, err = time.Duration(secs)*time.Second, nil
		}
		if err != nil || d <= 0 {
			return c, nil, fmt.Errorf("CITYGRAPH_EXPORT_TIMEOUT is %q; give a positive Go duration such as 10m, or seconds", v)
		}
		c.exports.Timeout = d
	}
	return c, fs.Args(), nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// run is the whole program, so that tests can drive it end to end.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 && rest[0] == "key" { // needs no store
		return keyCommand(rest[1:], stdout, stderr)
	}
	if err := buildAuthenticator(ctx, &cfg); err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel})
	if cfg.logJSON {
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel})
	}
	log := slog.New(h)

	tracing, stopTracing, err := telemetry.TracingFromEnv(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer flushTraces(stopTracing, log)
	tel := telemetry.New(telemetry.Options{Metrics: cfg.metrics, AccessLog: accessLog(cfg, log), Tracing: tracing})

	if len(rest) > 0 && rest[0] == "seed" && seed.ToServer(rest[1:]) {
		return seed.Command(ctx, nil, rest[1:], stdout, stderr) // into a running service: no store here
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		if len(rest) > 0 && rest[0] == "seed" && !cfg.useNeo4j && domain.ErrorCode(err) == domain.EUNAVAILABLE {
			return domain.Unavailable(err, domain.ErrorMessage(err)+
				", probably by the running service; load into it with `citygraph seed --server http://localhost:8080 FILE|DIR…` (credential in "+seed.TokenEnv+"), or stop it first")
		}
		return err
	}
	st = tel.Store(st)
	defer st.Close()

	if len(rest) > 0 {
		switch rest[0] {
		case "seed":
			return seed.Command(ctx, st, rest[1:], stdout, stderr)
		case "serve":
		default:
			return fmt.Errorf("unknown command %q; use `seed`, `key new` or no command to serve", rest[0])
		}
	}
	if !cfg.useNeo4j && cfg.seedOnStart {
		if err := seedIfEmpty(ctx, st, log); err != nil {
			return err
		}
	}
	return serve(ctx, cfg, st, log, tel)
}

func accessLog(cfg config, log *slog.Logger) *slog.Logger {
	if !cfg.accessLog {
		return nil
	}
	return log
}

// flushTraces sends the spans still buffered before the process exits.
func flushTraces(stop func(context.Context) error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		log.Warn("flushing traces on exit", "err", err)
	}
}

func openStore(ctx context.Context, cfg config, log *slog.Logger) (domain.Store, error) {
	if cfg.useNeo4j {
		log.Info("using Neo4j", "uri", cfg.neo4j.URI, "database", cfg.neo4j.Database)
		return neo4jstore.Open(ctx, cfg.neo4j, log)
	}
	log.Info("using the embedded store", "dir", cfg.dataDir)
	return embedded.Open(cfg.dataDir)
}

// seedIfEmpty loads the project's own seed data the first time the
// embedded store starts empty, so a newcomer's first run has data.
func seedIfEmpty(ctx context.Context, st domain.Store, log *slog.Logger) error {
	p, err := st.ListNodes(ctx, domain.NodeQuery{Kind: domain.KindSource, Page: domain.Page{First: 1}})
	if err != nil {
		return err
	}
	if p.TotalCount > 0 {
		return nil
	}
	res, err := seed.LoadProject(ctx, st)
	if err != nil {
		return fmt.Errorf("loading the project's seed data into the empty store: %w", err)
	}
	log.Info("loaded the project's seed data", "rows", res.Rows, "elapsed", res.Elapsed)
	return nil
}

func serve(ctx context.Context, cfg config, st domain.Store, log *slog.Logger, tel *telemetry.Telemetry) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set PORT or -addr to another address)", cfg.addr, err)
	}
	ln = limitConnections(ln, cfg.http)
	srv := newHTTPServer(cfg.http, NewServer(st, log, cfg, tel), log)
	log.Info("serving", "playground", "http://"+displayAddr(ln.Addr()), "graphql", "http://"+displayAddr(ln.Addr())+"/graphql")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func displayAddr(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", t.Port)
	}
	return a.String()
}
