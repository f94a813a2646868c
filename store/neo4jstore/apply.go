package neo4jstore

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// chunkRows bounds the rows of one UNWIND statement: a 100k-row load is
// still one transaction, sent as a few statements of moderate size.
const chunkRows = 10_000

// Apply loads a batch as one Write of upserts (domain.WriteFromBatch):
// checked by domain.CheckWrite against what the transaction reads, merged
// into what is stored, and written with its change set in ONE
// transaction, unless opt.BatchRows asks for parts (see applyInParts). A
// load that fails leaves nothing behind.
func (s *Store) Apply(ctx context.Context, b *domain.Batch, opt domain.ApplyOptions) (domain.Report, error) {
	if b == nil || len(b.Nodes)+len(b.Edges) == 0 {
		return domain.Report{}, nil
	}
	if rows := len(b.Nodes) + len(b.Edges); opt.BatchRows > 0 && rows > opt.BatchRows && !opt.DryRun {
		return s.applyInParts(ctx, b, opt)
	}
	w := domain.WriteFromBatch(b, opt.Author)
	w.DryRun = opt.DryRun
	set, err := s.write(ctx, w, false)
	if err != nil {
		return domain.Report{}, err
	}
	return set.Report, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
