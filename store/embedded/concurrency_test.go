package embedded_test

import (
	"context"
	"fmt"
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

// TestDefaultOrderHoldsWhileWritesRename runs plans while a writer renames
// a city back and forth and adds partnerships: every page a plan answers
// is in the default order of the names it answers with (read under one
// lock), whether its list was sorted by the write or by a read. Run with
// -race, it also checks that readers making lists race with nothing.
func TestDefaultOrderHoldsWhileWritesRename(t *testing.T) {
	s, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b := storetest.Forum2015(t)
	if _, err := s.Apply(ctx, b, domain.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ipoh := *(mustNode(t, s, []domain.NodeKey{{Kind: domain.KindCity, ID: "ipoh"}}).(*domain.City))
	partners := domain.EdgeQuery{Kind: domain.EdgePartnerOf}
	attendees := domain.EdgeQuery{Kind: domain.EdgeAttended, Direction: domain.Both} // a list no write sorts
	plan := func() *domain.Plan {
		return &domain.Plan{Roots: []domain.Root{
			{Keys: []domain.NodeKey{{Kind: domain.KindCity, ID: "nanning"}}, Reach: domain.Reach{Follow: []domain.Follow{{Query: partners, Ends: &domain.Reach{}}}}},
			{Keys: []domain.NodeKey{storetest.Forum2015Key}, Reach: domain.Reach{Follow: []domain.Follow{{Query: attendees, Ends: &domain.Reach{}}}}},
		}}
	}
	const readers, reads, writes = 3, 40, 20
	errs := make(chan error, readers+1)
	go func() {
		for i := range writes {
			c := ipoh
			c.Name = []string{"Aaa Ipoh", "Zzz Ipoh"}[i%2]
			batch := &domain.Batch{Nodes: []domain.Node{&c}}
			if i%4 == 0 { // and a new partner for Nanning, from those it lacks
				batch.Edges = []domain.Edge{{Kind: domain.EdgePartnerOf, From: domain.NodeKey{Kind: domain.KindCity, ID: "nanning"},
					To:              domain.NodeKey{Kind: domain.KindCity, ID: []string{"beijing", "manila", "jakarta", "vientiane", "penang"}[i/4]},
					PartnershipKind: domain.PartnershipSisterCity, Status: domain.PartnershipEstablished, Sources: []string{storetest.SrcSisterCities}}}
			}
			if _, err := s.Apply(ctx, batch, domain.ApplyOptions{}); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for range readers {
		go func() {
			for range reads {
				a, err := s.Run(ctx, plan())
				if err != nil {
					errs <- err
					return
				}
				if err := inDefaultOrder(a); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range readers + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// inDefaultOrder checks that every page of a is in the default order:
// far end's name, then key.
func inDefaultOrder(a *domain.Answers) error {
	for sig, pages := range a.Edges {
		for anchor, p := range pages {
			for i := 1; i < len(p.Items); i++ {
				prev, cur := p.Items[i-1].Other(anchor), p.Items[i].Other(anchor)
				pn, cn := a.Nodes[prev].Base().Name, a.Nodes[cur].Base().Name
				if pn > cn || pn == cn && prev.String() > cur.String() {
					return fmt.Errorf("%s at %s: %s (%q) before %s (%q), out of the default order", sig, anchor, prev, pn, cur, cn)
				}
			}
		}
	}
	return nil
}
