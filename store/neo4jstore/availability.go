package neo4jstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citygraph/citygraph/domain"
)

// The availability gate is what the store knows about the server: a
// circuit breaker with two states and one watcher.
//
//   - up: calls go to the driver. A call that finds the server away
//     (connection refused or lost, credentials refused, no answer to a
//     connectivity check) turns the gate down; one that ends TIMEOUT makes
//     the gate check the server once in the background, because a server
//     that accepts connections and never answers looks like a slow query
//     to the call.
//   - down: calls answer UNAVAILABLE at once without touching the driver,
//     and calls still running are cancelled. One watcher checks the server
//     (connectivity, then the migrations if they have not run) 250 ms after
//     going down and then every 0.5 s and 1 s; the first check that passes
//     turns the gate up, so service resumes within about a second of the
//     server answering.
//
// While a check has reached the server and runs the migrations (a cold
// server takes seconds), the store is not away but preparing: Ping says
// so at once, and calls wait for the check, within their own time, so
// that a seed load started with the server does not fail.
//
// The store starts down; Open starts the watcher at once and returns when
// the gate is up or its context ends, so a store is never ready before its
// migrations have run.
//
// A ready-made breaker (sony/gobreaker) lets a trial request through after
// a fixed wait; here the trial is a background check that also runs the
// migrations, and tripping must cancel the calls in flight, hence this
// small state machine.
type availability struct {
	log *slog.Logger
	// check reaches the server, calls reached, and readies the schema; nil
	// means up.
	check func(ctx context.Context, reached func()) error

	mu        sync.Mutex
	up        bool
	preparing bool            // a check reached the server and runs the migrations
	reason    error           // why down: the error that turned it down, then the last check's
	epoch     context.Context // ended, with cause errStoreDown, when the gate goes down
	end       context.CancelCauseFunc
	changed   chan struct{} // closed and replaced on every change of state or reason
	checking  bool          // a watcher or a single check is running

	closed   context.Context // ended by close: stops the watcher and its check
	shutdown context.CancelFunc
	wg       sync.WaitGroup

	refused  atomic.Uint64
	admitted atomic.Uint64
	checks   atomic.Uint64
}

// Check intervals: the first check soon after the server fails, then
// doubling to a cap that bounds how long after the server's return the
// gate opens.
const (
	firstCheckAfter = 250 * time.Millisecond
	maxCheckEvery   = time.Second
)

// errStoreDown is the cause of a call's context cancelled because the gate
// went down while it ran.
var errStoreDown = errors.New("the availability gate learned that Neo4j is down")

var (
	errNotChecked = domain.Errorf(domain.EUNAVAILABLE,
		"the graph database has not answered yet; the service keeps checking and serves as soon as it does")
	errPreparing = domain.Errorf(domain.EUNAVAILABLE,
		"the graph database answers and its schema is being prepared (migrations); the service serves as soon as they are done")
)

func newAvailability(check func(ctx context.Context, reached func()) error, log *slog.Logger) *availability {
	a := &availability{log: log, check: check, reason: errNotChecked, changed: make(chan struct{})}
	a.closed, a.shutdown = context.WithCancel(context.Background())
	a.epoch, a.end = context.WithCancelCause(context.Background())
	a.end(errStoreDown)
	return a
}

// Availability is what the store knows about the server, with counts of
// what the gate did: for tests and metrics.
type Availability struct {
	// Up is true when calls go to the server.
	Up bool
	// Reason is why the store is down (nil when up).
	Reason error
	// Refused counts calls answered UNAVAILABLE because the store was down
	// (at once, or when their time ran out while the schema was being
	// prepared); Admitted counts calls handed to the driver; Checks counts
	// the gate's own checks of the server that have ended.
	Refused, Admitted, Checks uint64
}

// Availability reports the gate's state and counts.
func (s *Store) Availability() Availability {
	a := s.gate
	a.mu.Lock()
	defer a.mu.Unlock()
	st := Availability{Up: a.up, Refused: a.refused.Load(), Admitted: a.admitted.Load(), Checks: a.checks.Load()}
	if !a.up {
		st.Reason = a.reason
	}
	return st
}

