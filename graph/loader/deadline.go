package loader

import (
	"context"

	"github.com/citygraph/citygraph/domain"
)

// expired is the TIMEOUT for a load asked, or a batch about to be fetched,
// once the request's context is done: no store call starts after the
// deadline, and a load does not wait for a batch that will not come.
func expired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return domain.Timeout(err, "the request took longer than the server allows before its data was loaded; ask for smaller pages (first) or fewer nested lists")
	}
	return nil
}
