package seed

import (
	"context"
	"embed"
	"io/fs"

	"github.com/citygraph/citygraph/domain"
)

//go:embed data
var projectData embed.FS

// ProjectFS is the project's own seed data (the 2015 forum dossier, the
// reference data and their sources), rooted at the data directory.
func ProjectFS() fs.FS {
	sub, err := fs.Sub(projectData, "data")
	if err != nil {
		return errFS{err} // unreachable: "data" is a valid embedded directory
	}
	return sub
}

// errFS fails every Open with its error.
type errFS struct{ err error }

func (f errFS) Open(string) (fs.File, error) { return nil, f.err }

// ProjectBatch parses the project's seed data into one batch. The data is
// self-contained: a reference to anything outside it is an error.
func ProjectBatch() (*domain.Batch, error) {
	files, err := readFiles(ProjectFS(), []string{"."}, DefaultLimits, func(string, ...any) {})
	if err != nil {
		return nil, err
	}
	b, pos, err := Parse(files)
	if err != nil {
		return nil, err
	}
	if err := resolve(context.Background(), nil, pos.Unresolved); err != nil {
		return nil, err
	}
	return b, nil
}

// LoadProject loads the project's seed data into st (the service does this
// the first time an empty embedded store starts).
func LoadProject(ctx context.Context, st domain.Store) (Result, error) {
	return Load(ctx, st, ProjectFS(), []string{"."}, Options{})
}
