package neo4jstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/neo4jstore"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		want   neo4jstore.Config
		wantOK bool
	}{
		{"no URI means no Neo4j", map[string]string{"NEO4J_USERNAME": "neo4j"}, neo4jstore.Config{}, false},
		{"every variable", map[string]string{"NEO4J_URI": "neo4j+s://db.example:7687", "NEO4J_USERNAME": "u",
			"NEO4J_PASSWORD": "p", "NEO4J_DATABASE": "graph", "NEO4J_MAX_POOL_SIZE": "7",
			"NEO4J_CONNECT_TIMEOUT": "2s", "NEO4J_QUERY_TIMEOUT": "45"},
			neo4jstore.Config{URI: "neo4j+s://db.example:7687", Username: "u", Password: "p", Database: "graph",
				MaxPoolSize: 7, ConnectTimeout: 2 * time.Second, QueryTimeout: 45 * time.Second}, true},
		{"a bad pool size is kept visible", map[string]string{"NEO4J_URI": "bolt://127.0.0.1:7687", "NEO4J_MAX_POOL_SIZE": "many"},
			neo4jstore.Config{URI: "bolt://127.0.0.1:7687", MaxPoolSize: -1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := neo4jstore.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]neo4jstore.Config{
		"http scheme":         {URI: "http://127.0.0.1:7474"},
		"no host":             {URI: "bolt://"},
		"negative pool size":  {URI: "bolt://127.0.0.1:7687", MaxPoolSize: -1},
		"negative query time": {URI: "bolt://127.0.0.1:7687", QueryTimeout: -1},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := neo4jstore.Open(context.Background(), cfg, nil)
			if s != nil {
				s.Close()
			}
			wantCode(t, err, domain.EINVALID)
		})
	}
}

// A server that is down does not fail Open; every call is EUNAVAILABLE.
// Recovery needs no restart because the migrations run lazily on the first
// call that reaches the server (outage_test.go proves the recovery through
// a loopback proxy that it cuts and restores).
func TestUnreachableServerIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	// Port 1 on loopback: nothing listens there.
	s, err := neo4jstore.Open(ctx, neo4jstore.Config{URI: "bolt://127.0.0.1:1", Password: "x",
		ConnectTimeout: 300 * time.Millisecond, QueryTimeout: time.Second}, nil)
	if err != nil {
		t.Fatalf("Open with the server down: got %v, want a store that reports UNAVAILABLE", err)
	}
	defer s.Close()
	calls := map[string]func() error{
		"Ping": func() error { return s.Ping(context.Background()) },
		"Nodes": func() error {
			_, err := s.Nodes(context.Background(), []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}})
			return err
		},
		"Apply": func() error {
			_, err := s.Apply(context.Background(), &domain.Batch{Nodes: []domain.Node{&domain.Source{
				Meta: domain.Meta{ID: "s", Name: "S"}, Publisher: "p"}}}, domain.ApplyOptions{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			wantCode(t, err, domain.EUNAVAILABLE)
			var e *domain.Error
			if errors.As(err, &e) && e.Message == "" {
				t.Error("UNAVAILABLE error has no message")
			}
		})
	}
}
