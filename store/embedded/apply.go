package embedded

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// Apply loads a batch as one Write of upserts (domain.WriteFromBatch): it
// is checked by domain.CheckWrite, merged into what is stored, and written
// with its change set in one bbolt transaction; memory is changed only
// after the commit. See domain.Store. The embedded store has no bound on
// a transaction, so it ignores BatchRows.
//
// Reads go on while a batch is checked and written to the file: the write
// holds the writers' lock throughout, so no other write can change the
// state between its check and its swap, but the readers' lock only for
// reading the state while checking and, exclusively, for the in-memory
// update at the end.
func (s *Store) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	if b == nil {
		return domain.Report{}, domain.Errorf(domain.EINVALID, "no batch to apply")
	}
	w := domain.WriteFromBatch(b, opt.Author)
	w.DryRun = opt.DryRun
	set, err := s.write(ctx, w, false)
	if err != nil {
		return domain.Report{}, err
	}
	if opt.Progress != nil && !opt.DryRun {
		opt.Progress(len(b.Nodes)+len(b.Edges), len(b.Nodes)+len(b.Edges))
	}
	return set.Report, nil
}

// testHookWriting, when a test sets it, runs as a write starts writing the
// file, with no readers' lock held.
var testHookWriting func()
