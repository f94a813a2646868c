// Package examples holds the playground's example queries, one file each:
// the analyst questions of the domain, answered in one request each. The
// end-to-end tests run every one of them on every store.
package examples

import (
	"embed"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/citygraph/citygraph/playground"
)

//go:embed *.graphql
var files embed.FS

var titleRE = regexp.MustCompile(`(?m)^# (.+)$`)

// All returns the examples in file-name order; the first opens first.
func All() []playground.Example {
	names, _ := fs.Glob(files, "*.graphql")
	sort.Strings(names)
	out := make([]playground.Example, 0, len(names))
	for _, n := range names {
		b, _ := files.ReadFile(n)
		q := string(b)
		title := strings.TrimSuffix(n, ".graphql")
		if m := titleRE.FindStringSubmatchIndex(q); m != nil {
			// The playground heads each tab with "# Name" itself.
			title = q[m[2]:m[3]]
			q = strings.TrimLeft(q[:m[0]]+q[m[1]:], "\n")
		}
		out = append(out, playground.Example{Name: title, Query: q})
	}
	return out
}