// admit lets a call through when the store is up and returns the context
// that ends when the gate goes down. While the schema is being prepared it
// waits, until ctx ends; otherwise a store that is down refuses at once.
func (a *availability) admit(ctx context.Context, what string) (context.Context, error) {
	for {
		a.mu.Lock()
		if a.up {
			a.admitted.Add(1)
			epoch := a.epoch
			a.mu.Unlock()
			return epoch, nil
		}
		changed, preparing, reason := a.changed, a.preparing, a.reason
		a.mu.Unlock()
		if preparing {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
			}
		}
		a.refused.Add(1)
		return nil, &domain.Error{Code: domain.EUNAVAILABLE, Err: reason,
			Message: "the graph database is unavailable, so " + what + " was not attempted: " + domain.ErrorMessage(reason)}
	}
}

// changeLocked wakes everyone waiting for the gate to change.
func (a *availability) changeLocked() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// down records that the server is away: it cancels the calls in flight
// and starts the watcher.
func (a *availability) down(reason error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.up {
		a.up = false
		a.end(errStoreDown)
		a.log.Warn("Neo4j is unavailable; calls answer UNAVAILABLE until a check passes", "err", reason)
	}
	a.reason, a.preparing = reason, false
	a.changeLocked()
	a.watchLocked(firstCheckAfter)
}

// start begins checking at once (Open).
func (a *availability) start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.watchLocked(0)
}

func (a *availability) watchLocked(wait time.Duration) {
	if a.checking || a.closed.Err() != nil {
		return
	}
	a.checking = true
	a.wg.Add(1)
	go a.watch(wait)
}

// reached is called by a check that got an answer from the server and
// goes on to the migrations.
func (a *availability) reached() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.up {
		a.preparing, a.reason = true, errPreparing
		a.changeLocked()
	}
}

// suspect checks the server once in the background, unless a check is
// already running; a failed check turns the gate down.
func (a *availability) suspect() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.up || a.checking || a.closed.Err() != nil {
		return
	}
	a.checking = true
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		err := a.runCheck()
		a.mu.Lock()
		a.checking = false
		a.mu.Unlock()
		if err != nil {
			a.down(err)
		}
	}()
}

// watch checks the server with backoff until a check passes or the store
// is closed; it is the only watcher, so the gate turns up once. Checks
// start wait apart (a check that hangs until its connect timeout counts
// towards the wait), so a server that answers again is found within about
// maxCheckEvery.
func (a *availability) watch(wait time.Duration) {
	defer a.wg.Done()
	next, took := firstCheckAfter, time.Duration(0)
	for {
		select {
		case <-a.closed.Done():
			return
		case <-time.After(max(wait-took, 0)):
		}
		start := time.Now()
		err := a.runCheck()
		took = time.Since(start)
		a.mu.Lock()
		a.preparing = false
		if err == nil {
			a.upLocked()
			a.checking = false
			a.mu.Unlock()
			return
		}
		if a.closed.Err() == nil {
			a.reason = err
		}
		a.changeLocked()
		a.mu.Unlock()
		wait, next = next, min(2*next, maxCheckEvery)
	}
}

// runCheck runs one check and counts it once it has ended.
func (a *availability) runCheck() error {
	defer a.checks.Add(1)
	return a.check(a.closed, a.reached)
}

func (a *availability) upLocked() {
	if a.up {
		return
	}
	a.up, a.preparing, a.reason = true, false, nil
	a.epoch, a.end = context.WithCancelCause(context.Background())
	a.changeLocked()
	a.log.Info("Neo4j is available")
}

// state returns whether the gate is up, why not, and a channel closed at
// the next change.
func (a *availability) state() (up bool, reason error, changed <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.up, a.reason, a.changed
}

