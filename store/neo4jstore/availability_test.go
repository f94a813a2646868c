package neo4jstore

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// fakeServer is the gate's check for unit tests: it passes when answering
// is set, holds its "migrations" while migrating is non-nil, and records
// how many checks ran at once.
type fakeServer struct {
	answering         atomic.Bool
	migrating         atomic.Pointer[chan struct{}]
	running, mostSeen atomic.Int32
}

func (f *fakeServer) check(ctx context.Context, reached func()) error {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		m := f.mostSeen.Load()
		if n <= m || f.mostSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if !f.answering.Load() {
		return unreachable(&neo4j.ConnectivityError{Inner: io.EOF}, "checking that Neo4j answers")
	}
	reached()
	if done := f.migrating.Load(); done != nil {
		select {
		case <-*done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
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

// upGate starts a gate on an answering server and waits for it to open.
func upGate(t *testing.T) (*availability, *fakeServer) {
	t.Helper()
	a, f := newTestGate(t)
	f.answering.Store(true)
	a.start()
	waitFor(t, "the gate to open", func() bool { return isUp(a) })
	return a, f
}

func TestAvailabilityGate(t *testing.T) {
	awayErr := unreachable(&neo4j.ConnectivityError{Inner: io.EOF}, "reading nodes")

	t.Run("a new gate is down and refuses calls without running them", func(t *testing.T) {
		a, _ := newTestGate(t)
		for range 3 {
			if _, err := a.admit(context.Background(), "reading nodes"); domain.ErrorCode(err) != domain.EUNAVAILABLE {
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
		a, f := upGate(t)
		f.answering.Store(false)
		epoch, err := a.admit(context.Background(), "reading nodes")
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
		_, err = a.admit(context.Background(), "searching")
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("admit while down: got %v, want UNAVAILABLE", err)
		}
		checks := a.checks.Load()
		waitFor(t, "two failed checks", func() bool { return a.checks.Load() >= checks+2 })
		if isUp(a) {
			t.Fatal("the gate turned up while every check failed")
		}
		f.answering.Store(true)
		waitFor(t, "the gate to turn up once the server answers", func() bool { return isUp(a) })
		if _, err := a.admit(context.Background(), "reading nodes"); err != nil {
			t.Errorf("admit after recovery: %v", err)
		}
		if got := f.mostSeen.Load(); got != 1 {
			t.Errorf("at most %d checks ran at once, want 1", got)
		}
	})

	t.Run("a timeout makes one check; a passing check keeps the gate up", func(t *testing.T) {
		a, _ := upGate(t)
		checks := a.checks.Load()
		a.observe(context.Background(), domain.Timeout(context.DeadlineExceeded, "reading nodes took too long"))
		waitFor(t, "the check after a timeout", func() bool { return a.checks.Load() == checks+1 })
		if !isUp(a) {
			t.Errorf("the gate went down though the server answered: %v", a.reasonDown())
		}
	})

	t.Run("a timeout whose check fails turns the gate down", func(t *testing.T) {
		a, f := upGate(t)
		f.answering.Store(false)
		a.observe(context.Background(), domain.Timeout(context.DeadlineExceeded, "reading nodes took too long"))
		waitFor(t, "the gate to go down", func() bool { return !isUp(a) })
	})

	t.Run("failures that are not the server's leave the gate up and unchecked", func(t *testing.T) {
		a, _ := upGate(t)
		checks := a.checks.Load()
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
		if !isUp(a) || checking || a.checks.Load() != checks {
			t.Errorf("up=%v checking=%v checks=%d, want up and no check", isUp(a), checking, a.checks.Load())
		}
	})
}

func TestCallsWaitWhileTheSchemaIsPrepared(t *testing.T) {
	a, f := newTestGate(t)
	f.answering.Store(true)
	release := make(chan struct{})
	f.migrating.Store(&release)
	a.start()
	waitFor(t, "the check to reach the server", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.preparing
	})
	if err := a.reasonDown(); domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(err.Error(), "schema") {
		t.Errorf("Ping while migrating: got %v, want UNAVAILABLE saying the schema is being prepared", err)
	}

	t.Run("a call whose time runs out first is refused", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := a.admit(ctx, "reading nodes"); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("got %v, want UNAVAILABLE", err)
		}
	})
	t.Run("a call waits and runs once the migrations are done", func(t *testing.T) {
		admitted := make(chan error, 1)
		go func() {
			_, err := a.admit(context.Background(), "applying a batch")
			admitted <- err
		}()
		select {
		case err := <-admitted:
			t.Fatalf("admit returned %v before the migrations were done", err)
		default:
		}
		close(release)
		select {
		case err := <-admitted:
			if err != nil {
				t.Errorf("admit after the migrations: %v", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("admit still waits after the migrations were done")
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
