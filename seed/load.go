package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/citygraph/citygraph/domain"
)

// Options tunes Load.
type Options struct {
	// DryRun parses, validates and counts against the store, but writes nothing.
	DryRun bool
	// Progress, if set, receives one line per step ("read 3/7 files: …").
	Progress io.Writer
	// BatchRows, if positive, lets a store with bounded transactions (Neo4j)
	// commit a load of more rows than this in parts of this many rows; see
	// domain.Store.Apply. A load that stops part way is finished by loading
	// the same files again.
	BatchRows int
	// Limits bounds each file's size and a dossier's nesting; a zero field
	// takes its default from DefaultLimits.
	Limits Limits
	// Author names who loads, for the change log (domain.ApplyOptions.Author):
	// the credential's subject of an import into a running service.
	Author string
}

// Result is what a load did.
type Result struct {
	// Report is the store's count of created, updated and unchanged nodes
	// and relations (with DryRun: what a real load would do).
	Report domain.Report
	// Rows counts the records read: CSV data rows and dossier records.
	Rows    int
	Elapsed time.Duration
}

// RowsPerSecond is the load's throughput.
func (r Result) RowsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Rows) / r.Elapsed.Seconds()
}

// Load reads the seed files and directories at paths in fsys (directories
// recursively, files with an extension in Extensions), parses and validates
// them all, resolves references that the files leave open against the
// store, and writes everything in ONE st.Apply, so a load is all or
// nothing (or, with BatchRows on Neo4j, validated whole and then written in
// parts that a rerun completes). Any problem anywhere returns an EINVALID *domain.Error listing
// every problem with file, line, field, found and expected; then nothing
// has been written.
func Load(ctx context.Context, st domain.Store, fsys fs.FS, paths []string, opt Options) (Result, error) {
	start := time.Now()
	progress := func(format string, args ...any) {
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, format+"\n", args...)
		}
	}
	lim := opt.Limits.withDefaults()
	files, err := readFiles(fsys, paths, lim, progress)
	if err != nil {
		return Result{}, err
	}
	progress("parsing %d files", len(files))
	batch, pos, perr := ParseWithin(files, lim)
	res := Result{Rows: pos.Rows}
	// References are checked even when parsing found problems, so that one
	// run reports every problem.
	progress("checking %d references against the store", len(pos.Unresolved))
	rerr := resolve(ctx, st, pos.Unresolved)
	if err := mergeProblems(perr, rerr); err != nil {
		return res, err
	}
	verb := "writing"
	if opt.DryRun {
		verb = "checking (dry run)"
	}
	progress("%s %d nodes and %d relations", verb, len(batch.Nodes), len(batch.Edges))
	aopt := domain.ApplyOptions{DryRun: opt.DryRun, BatchRows: opt.BatchRows, Author: opt.Author}
	if opt.Progress != nil {
		aopt.Progress = func(done, total int) { progress("wrote %d/%d rows", done, total) }
	}
	rep, err := st.Apply(ctx, batch, aopt)
	if err != nil {
		return res, locate(err, pos)
	}
	res.Report = rep
	res.Elapsed = time.Since(start)
	progress("done: %d rows in %s", res.Rows, res.Elapsed.Round(time.Millisecond))
	return res, nil
}

// readFiles collects the seed files under paths, keyed by their path in fsys.
// A file over its size limit is a problem and is not read.
func readFiles(fsys fs.FS, paths []string, lim Limits, progress func(string, ...any)) (map[string][]byte, error) {
	var names []string
	var probs []domain.Problem
	for _, p := range paths {
		p = strings.TrimSuffix(p, "/")
		if p == "" {
			p = "."
		}
		err := fs.WalkDir(fsys, p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				probs = append(probs, domain.Problem{File: name, Field: "(file)", Found: errText(err), Expected: "a readable file or directory"})
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if slices.Contains(Extensions, strings.ToLower(path.Ext(name))) || name == p {
				names = append(names, name)
			}
			return nil
		})
		if err != nil {
			probs = append(probs, domain.Problem{File: p, Field: "(file)", Found: errText(err), Expected: "a readable file or directory"})
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) == 0 && len(probs) == 0 {
		probs = append(probs, domain.Problem{File: strings.Join(paths, " "), Field: "(file)", Found: "no seed files",
			Expected: fmt.Sprint("files ending in one of ", Extensions)})
	}
	files := make(map[string][]byte, len(names))
	for i, name := range names {
		data, size, err := readLimited(fsys, name, lim)
		if err != nil {
			probs = append(probs, domain.Problem{File: name, Field: "(file)", Found: errText(err), Expected: "a readable file"})
			continue
		}
		if p, over := lim.sizeProblem(name, size); over {
			probs = append(probs, p)
			continue
		}
		files[name] = data
		progress("read %d/%d files: %s", i+1, len(names), name)
	}
	return files, problemsError(probs)
}

// readLimited reads a file and returns its size, but reads no file over
// its size limit, and no more than one byte past the limit of a file whose
// size is unknown (a pipe, a device) or growing.
func readLimited(fsys fs.FS, name string, lim Limits) (data []byte, size int64, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	limit, _, _ := lim.maxBytes(name)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
		return nil, fi.Size(), nil
	}
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	return data, int64(len(data)), err
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// resolve looks up, in one store call, every node the batch refers to but
// does not hold; each that the store lacks is a problem where it was named.
func resolve(ctx context.Context, st domain.Store, refs []Reference) error {
	if len(refs) == 0 {
		return nil
	}
	seen := map[domain.NodeKey]int{}
	var keys []domain.NodeKey
	for _, r := range refs {
		if _, ok := seen[r.Key]; !ok {
			seen[r.Key] = len(keys)
			keys = append(keys, r.Key)
		}
	}
	var found []domain.Node
	if st != nil {
		var err error
		if found, err = st.Nodes(ctx, keys); err != nil {
			return err
		}
	}
	var probs []domain.Problem
	for _, r := range refs {
		i := seen[r.Key]
		if i < len(found) && found[i] != nil {
			continue
		}
		probs = append(probs, domain.Problem{File: r.At.File, Line: r.At.Line, Field: r.At.Field,
			Found: "unknown " + r.Key.String(), Expected: fmt.Sprintf("a %s declared in the seed files or already stored", r.Key.Kind)})
	}
	return problemsError(probs)
}

// locate adds file and line to the problems a store reports, where the
// store names a node or relation of the batch in the problem's Found.
func locate(err error, pos Positions) error {
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		return err
	}
	out := *e
	out.Problems = slices.Clone(e.Problems)
	for i := range out.Problems {
		p := &out.Problems[i]
		if p.File != "" {
			continue
		}
		for k, at := range pos.Nodes {
			if strings.Contains(p.Field+" "+p.Found, k.String()) {
				p.File, p.Line = at.File, at.Line
				break
			}
		}
	}
	return &out
}

// mergeProblems joins the problems of two EINVALID errors; any other error
// wins as it is.
func mergeProblems(a, b error) error {
	if a == nil || b == nil {
		if a != nil {
			return a
		}
		return b
	}
	var ea, eb *domain.Error
	if !errors.As(a, &ea) || ea.Code != domain.EINVALID {
		return a
	}
	if !errors.As(b, &eb) || eb.Code != domain.EINVALID {
		return b
	}
	return problemsError(append(slices.Clone(ea.Problems), eb.Problems...))
}
