package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/store/embedded"
	"github.com/citygraph/citygraph/store/storetest"
)

// TestReadsGoOnWhileAWriteCommits pauses an Apply while it writes the
// file and reads meanwhile: the read must answer, from the state before
// the write, and the state after it once the write is done. The 10 s
// limit tells a blocked read from an answer; it measures nothing.
func TestReadsGoOnWhileAWriteCommits(t *testing.T) {
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b := storetest.Forum2015(t)
	if _, err := s.Apply(ctx, b, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	nanning := []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}}
	edited := *(mustNode(t, s, nanning).(*domain.City))
	edited.Population, edited.PopulationYear = 8_741_584, 2020 // a change, so that Apply writes

	writing, release := make(chan struct{}), make(chan struct{})
	defer embedded.SetTestHookWriting(func() {
		close(writing)
		<-release
	})()
	applied := make(chan error, 1)
	go func() {
		_, err := s.Apply(ctx, &domain.Batch{Nodes: []domain.Node{&edited}}, domain.ApplyOptions{})
		applied <- err
	}()
	select {
	case <-writing:
	case err := <-applied:
		t.Fatalf("Apply returned (%v) without writing the file", err)
	}

	read := make(chan domain.Node, 1)
	go func() { read <- mustNode(t, s, nanning) }()
	select {
	case n := <-read:
		if got := n.(*domain.City).Population; got == edited.Population {
			t.Errorf("a read during the write saw the new population %d before the write committed", got)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("a read blocked while Apply was writing the file")
	}
	close(release)
	if err := <-applied; err != nil {
		t.Fatal(err)
	}
	if got := mustNode(t, s, nanning).(*domain.City).Population; got != edited.Population {
		t.Errorf("after the write, population = %d, want %d", got, edited.Population)
	}
}

func mustNode(t *testing.T, s domain.Store, keys []domain.NodeKey) domain.Node {
	t.Helper()
	ns, err := s.Nodes(context.Background(), keys)
	if err != nil || len(ns) != 1 || ns[0] == nil {
		t.Errorf("Nodes(%v) = %v, %v", keys, ns, err)
		return &domain.City{}
	}
	return ns[0]
}
