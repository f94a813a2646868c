package peer_test

import (
	"context"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/bench/peer"
)

// TestBoltRecorderSeesStatements sends a statement through the recorder
// and reads it back with its parameters, which is how the benchmark
// counts and PROFILEs what citygraph and the peer send. It reads nothing
// and writes nothing.
func TestBoltRecorderSeesStatements(t *testing.T) {
	cfg := neo4jConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, err := url.Parse(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := peer.NewBoltRecorder(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	d, err := neo4j.NewDriverWithContext(rec.URI(), neo4j.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)

	const query = "RETURN $n + 1 AS next, $s AS s, $l AS l, $m AS m"
	params := map[string]any{"n": int64(41), "s": "南宁", "l": []any{int64(-3), "x", nil, 1.5},
		"m": map[string]any{"big": int64(1) << 40, "ok": true}}
	rec.Take() // the driver's own set-up, if any
	res, err := neo4j.ExecuteQuery(ctx, d, query, params, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatalf("a statement through the recorder: %v", err)
	}
	if got, _ := res.Records[0].Get("next"); got != int64(42) {
		t.Errorf("through the recorder, next = %v; want 42", got)
	}
	stmts, err := rec.Take()
	if err != nil {
		t.Fatal(err)
	}
	var seen []peer.Statement
	for _, s := range stmts {
		if s.Query == query {
			seen = append(seen, s)
		}
	}
	if len(seen) != 1 {
		t.Fatalf("recorded %d statements (%v); want the one sent", len(stmts), stmts)
	}
	if !reflect.DeepEqual(seen[0].Params, params) {
		t.Errorf("recorded parameters %#v; want %#v", seen[0].Params, params)
	}
}
