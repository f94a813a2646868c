package seed

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/citygraph/citygraph/domain"
)

// Command runs the seed subcommand: `citygraph seed [--dry-run] [--batch-rows N]
// [--max-dossier-bytes N] [--max-csv-bytes N] [--max-depth N] [--server URL] FILE|DIR...`.
// It loads the files into st and prints a report table on stdout; problems
// go to stderr, one per line as file:line: field: found X, expected Y. A
// progress line is shown on stderr when it is a terminal and CI is unset.
// With --server it sends the files to that running service instead, with
// the credential in CITYGRAPH_TOKEN, and st is not used (see ToServer).
func Command(ctx context.Context, st domain.Store, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("seed", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dryRun := fl.Bool("dry-run", false, "validate and count against the store, but write nothing")
	batchRows := fl.Int("batch-rows", 0, "on Neo4j, write a load of more rows than this in transactions of this many rows "+
		"(validated whole first; if it stops part way, run the same command again to finish it); "+
		"0 writes each load in one transaction. The embedded store always uses one transaction")
	maxDossier := fl.Int64("max-dossier-bytes", DefaultLimits.MaxDossierBytes, "refuse a dossier (.yaml .yml .json) larger than this many bytes")
	maxCSV := fl.Int64("max-csv-bytes", DefaultLimits.MaxCSVBytes, "refuse a bulk CSV file larger than this many bytes")
	maxDepth := fl.Int("max-depth", DefaultLimits.MaxDepth, "refuse a dossier whose collections nest deeper than this")
	server := fl.String("server", "", "send the files to the running service at this URL (http://localhost:8080) instead of "+
		"opening the store; the credential is read from "+TokenEnv)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: citygraph seed [--dry-run] [--batch-rows N] [--max-dossier-bytes N] [--max-csv-bytes N] [--max-depth N] [--server URL] FILE|DIR...")
		fmt.Fprintln(stderr, "Loads seed dossiers (.yaml .yml .json) and bulk CSV files; see docs/seed-format.md.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // asked for the usage, which Parse printed
		}
		return domain.Errorf(domain.EINVALID, "seed: %v", err)
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return domain.Errorf(domain.EINVALID, "seed: name at least one file or directory")
	}
	if *batchRows < 0 {
		return domain.Errorf(domain.EINVALID, "seed: --batch-rows is %d; give a positive number of rows per transaction, or 0 for one transaction", *batchRows)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"max-dossier-bytes", *maxDossier}, {"max-csv-bytes", *maxCSV}, {"max-depth", int64(*maxDepth)}} {
		if f.v <= 0 {
			return domain.Errorf(domain.EINVALID, "seed: --%s is %d; give a positive number (the default is %s)", f.name, f.v, fl.Lookup(f.name).DefValue)
		}
	}
	opt := Options{DryRun: *dryRun, BatchRows: *batchRows,
		Limits: Limits{MaxDossierBytes: *maxDossier, MaxCSVBytes: *maxCSV, MaxDepth: *maxDepth}}
	if *server != "" {
		if *batchRows != 0 {
			return domain.Errorf(domain.EINVALID, "seed: --batch-rows applies to a direct load; a service writes an import in one transaction, so leave it out with --server")
		}
		start := time.Now()
		res, err := loadToServer(ctx, http.DefaultClient, *server, os.Getenv(TokenEnv), fl.Args(), opt)
		if err != nil {
			printProblems(stderr, err)
			return err
		}
		res.Elapsed = time.Since(start)
		WriteReport(stdout, res, *dryRun)
		return nil
	}
	if isTerminal(stderr) && os.Getenv("CI") == "" {
		sl := &statusLine{w: stderr}
		opt.Progress = sl
		defer sl.clear()
	}
	res, err := Load(ctx, st, osFS{}, fl.Args(), opt)
	if err != nil {
		if sl, ok := opt.Progress.(*statusLine); ok {
			sl.clear()
		}
		printProblems(stderr, err)
		return err
	}
	if sl, ok := opt.Progress.(*statusLine); ok {
		sl.clear()
	}
	WriteReport(stdout, res, *dryRun)
	return nil
}

// WriteReport prints the per-kind table of a load and its throughput.
func WriteReport(w io.Writer, res Result, dryRun bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node kind\tcreated\tupdated\tunchanged\t")
	for _, k := range domain.Kinds {
		if c, ok := res.Report.Nodes[k]; ok {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", k, c.Created, c.Updated, c.Unchanged)
		}
	}
	fmt.Fprintln(tw, "relation kind\tcreated\tupdated\tunchanged\t")
	for _, k := range domain.EdgeKinds {
		if c, ok := res.Report.Edges[k]; ok {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", k, c.Created, c.Updated, c.Unchanged)
		}
	}
	tw.Flush()
	verb := "loaded"
	if dryRun {
		verb = "dry run, nothing was written: checked"
	}
	fmt.Fprintf(w, "%s %d rows in %s (%.0f rows/s)\n", verb, res.Rows, res.Elapsed.Round(time.Millisecond), res.RowsPerSecond())
}

// printProblems writes each problem of err on its own line, or err itself.
func printProblems(w io.Writer, err error) {
	var e *domain.Error
	if errors.As(err, &e) && len(e.Problems) > 0 {
		for _, p := range e.Problems {
			fmt.Fprintln(w, p.String())
		}
		fmt.Fprintln(w, e.Message)
		return
	}
	fmt.Fprintln(w, "seed:", err)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// statusLine shows the latest progress line in place on a terminal, with
// a bar drawn from the loader's "done/total" counts.
type statusLine struct {
	w     io.Writer
	shown bool
}

// fraction finds the loader's "3/7" step count.
var fraction = regexp.MustCompile(`(\d+)/(\d+)`)

// bar draws done out of total as a 20-cell bar with a percentage.
func bar(done, total int) string {
	const cells = 20
	if total <= 0 {
		return ""
	}
	full := min(cells, done*cells/total)
	return fmt.Sprintf("[%s%s] %3d%% ", strings.Repeat("#", full), strings.Repeat("-", cells-full), done*100/total)
}

func (s *statusLine) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	if m := fraction.FindStringSubmatch(line); m != nil {
		done, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		line = bar(done, total) + line
	}
	if r := []rune(line); len(r) > 100 {
		line = string(r[:99]) + "…"
	}
	fmt.Fprintf(s.w, "\r\x1b[K%s", line)
	s.shown = true
	return len(p), nil
}

func (s *statusLine) clear() {
	if s.shown {
		fmt.Fprint(s.w, "\r\x1b[K")
		s.shown = false
	}
}

// osFS reads the paths given on the command line as the operating system
// resolves them (relative to the working directory, or absolute), so that
// problems name files as the user typed them. os.DirFS cannot: it is
// rooted and rejects absolute paths.
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(filepath.FromSlash(name)) }
