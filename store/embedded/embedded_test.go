package embedded_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/storetest"
)

func openMemory(t *testing.T) domain.Store {
	t.Helper()
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openDisk(t *testing.T) domain.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContractInMemory(t *testing.T) { storetest.Run(t, openMemory) }

func TestContractOnDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("the in-memory run covers the same contract")
	}
	storetest.Run(t, openDisk)
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := storetest.Forum2015(t)

	s, err := embedded.Open(filepath.Join(dir, "nested", "store"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, b, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	want := readBack(t, s, b)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("Ping after Close: got %v, want %s", err, domain.EUNAVAILABLE)
	}

	t.Run("everything written survives close and open", func(t *testing.T) {
		s := reopen(t, filepath.Join(dir, "nested", "store"))
		if got := readBack(t, s, b); !reflect.DeepEqual(got, want) {
			t.Errorf("after reopening:\n got %+v\nwant %+v", got, want)
		}
		r, err := s.Apply(ctx, storetest.Forum2015(t), domain.ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for k, c := range r.Nodes {
			if c.Created+c.Updated != 0 {
				t.Errorf("%s: reapplying after reopen got %+v, want all unchanged", k, c)
			}
		}
		for k, c := range r.Edges {
			if c.Created+c.Updated != 0 {
				t.Errorf("%s: reapplying after reopen got %+v, want all unchanged", k, c)
			}
		}
	})

	t.Run("a failed apply leaves the file as it was", func(t *testing.T) {
		path := filepath.Join(dir, "nested", "store", embedded.FileName)
		s := reopen(t, filepath.Join(dir, "nested", "store"))
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bad := &domain.Batch{
			Nodes: []domain.Node{&domain.City{Meta: domain.Meta{ID: "hanoi", Name: "Hanoi", Sources: []string{storetest.SrcReferenceFact}}, Division: domain.DivisionCity}},
			Edges: []domain.Edge{{Kind: domain.EdgePartnerOf, From: domain.NodeKey{Kind: domain.KindCity, ID: "hanoi"},
				To: domain.NodeKey{Kind: domain.KindCity, ID: "atlantis"}, PartnershipKind: domain.PartnershipSisterCity,
				Status: domain.PartnershipEstablished, Sources: []string{storetest.SrcSisterCities}}},
		}
		if _, err := s.Apply(ctx, bad, domain.ApplyOptions{}); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("got %v, want %s", err, domain.EINVALID)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Errorf("the failed apply changed the file")
		}
		s.Close()
		s = reopen(t, filepath.Join(dir, "nested", "store"))
		got, _ := s.Nodes(ctx, []domain.NodeKey{{Kind: domain.KindCity, ID: "hanoi"}})
		if got[0] != nil {
			t.Errorf("got %+v after reopening, want no Hanoi", got[0])
		}
		if got := readBack(t, s, b); !reflect.DeepEqual(got, want) {
			t.Errorf("the stored graph changed:\n got %+v\nwant %+v", got, want)
		}
	})
}

func reopen(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// readBack reads the batch's nodes and every edge of each.
func readBack(t *testing.T, s domain.Store, b *domain.Batch) []any {
	t.Helper()
	ctx := context.Background()
	keys := make([]domain.NodeKey, len(b.Nodes))
	for i, n := range b.Nodes {
		keys[i] = n.Key()
	}
	nodes, err := s.Nodes(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	out := []any{nodes}
	for _, k := range domain.EdgeKinds {
		pages, err := s.Edges(ctx, domain.EdgeQuery{Kind: k, Page: domain.Page{First: domain.MaxPageSize}}, keys)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pages)
	}
	return out
}

func TestOpenLockedFile(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lock timeout")
	}
	dir := t.TempDir()
	s := reopen(t, dir)
	_ = s
	_, err := embedded.Open(dir)
	if got := domain.ErrorCode(err); got != domain.EUNAVAILABLE {
		t.Errorf("opening a file another store holds: got %v, want %s", err, domain.EUNAVAILABLE)
	}
}

// A store without a file has no transaction to fail: its write is the
// swap in memory after every check.
func TestWriteFailingHalfwayLeavesNothing(t *testing.T) {
	storetest.WriteFailingHalfway(t, openDisk, embedded.SetTestHookCommit)
}

func TestChangeLogSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, storetest.Forum2015(t), domain.ApplyOptions{Author: "first"}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Changes(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := s.Changes(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) || len(after) != 1 {
		t.Fatalf("after reopening: got %d sets, want the 1 set written before, equal", len(after))
	}
	cs, err := s.Write(ctx, &domain.Write{Operation: "updateCity", Nodes: []domain.NodeChange{{Mode: domain.Update,
		Node: &domain.City{Meta: domain.Meta{ID: "nanning", Sources: []string{storetest.SrcArticle}}, Population: 1, PopulationYear: 2020}}}})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Seq != 2 {
		t.Errorf("the first write after reopening got set %d, want 2", cs.Seq)
	}
	ns, err := s.Nodes(ctx, []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := ns[0].Base().Version; v != 2 {
		t.Errorf("Nanning's version after reopening and one change: got %d, want 2", v)
	}
}
