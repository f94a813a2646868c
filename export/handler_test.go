package export_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/seed"
	"github.com/citygraph/citygraph/synth"
)

// patience bounds every wait on a condition; reaching it is a failure.
const patience = 2 * time.Minute

func serve(t *testing.T, st domain.Store, cfg export.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(export.Handler(st, slog.New(slog.DiscardHandler), cfg))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, ctx context.Context, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

// errorCode reads the JSON error body's extensions.code.
func errorCode(t *testing.T, resp *http.Response) (code, message string) {
	t.Helper()
	var body struct {
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("the error body is not {\"errors\":[…]} with one error: %v %+v", err, body)
	}
	return body.Errors[0].Extensions.Code, body.Errors[0].Message
}

// TestBadInput checks that each mistake is answered before any export
// byte, with a status, a code and a message that names the problem.
func TestBadInput(t *testing.T) {
	st := stores()[0].empty(t)
	if _, err := seed.LoadProject(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, st, export.DefaultConfig)
	cases := []struct {
		name, query string
		status      int
		code        domain.Code
		mentions    string
	}{
		{"no format", "", 400, domain.EINVALID, "format is missing"},
		{"unknown format", "format=gexf", 400, domain.EINVALID, `unknown format "gexf"`},
		{"unknown node", "format=graphml&center=City:atlantis", 400, domain.ENOTFOUND, "atlantis"},
		{"malformed node", "format=graphml&center=nanning", 400, domain.EINVALID, "Kind:slug"},
		{"unknown node kind", "format=graphml&center=Town:nanning", 400, domain.EINVALID, "Town"},
		{"depth too large", "format=graphml&center=City:nanning&depth=9", 400, domain.EINVALID, "depth must be between 1 and 3"},
		{"depth zero", "format=jsonl&center=City:nanning&depth=0", 400, domain.EINVALID, "depth must be between 1 and 3"},
		{"depth not a number", "format=jsonl&center=City:nanning&depth=two", 400, domain.EINVALID, `depth "two"`},
		{"depth without a centre", "format=jsonl&depth=2", 400, domain.EINVALID, "depth needs a scope"},
		{"unknown relation kind", "format=jsonl&center=City:nanning&kinds=TWINNED", 400, domain.EINVALID, "TWINNED"},
		{"two scopes", "format=jsonl&center=City:nanning&kind=City", 400, domain.EINVALID, "not both"},
		{"unknown kind", "format=jsonl&kind=Town", 400, domain.EINVALID, "Town"},
		{"unknown sector", "format=jsonl&kind=Project&sector=space", 400, domain.EINVALID, "space"},
		{"filter on a neighbourhood", "format=jsonl&center=City:nanning&country=CN", 400, domain.EINVALID, "country"},
		{"unknown parameter", "format=jsonl&fromat=csv", 400, domain.EINVALID, `unknown parameter "fromat"`},
		{"parameter twice", "format=jsonl&format=csv", 400, domain.EINVALID, "given 2 times"},
		{"file with graphml", "format=graphml&file=cities", 400, domain.EINVALID, "file=cities is for format=csv"},
		{"unknown file", "format=csv&file=towns", 400, domain.EINVALID, `unknown file "towns"`},
		{"seed zip of a part", "format=csv&center=City:nanning", 400, domain.EINVALID, "whole graph"},
		{"where not JSON", "format=jsonl&kind=City&where=%7Bpopulation", 400, domain.EINVALID, "where is not JSON"},
		{"where with an unknown field", "format=jsonl&kind=City&where=%7B%22mayor%22%3A%7B%22eq%22%3A%22x%22%7D%7D", 400, domain.EINVALID, `"mayor"`},
		{"where with a wrong operator", "format=jsonl&kind=City&where=%7B%22name%22%3A%7B%22gt%22%3A1%7D%7D", 400, domain.EINVALID, "gt"},
		{"where on a neighbourhood", "format=jsonl&center=City:nanning&where=%7B%7D", 400, domain.EINVALID, "where"},
		{"where without a kind", "format=jsonl&where=%7B%7D", 400, domain.EINVALID, "where needs a scope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := get(t, context.Background(), srv.URL+"?"+c.query)
			defer resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON (nothing of the export written)", ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != "" {
				t.Errorf("Content-Disposition %q on an error", cd)
			}
			code, msg := errorCode(t, resp)
			if code != string(c.code) || !strings.Contains(msg, c.mentions) {
				t.Errorf("got %s %q, want %s mentioning %q", code, msg, c.code, c.mentions)
			}
		})
	}
	t.Run("POST", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"?format=jsonl", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("status %d, Allow %q; want 405 with Allow: GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}

// gatedStore holds its gateAt-th ListNodes until release, and fails its
// failAt-th, counting calls; zero turns either off.
type gatedStore struct {
	domain.Store
	calls           atomic.Int32
	gateAt, failAt  int32
	entered         chan struct{}
	release         chan struct{}
	largestNodePage atomic.Int32
}

func newGatedStore(st domain.Store, gateAt, failAt int32) *gatedStore {
	return &gatedStore{Store: st, gateAt: gateAt, failAt: failAt, entered: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedStore) ListNodes(ctx context.Context, q domain.NodeQuery) (domain.NodePage, error) {
	n := g.calls.Add(1)
	if int32(q.Page.First) > g.largestNodePage.Load() {
		g.largestNodePage.Store(int32(q.Page.First))
	}
	if n == g.gateAt {
		close(g.entered)
		select {
		case <-g.release:
		case <-ctx.Done():
			return domain.NodePage{}, domain.Timeout(ctx.Err(), "listing nodes took too long")
		}
	}
	if n == g.failAt {
		return domain.NodePage{}, domain.Unavailable(errors.New("connection reset"), "the store went away")
	}
	return g.Store.ListNodes(ctx, q)
}

func synthStore(t *testing.T, cities int) domain.Store {
	t.Helper()
	st := stores()[0].empty(t)
	if _, err := st.Apply(context.Background(), synth.Generate(5, cities), domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// TestExportStreams checks that the client receives the first pages while
// the export is still reading the store: the store holds its fifth page
// (cities, after sources, groupings, countries and the first cities)
// until the client has read the cities of the fourth.
func TestExportStreams(t *testing.T) {
	g := newGatedStore(synthStore(t, 1200), 5, 0)
	srv := serve(t, g, export.DefaultConfig)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	resp := get(t, ctx, srv.URL+"?format=graphml")
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/graphml+xml" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	var head strings.Builder
	for !strings.Contains(head.String(), `id="City:city-00010"`) {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended before the first cities (%v); it should arrive while the store is held", err)
		}
		head.WriteString(l)
	}
	waitFor(t, g.entered, "the fifth store read")
	close(g.release)
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading the rest: %v", err)
	}
	if !strings.HasSuffix(strings.TrimSpace(string(rest)), "</graphml>") {
		t.Errorf("the export does not end with </graphml>")
	}
	if got := g.largestNodePage.Load(); got > 500 {
		t.Errorf("the export read pages of %d nodes; it should page through the store in small pages", got)
	}
}

// TestStoreFailureBreaksTheTransfer checks that a store failure after the
// first byte cuts the response off, so the client cannot take it for a
// whole file.
func TestStoreFailureBreaksTheTransfer(t *testing.T) {
	g := newGatedStore(synthStore(t, 1200), 0, 5)
	srv := serve(t, g, export.DefaultConfig)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	resp := get(t, ctx, srv.URL+"?format=jsonl")
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200 (the failure comes after the first byte)", resp.StatusCode)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("the body read to its end without an error; a cut-off export must read as broken")
	}
}

// TestConcurrencyCap checks that an export beyond the cap is refused at
// once with 503 UNAVAILABLE and Retry-After, and runs again once the other
// ends.
func TestConcurrencyCap(t *testing.T) {
	g := newGatedStore(synthStore(t, 100), 1, 0)
	srv := serve(t, g, export.Config{Concurrency: 1, Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"?format=jsonl", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	waitFor(t, g.entered, "the first export to read the store")

	resp := get(t, ctx, srv.URL+"?format=jsonl")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("second export: status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if code, msg := errorCode(t, resp); code != string(domain.EUNAVAILABLE) || !strings.Contains(msg, "CITYGRAPH_EXPORT_CONCURRENCY") {
		t.Errorf("got %s %q, want UNAVAILABLE naming CITYGRAPH_EXPORT_CONCURRENCY", code, msg)
	}
	resp.Body.Close()

	close(g.release)
	if status := <-first; status != 200 {
		t.Errorf("first export: status %d, want 200", status)
	}
	resp = get(t, ctx, srv.URL+"?format=jsonl")
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("an export after the first ended: status %d, want 200", resp.StatusCode)
	}
}

// TestTimeout checks CITYGRAPH_EXPORT_TIMEOUT: a store read held past it
// ends the export, with 504 TIMEOUT while nothing was sent. (After the
// first byte a timeout breaks the transfer as any store failure does; see
// TestStoreFailureBreaksTheTransfer.)
func TestTimeout(t *testing.T) {
	g := newGatedStore(synthStore(t, 100), 1, 0) // never released: only the timeout ends the wait
	srv := serve(t, g, export.Config{Concurrency: 1, Timeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	resp := get(t, ctx, srv.URL+"?format=jsonl")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", resp.StatusCode)
	}
	if code, _ := errorCode(t, resp); code != string(domain.ETIMEOUT) {
		t.Errorf("code %s, want TIMEOUT", code)
	}
}