// observe feeds a call's outcome back to the gate.
func (a *availability) observe(ctx context.Context, err error) {
	if err == nil || errors.Is(context.Cause(ctx), errStoreDown) {
		return
	}
	var away *serverAway
	switch {
	case errors.As(err, &away):
		a.down(err)
	case domain.ErrorCode(err) == domain.ETIMEOUT:
		a.suspect()
	}
}

// close stops the watcher and waits for it. Checks start only under mu
// and while not closed, so none starts once Wait has begun.
func (a *availability) close() {
	a.mu.Lock()
	a.shutdown()
	a.mu.Unlock()
	a.wg.Wait()
}

// reasonDown is why the store is down, as the error a call would get, or
// nil when it is up.
func (a *availability) reasonDown() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.up {
		return nil
	}
	var de *domain.Error
	if errors.As(a.reason, &de) && de.Code == domain.EUNAVAILABLE {
		return de
	}
	return domain.Unavailable(a.reason, "the graph database cannot serve yet: "+domain.ErrorMessage(a.reason))
}

// call runs work under the gate: UNAVAILABLE when the store is down (at
// once, or, while the schema is being prepared, when its time runs out);
// otherwise with a context that ends at the earlier of the caller's
// deadline and the store's own timeout, and is cancelled if the gate goes
// down meanwhile. work gets that context and the time left in it, which
// every transaction carries as its server-side timeout, so the server
// stops too. The outcome, translated, is fed back to the gate.
func (s *Store) call(ctx context.Context, limit *budget, what string, work func(ctx context.Context, txTimeout time.Duration) error) error {
	if ctx.Err() != nil {
		return translate(ctx, ctx.Err(), what) // the request ended before the call began
	}
	ctx, cancel := context.WithTimeoutCause(ctx, limit.d, limit)
	defer cancel()
	epoch, err := s.gate.admit(ctx, what)
	if err != nil {
		return err
	}
	ctx, cancelDown := context.WithCancelCause(ctx)
	defer cancelDown(nil)
	stop := context.AfterFunc(epoch, func() { cancelDown(errStoreDown) })
	defer stop()

	err = translate(ctx, work(ctx, txTimeout(ctx)), what)
	s.gate.observe(ctx, err)
	return err
}

// txTimeout is the time left before ctx's deadline, as the server-side
// timeout of a transaction: whole milliseconds, at least one, because the
// driver sends milliseconds and zero would mean no timeout at all.
func txTimeout(ctx context.Context) time.Duration {
	d, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	left := (time.Until(d) + time.Millisecond - 1).Truncate(time.Millisecond)
	return max(left, time.Millisecond)
}

// budget is a store call's own time limit. It is the cause of the call's
// context when it runs out, so that translate can tell it from the
// request's deadline and name the setting that bounds it.
type budget struct {
	d time.Duration
	// setting names what sets d, for messages.
	setting string
	// connect is true for a connectivity check: running out means the
	// server did not answer (UNAVAILABLE), not that the work was too big.
	connect bool
}

func (b *budget) Error() string { return "the " + b.setting + " (" + b.d.String() + ") ran out" }

// queryBudget bounds one call: one query timeout, and one more per
// 10,000 rows a write holds.
func (s *Store) queryBudget(rows int) *budget {
	if rows < chunkRows {
		return &budget{d: s.cfg.QueryTimeout, setting: "query timeout NEO4J_QUERY_TIMEOUT"}
	}
	return &budget{d: s.cfg.QueryTimeout * time.Duration(1+rows/chunkRows),
		setting: "write time limit (NEO4J_QUERY_TIMEOUT per 10,000 rows)"}
}

func (s *Store) connectBudget() *budget {
	return &budget{d: s.cfg.ConnectTimeout, setting: "connect timeout NEO4J_CONNECT_TIMEOUT", connect: true}
}

// migrationBudget bounds one attempt at the migrations: creating indexes
// on a cold server takes far longer than a query may, and a check that
// runs out simply tries again (every migration is idempotent).
func (s *Store) migrationBudget() *budget {
	return &budget{d: max(4*s.cfg.QueryTimeout, 2*time.Minute), setting: "migration time limit"}
}
