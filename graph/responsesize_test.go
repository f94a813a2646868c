package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/graph/examples"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// withCap returns the default limits with a response cap of max bytes.
func withCap(max int) graph.Limits {
	lim := graph.DefaultLimits
	lim.MaxResponseBytes = max
	return lim
}

// dataBytes is how many bytes the executor's data took: the body holds
// it as encoding/json re-encodes it, with <, >, & and U+2028/9 escaped.
func dataBytes(r response) int {
	d := string(r.Data)
	n := len(d)
	for _, esc := range []string{`\u003c`, `\u003e`, `\u0026`} {
		n -= 5 * strings.Count(d, esc)
	}
	for _, esc := range []string{`\u2028`, `\u2029`} {
		n -= 3 * strings.Count(d, esc)
	}
	return n
}

func TestResponseOverTheCapIsRefused(t *testing.T) {
	st := projectStore(t)
	const q = `{ cities(first: 100) { edges { node { name nameZh description } } } }`
	full := serve(t, graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure), context.Background(), q)
	if len(full.Errors) > 0 {
		t.Fatalf("under the default cap: errors %+v", full.Errors)
	}
	size := dataBytes(full)

	rec := &telemetry.Request{}
	r := serve(t, graph.NewHandler(st, quietLog(), withCap(size/2), graph.DefaultExposure), telemetry.WithRequest(context.Background(), rec), q)
	msg := oneError(t, r, domain.ELIMIT)
	if !strings.Contains(msg, fmt.Sprintf("%d bytes", size/2)) || !strings.Contains(msg, "smaller pages") {
		t.Errorf("message %q; want it to name the %d-byte cap and say to ask for smaller pages", msg, size/2)
	}
	if _, _, refusal, _ := rec.Snapshot(); refusal != telemetry.RefusedSize {
		t.Errorf("telemetry refusal %q, want %q", refusal, telemetry.RefusedSize)
	}
}

// TestResponseCapIsExact runs every example with the cap at its exact
// size, which must answer, and one byte under it, which must refuse: the
// running count never refuses a response that fits.
func TestResponseCapIsExact(t *testing.T) {
	st := projectStore(t)
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			full := serve(t, graph.NewHandler(st, quietLog(), graph.DefaultLimits, graph.DefaultExposure), context.Background(), ex.Query)
			if len(full.Errors) > 0 {
				t.Fatalf("under the default cap: errors %+v", full.Errors)
			}
			size := dataBytes(full)
			if r := serve(t, graph.NewHandler(st, quietLog(), withCap(size), graph.DefaultExposure), context.Background(), ex.Query); len(r.Errors) > 0 {
				t.Errorf("cap at the data's %d bytes: errors %+v; want the answer", size, r.Errors)
			}
			oneError(t, serve(t, graph.NewHandler(st, quietLog(), withCap(size-1), graph.DefaultExposure), context.Background(), ex.Query), domain.ELIMIT)
		})
	}
}

// TestResponseCapStopsTheWork: once the data counted crosses the cap, no
// resolver starts, so the request makes no more store calls.
func TestResponseCapStopsTheWork(t *testing.T) {
	es := &expiringStore{Store: synthStore(t, 400), expireAt: -1}
	// "city":{"name":"City 00399" is 28 bytes, counted before the
	// partners resolver may start; the city's lookup is the one call.
	r := serve(t, graph.NewHandler(es, quietLog(), withCap(20), graph.DefaultExposure), context.Background(),
		`{ city(slug: "city-00399") { name partners(first: 5) { edges { node { name } } } } }`)
	oneError(t, r, domain.ELIMIT)
	if got := es.calls.Load(); got != 1 {
		t.Errorf("store calls = %d; want 1, the lookup before the cap was crossed", got)
	}
}
