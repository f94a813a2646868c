package neo4jstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/storetest"
)

// TestInterruptedLoadResumes stops a load written in parts after its
// second part and checks what the issue asks of such a load: what is
// stored is whole (no relationship without its properties or its ends),
// the load is recorded as incomplete, the error says how to finish, and
// applying the same batch again finishes it as one transaction would.
func TestInterruptedLoadResumes(t *testing.T) {
	s := openEmpty(t)
	cfg := serverConfig(t)
	direct := directDriver(t, cfg)
	b := storetest.Forum2015(t)
	rows := len(b.Nodes) + len(b.Edges)
	const size = 20
	parts := (rows + size - 1) / size
	if parts < 4 {
		t.Fatalf("the fixture has %d rows: too few for a load in parts of %d", rows, size)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopAfter := func(done, _ int) {
		if done >= 2*size {
			cancel() // the third part fails as a lost connection would
		}
	}
	_, err := s.Apply(ctx, b, domain.ApplyOptions{BatchRows: size, Progress: stopAfter})
	if err == nil {
		t.Fatal("the interrupted load returned no error")
	}
	msg := domain.ErrorMessage(err)
	for _, want := range []string{"stopped after 2 of", "40 of", "incomplete", "run the same load again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}

	load := execDirect(t, direct, cfg, `MATCH (l:SeedLoad) RETURN l.state AS state, l.done AS done, l.parts AS parts, l.runs AS runs`, nil)
	if len(load) != 1 {
		t.Fatalf("got %d load records, want 1", len(load))
	}
	if st, _ := load[0].Get("state"); st != "incomplete" {
		t.Errorf("load state = %v, want incomplete", st)
	}
	if done, _ := load[0].Get("done"); done != int64(2) {
		t.Errorf("load records %v parts done, want 2", done)
	}
	loads, err := s.Loads(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(loads) != 1 || loads[0].Complete || loads[0].PartsDone != 2 || loads[0].Parts != parts || loads[0].Rows != rows ||
		loads[0].Started.IsZero() || loads[0].Updated.Before(loads[0].Started) {
		t.Errorf("Loads = %+v; want one incomplete load, 2 of %d parts done, %d rows, started before updated", loads, parts, rows)
	}
	whole := execDirect(t, direct, cfg, `
		MATCH (n:Entity) WITH count(n) AS nodes, count(CASE WHEN n.fp IS NULL THEN 1 END) AS bareNodes
		OPTIONAL MATCH ()-[r]->() RETURN nodes, bareNodes, count(r) - count(r.fp) AS bareRels`, nil)
	nodes, _ := whole[0].Get("nodes")
	bareNodes, _ := whole[0].Get("bareNodes")
	bareRels, _ := whole[0].Get("bareRels")
	if nodes != int64(2*size) || bareNodes != int64(0) || bareRels != int64(0) {
		t.Errorf("after 2 parts: %v nodes (want %d, nodes first), %v without properties, %v relationships without properties; want none bare",
			nodes, 2*size, bareNodes, bareRels)
	}

	// Resume: the same batch again finishes the load.
	rep, err := s.Apply(context.Background(), b, domain.ApplyOptions{BatchRows: size})
	if err != nil {
		t.Fatalf("resuming: %v", err)
	}
	created, unchanged := 0, 0
	for _, c := range rep.Nodes {
		created, unchanged = created+c.Created, unchanged+c.Unchanged
	}
	for _, c := range rep.Edges {
		created, unchanged = created+c.Created, unchanged+c.Unchanged
	}
	if unchanged != 2*size || created != rows-2*size {
		t.Errorf("resumed load: %d created, %d unchanged; want %d created and the %d committed rows unchanged", created, unchanged, rows-2*size, 2*size)
	}
	load = execDirect(t, direct, cfg, `MATCH (l:SeedLoad) RETURN l.state AS state, l.done AS done, l.parts AS parts, l.runs AS runs`, nil)
	if st, _ := load[0].Get("state"); st != "complete" {
		t.Errorf("after resuming, load state = %v, want complete", st)
	}
	if runs, _ := load[0].Get("runs"); runs != int64(2) {
		t.Errorf("load runs = %v, want 2", runs)
	}
	if loads, err := s.Loads(context.Background(), 10); err != nil || len(loads) != 1 || !loads[0].Complete ||
		loads[0].PartsDone != parts || loads[0].Runs != 2 {
		t.Errorf("after resuming, Loads = %+v, %v; want one complete load, %d of %d parts, 2 runs", loads, err, parts, parts)
	}
	again, err := s.Apply(context.Background(), b, domain.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range again.Nodes {
		if c.Created+c.Updated > 0 {
			t.Errorf("%s after the resumed load: %+v; want all unchanged", k, c)
		}
	}
	for k, c := range again.Edges {
		if c.Created+c.Updated > 0 {
			t.Errorf("%s after the resumed load: %+v; want all unchanged", k, c)
		}
	}
}
