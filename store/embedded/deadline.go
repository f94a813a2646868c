package embedded

import (
	"context"
	"errors"
	"fmt"

	"github.com/citygraph/citygraph/domain"
)

// checkEvery is how many steps of work a read does between looks at its
// context: a step is a few map reads, and ctx.Err takes a lock, so looking
// at every step would cost more than the step.
const checkEvery = 256

// deadline stops a read's loops once its context is done, because the
// request's deadline passed or its client went away. Each loop calls tick
// once per step (a node or relation visited) and stops when it says so;
// the read then returns Err, a TIMEOUT that says what was being done.
type deadline struct {
	ctx   context.Context
	doing string // "finding paths from a to b"
	less  string // how to ask for less: "fewer hops (maxHops)"
	steps int
	err   error
}

func newDeadline(ctx context.Context, doing, less string) *deadline {
	return &deadline{ctx: ctx, doing: doing, less: less}
}

// tick counts one step of work and reports whether the read must stop.
// The context is consulted every checkEvery steps, also once stopped, so
// that a loop which ignored the stop shows in the checks a test counts.
func (d *deadline) tick() (stop bool) {
	d.steps++
	if d.steps%checkEvery == 0 {
		d.check()
	}
	return d.err != nil
}

// stopped reports whether a loop stopped the read; for the loops around
// one that ticks.
func (d *deadline) stopped() bool { return d.err != nil }

// check consults the context now and reports whether the read must stop.
func (d *deadline) check() (stop bool) {
	if err := d.ctx.Err(); err != nil && d.err == nil {
		d.err = contextDone(err, d.doing, d.less)
	}
	return d.err != nil
}

// Err is the TIMEOUT that stopped the read, or nil.
func (d *deadline) Err() error { return d.err }

// contextDone is the TIMEOUT for a read stopped by err, the context's
// error, while doing what doing says; less says how to ask for less.
func contextDone(err error, doing, less string) *domain.Error {
	why := "took longer than the server allows"
	if errors.Is(err, context.Canceled) {
		why = "was cancelled"
	}
	msg := fmt.Sprintf("the request %s while %s", why, doing)
	if less != "" {
		msg += "; ask for less: " + less
	}
	return domain.Timeout(err, msg)
}
