package seed

import (
	"fmt"
	"path"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Limits bounds what one seed file may cost to parse, so that memory stays
// proportional to the file and a hostile or mistaken file is refused before
// the expensive work. A zero field takes its default from DefaultLimits.
type Limits struct {
	// MaxDossierBytes caps the size of one dossier (.yaml .yml .json).
	MaxDossierBytes int64
	// MaxCSVBytes caps the size of one bulk CSV file.
	MaxCSVBytes int64
	// MaxDepth caps how deeply a dossier's collections (mappings, lists,
	// flow [ ] and { }) nest; the root collection is depth 1.
	MaxDepth int
}

// DefaultLimits are the limits Load and Parse apply unless told otherwise.
// The project's largest dossier is 12 KB; the schema nests at most 8 deep; bulk CSV files
// hold hundreds of thousands of rows of about 100 bytes each.
var DefaultLimits = Limits{
	MaxDossierBytes: 1 << 20,   // 1 MiB: larger generated data belongs in CSV
	MaxCSVBytes:     256 << 20, // 256 MiB: about 2.5 million rows
	MaxDepth:        32,        // far below yaml.v3's own 10,000
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxDossierBytes <= 0 {
		l.MaxDossierBytes = DefaultLimits.MaxDossierBytes
	}
	if l.MaxCSVBytes <= 0 {
		l.MaxCSVBytes = DefaultLimits.MaxCSVBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// maxBytes is the size cap for a file named name, by its kind, with the
// setting that raises it.
func (l Limits) maxBytes(name string) (limit int64, kind, flag string) {
	if strings.EqualFold(path.Ext(name), ".csv") {
		return l.MaxCSVBytes, "a bulk CSV file", "--max-csv-bytes"
	}
	return l.MaxDossierBytes, "a dossier", "--max-dossier-bytes"
}

// sizeProblem reports a file of size bytes that is over its kind's cap, or
// returns false.
func (l Limits) sizeProblem(name string, size int64) (domain.Problem, bool) {
	limit, kind, flag := l.maxBytes(name)
	if size <= limit {
		return domain.Problem{}, false
	}
	found := fmt.Sprintf("%s (%d bytes)", byteSize(size), size)
	if size == limit+1 {
		found = fmt.Sprintf("more than %s (%d bytes)", byteSize(limit), limit) // read no further
	}
	return domain.Problem{File: name, Field: "(file size)", Found: found,
		Expected: fmt.Sprintf("%s of at most %s (%d bytes); split it into several files, or raise %s",
			kind, byteSize(limit), limit, flag)}, true
}

// depthProblem reports a dossier whose collections nest deeper than the
// cap, at the line where they pass it.
func (l Limits) depthProblem(file string, line int) domain.Problem {
	return domain.Problem{File: file, Line: line, Field: "(nesting)",
		Found:    fmt.Sprintf("collections nested more than %d deep", l.MaxDepth),
		Expected: fmt.Sprintf("at most %d levels of nesting (a dossier's records are a few levels deep; raise --max-depth if yours truly need more)", l.MaxDepth)}
}

// byteSize renders n bytes for people: 1 MiB, 2.5 MiB, 700 KiB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return trimUnit(float64(n)/(1<<30), "GiB")
	case n >= 1<<20:
		return trimUnit(float64(n)/(1<<20), "MiB")
	case n >= 1<<10:
		return trimUnit(float64(n)/(1<<10), "KiB")
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimUnit(v float64, unit string) string {
	s := strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	return s + " " + unit
}
