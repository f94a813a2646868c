package graph

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"testing/fstest"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
	"github.com/citygraph/citygraph/seed"
)

// importSeed answers importSeed(files:, dryRun:): the uploaded files are
// loaded by seed.Load, as `citygraph seed` loads files from disk, so they
// are checked alike, written in one atomic write and reported alike.
func (r *Resolver) importSeed(ctx context.Context, files []*graphql.Upload, dryRun *bool) (*model.ImportPayload, error) {
	if len(files) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "importSeed: send at least one seed file")
	}
	fsys := fstest.MapFS{}
	names := make([]string, 0, len(files))
	for i, f := range files {
		// A file is known by its base name, which decides how it is read.
		name := path.Base(strings.ReplaceAll(f.Filename, `\`, "/"))
		if name == "." || name == "/" || strings.HasPrefix(name, ".") {
			name = fmt.Sprintf("file-%d", i+1)
		}
		if _, dup := fsys[name]; dup {
			return nil, domain.Errorf(domain.EINVALID, "importSeed: two files are named %q; give each file its own name", name)
		}
		data, err := io.ReadAll(f.File)
		if err != nil {
			return nil, domain.Internal(err, "reading an uploaded file")
		}
		fsys[name] = &fstest.MapFile{Data: data}
		names = append(names, name)
	}
	dry := dryRun != nil && *dryRun
	res, err := seed.Load(ctx, r.Store, fsys, names, seed.Options{DryRun: dry, Author: author(ctx)})
	loader.For(ctx).Forget()
	if err != nil {
		return nil, err
	}
	return &model.ImportPayload{DryRun: dry, Rows: res.Rows, Counts: model.Counts(res.Report)}, nil
}
