package noloss

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/citygraph/citygraph/internal/auth"
)

// StartEmbedded runs the service on the embedded store in dataDir and
// returns it with cfg's URL, Token, Ready and Outages set: the service
// killed with SIGKILL and restarted on the same data file, outages times.
// The caller stops the service.
func StartEmbedded(ctx context.Context, cfg Config, binary, dataDir string, outages int) (*Service, Config, error) {
	svc, cfg, err := start(ctx, cfg, binary, map[string]string{"CITYGRAPH_DATA_DIR": dataDir})
	if err != nil {
		return nil, cfg, err
	}
	for range outages {
		cfg.Outages = append(cfg.Outages, KillRestart{Service: svc})
	}
	return svc, cfg, nil
}

// StartNeo4j runs the service over the Neo4j that neo4jEnv (NEO4J_URI and
// its credentials) names, with the outages given: Neo4jRestart for a real
// stop and start, or any other.
func StartNeo4j(ctx context.Context, cfg Config, binary string, neo4jEnv map[string]string, outages func(*Service) []Outage) (*Service, Config, error) {
	env := maps.Clone(neo4jEnv)
	// The service's availability gate answers UNAVAILABLE at once while
	// Neo4j is away; a short connect timeout lets it see the return soon.
	env["NEO4J_CONNECT_TIMEOUT"] = "2s"
	svc, cfg, err := start(ctx, cfg, binary, env)
	if err != nil {
		return nil, cfg, err
	}
	cfg.Outages = outages(svc)
	return svc, cfg, nil
}

// start runs the binary with env and a fresh editor API key.
func start(ctx context.Context, cfg Config, binary string, env map[string]string) (*Service, Config, error) {
	key, line, err := auth.NewKey("noloss", auth.Editor)
	if err != nil {
		return nil, cfg, err
	}
	env = maps.Clone(env)
	env["CITYGRAPH_API_KEYS"] = line
	// Every client comes from 127.0.0.1 with one key: the per-client rate
	// and in-flight bounds would refuse the load itself, so they are off.
	env["CITYGRAPH_RATE_LIMIT"] = "0"
	env["CITYGRAPH_MAX_IN_FLIGHT_PER_CLIENT"] = "0"
	env["CITYGRAPH_ACCESS_LOG"] = "false"
	env["LOG_LEVEL"] = "warn"
	svc := &Service{Binary: binary, Env: env, ReadyTimeout: 3 * time.Minute}
	if err := svc.Start(ctx); err != nil {
		return nil, cfg, fmt.Errorf("starting the service: %w", err)
	}
	cfg.URL, cfg.Token, cfg.Ready = svc.URL(), key, svc.WaitReady
	return svc, cfg, nil
}
