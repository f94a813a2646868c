package neo4jstore

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// fakeServer is the gate's check for unit tests: it passes when answering
// is set, and records how many checks ran at once.
type fakeServer struct {
	answering         atomic.Bool
	running, mostSeen atomic.Int32
}

func (f *fakeServer) check(context.Context) error {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		m := f.mostSeen.Load()
		if n <= m || f.mostSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if f.answering.Load() {
		return nil
	}
	return unreachable(&neo4j.ConnectivityError{Inner: io.EOF}, "checking that Neo4j answers")
}

func newTestGate(t *testing.T) (*availability, *fakeServer) {
	t.Helper()
	f := &fakeServer{}
	a := newAvailability(f.check, slog.New(slog.DiscardHandler))
	t.Cleanup(a.close)
	return a, f
}

// waitFor polls cond until it holds; the deadline only tells a hang from
// an answer.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after 60s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isUp(a *availability) bool { return a.reasonDown() == nil }

func TestAvailabilityGate(t *testing.T) {
	awayErr := unreachable(&neo4j.ConnectivityError{Inner: io.EOF}, "reading nodes")

	t.Run("a new gate is down and refuses calls without running them", func(t *testing.T) {
		a, _ := newTestGate(t)
		for range 3 {
			if _, err := a.admit("reading nodes"); domain.ErrorCode(err) != domain.EUNAVAILABLE {
				t.Fatalf("admit: got %v, want UNAVAILABLE", err)
			}
		}
		if got, want := a.refused.Load(), uint64(3); got != want {
			t.Errorf("refused = %d, want %d", got, want)
		}
		if got := a.admitted.Load(); got != 0 {
			t.Errorf("admitted = %d, want 0", got)
		}
	})

	t.Run("the server away cancels the calls in flight and refuses new ones until a check passes", func(t *testing.T) {
		a, f := newTestGate(t)
		a.markUp()
		epoch, err := a.admit("reading nodes")
		if err != nil {
			t.Fatalf("admit while up: %v", err)
		}
		// Sixteen calls meet the outage at once: one watcher, one check at a time.
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() { a.observe(context.Background(), awayErr) })
		}
		wg.Wait()
		if !errors.Is(context.Cause(epoch), errStoreDown) {
			t.Errorf("the call in flight was not cancelled: cause %v, want errStoreDown", context.Cause(epoch))
		}
		_, err = a.admit("searching")
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("admit while down: got %v, want UNAVAILABLE", err)
		}
		waitFor(t, "two failed checks", func() bool { return a.checks.Load() >= 2 })
		if isUp(a) {
			t.Fatal("the gate turned up while every check failed")
		}
		f.answering.Store(true)
		waitFor(t, "the gate to turn up once the server answers", func() bool { return isUp(a) })
		if _, err := a.admit("reading nodes"); err != nil {
			t.Errorf("admit after recovery: %v", err)
		}
		if got := f.mostSeen.Load(); got != 1 {
			t.Errorf("at most %d checks ran at once, want 1", got)
		}
	})

	t.Run("a timeout makes one check; a passing check keeps the gate up", func(t *testing.T) {
		a, f := newTestGate(t)
		f.answering.Store(true)
		a.markUp()
		a.observe(context.Background(), domain.Timeout(context.DeadlineExceeded, "reading nodes took too long"))
		waitFor(t, "the check after a timeout", func() bool { return a.checks.Load() == 1 })
		if !isUp(a) {
			t.Errorf("the gate went down though the server answered: %v", a.reasonDown())
		}
	})

	t.Run("a timeout whose check fails turns the gate down", func(t *testing.T) {
		a, _ := newTestGate(t)
		a.markUp()
		a.observe(context.Background(), domain.Timeout(context.DeadlineExceeded, "reading nodes took too long"))
		waitFor(t, "the gate to go down", func() bool { return !isUp(a) })
	})

	t.Run("failures that are not the server's leave the gate up and unchecked", func(t *testing.T) {
		a, _ := newTestGate(t)
		a.markUp()
		for _, err := range []error{
			domain.Unavailable(errors.New("deadlock"), "the graph database was busy"),
			domain.Internal(errors.New("syntax"), "reading nodes"),
			domain.Errorf(domain.EINVALID, "bad"),
		} {
			a.observe(context.Background(), err)
		}
		a.mu.Lock()
		checking := a.checking
		a.mu.Unlock()
		if !isUp(a) || checking || a.checks.Load() != 0 {
			t.Errorf("up=%v checking=%v checks=%d, want up and no check", isUp(a), checking, a.checks.Load())
		}
	})
}

func TestTxTimeoutIsTheTimeLeft(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if got := txTimeout(ctx); got <= 59*time.Minute || got > time.Hour+time.Millisecond || got%time.Millisecond != 0 {
		t.Errorf("txTimeout = %v, want whole milliseconds just under an hour", got)
	}
	expired, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	if got := txTimeout(expired); got != time.Millisecond {
		t.Errorf("txTimeout of an expired context = %v, want 1ms (0 would mean no timeout)", got)
	}
}
