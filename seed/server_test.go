package seed_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/citygraph/citygraph/seed"
)

// A service running the real handler over st, recording the credential
// each request carried.
func serviceOver(t *testing.T, st domain.Store, tokens *[]string) string {
	t.Helper()
	h := graph.NewHandler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), graph.DefaultLimits, graph.DefaultExposure)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*tokens = append(*tokens, r.Header.Get("Authorization"))
		// The token is recorded, not checked: these tests are about loading.
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Subject: "loader", Role: auth.Admin})))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// `seed --server` sends the files to a running service, which checks and
// loads them as the direct mode does; problems come back located in the
// files as they were named on the command line.
func TestSeedToServer(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("city,partner,kind,status,since,through,note,sources\nnanning,nanning,sister_city,,,,,src\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	var tokens []string
	url := serviceOver(t, st, &tokens)
	t.Setenv(seed.TokenEnv, "key-123")
	tests := []struct {
		name                string
		args                []string
		wantErr             bool
		wantOut, wantErrOut []string
		wantCities          int
	}{
		{"a dry run writes nothing", []string{"--server", url, "--dry-run", "testdata/example"}, false,
			[]string{"dry run, nothing was written", "City", "2"}, nil, 0},
		{"loads and prints the table", []string{"--server", url, "testdata/example"}, false,
			[]string{"node kind", "City", "PARTNER_OF", "loaded"}, nil, 2},
		{"problems name the file as typed", []string{"--server", url, bad}, true,
			nil, []string{bad + ":2: to: found City:nanning", "unknown Source:src"}, 2},
		{"a URL that is no URL", []string{"--server", "localhost:8080", "testdata/example"}, true,
			nil, []string{"not an http or https URL"}, 2},
		{"batch rows belong to the direct mode", []string{"--server", url, "--batch-rows", "5", "testdata/example"}, true,
			nil, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := seed.Command(context.Background(), nil, tt.args, &out, &errOut)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v; stderr:\n%s", err, tt.wantErr, errOut.String())
			}
			checkOutput(t, out.String(), errOut.String(), tt.wantOut, tt.wantErrOut)
			p, err := st.ListNodes(context.Background(), domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 10}})
			if err != nil || len(p.Items) != tt.wantCities {
				t.Errorf("got %d cities stored (%v), want %d", len(p.Items), err, tt.wantCities)
			}
		})
	}
	for _, got := range tokens {
		if got != "Bearer key-123" {
			t.Errorf("got Authorization %q, want the token of %s as a bearer credential", got, seed.TokenEnv)
		}
	}
}

func TestToServer(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"--server", "http://x", "a"}, true},
		{[]string{"--server=http://x", "a"}, true},
		{[]string{"--dry-run", "a"}, false},
	} {
		if got := seed.ToServer(tt.args); got != tt.want {
			t.Errorf("ToServer(%v): got %v, want %v", tt.args, got, tt.want)
		}
	}
}
