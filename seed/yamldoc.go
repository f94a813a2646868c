package seed

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/citygraph/citygraph/domain"
)

// yamlDoc is one parsed dossier: its tree for typed decoding, the same data
// in JSON's data model for the schema, and the line of every value so that
// schema and semantic problems can name the line they are on.
type yamlDoc struct {
	root  *yaml.Node
	value any
	lines map[string]int // path key (see pathKey) → line
}

func pathKey(path []string) string { return strings.Join(path, "\x00") }

// line returns the line of the deepest known prefix of path, so a problem
// about a field that is absent points at its record.
func (d *yamlDoc) line(path ...string) int {
	for n := len(path); n >= 0; n-- {
		if l, ok := d.lines[pathKey(path[:n])]; ok {
			return l
		}
	}
	return 0
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// parseYAML reads a YAML or JSON dossier. A syntax error comes back as one
// problem with the line yaml.v3 reports; collections nested deeper than
// lim.MaxDepth as one problem, found before yaml.v3 reads the file when
// deepLine can tell.
func parseYAML(file string, data []byte, isJSON bool, lim Limits) (doc *yamlDoc, probs []domain.Problem) {
	if isJSON {
		// JSON is YAML's flow style, except that YAML forbids some tabs; a
		// tab is only whitespace in valid JSON, so a space is equivalent and
		// keeps every line number.
		data = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
	}
	defer func() {
		// yaml.v3 is a large third-party parser; a panic there on hostile
		// input must become a problem, never a crash of the service.
		if r := recover(); r != nil {
			doc, probs = nil, []domain.Problem{{File: file, Field: "(document)", Found: "input the YAML parser cannot read", Expected: "well-formed YAML or JSON"}}
		}
	}()
	if line := deepLine(data, lim.MaxDepth); line > 0 {
		return nil, []domain.Problem{lim.depthProblem(file, line)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), ":"))
			// yaml.v3 reports a parser error that has a context (an unclosed
			// flow collection or block) at the context's 0-based line; make
			// it the 1-based line where that collection opens.
			if strings.HasPrefix(msg, "did not find expected") {
				line++
			}
		}
		return nil, []domain.Problem{{File: file, Line: line, Field: "(syntax)", Found: msg, Expected: "valid YAML or JSON"}}
	}
	if n := deepNode(&root, 0, lim.MaxDepth); n != nil {
		// What deepLine could not tell: the converter below costs memory
		// in proportion to nodes times depth.
		return nil, []domain.Problem{lim.depthProblem(file, n.Line)}
	}
	d := &yamlDoc{root: &root, lines: map[string]int{}}
	if root.Kind == 0 || len(root.Content) == 0 {
		d.value = map[string]any{}
		return d, nil
	}
	c := converter{doc: d, file: file}
	d.value = c.convert(root.Content[0], nil)
	return d, c.probs
}

// converter turns a yaml.Node tree into JSON's data model (map[string]any,
// []any, string, int64, float64, bool, nil) for the schema validator.
type converter struct {
	doc   *yamlDoc
	file  string
	probs []domain.Problem
	nodes int
}

// maxNodes bounds a dossier's size; a larger one is a generated file that
// belongs in a CSV.
const maxNodes = 1_000_000

func (c *converter) convert(n *yaml.Node, path []string) any {
	c.nodes++
	if c.nodes > maxNodes {
		if c.nodes == maxNodes+1 {
			c.add(n, path, fmt.Sprintf("more than %d values", maxNodes), "a smaller dossier (use CSV for bulk data)")
		}
		return nil
	}
	c.doc.lines[pathKey(path)] = n.Line
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.convert(n.Content[0], path)
	case yaml.AliasNode:
		// Aliases would let a small file expand into a huge one, and seed
		// files are meant to be read by people: each fact is written out.
		c.add(n, path, "a YAML alias (*"+n.Value+")", "the value written out in full")
		return nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				c.add(k, path, "a key that is not a plain name", "a field name")
				continue
			}
			if prev, dup := seen[k.Value]; dup {
				c.add(k, append(clone(path), k.Value), fmt.Sprintf("field %q again (first at line %d)", k.Value, prev), "each field once per record")
				continue
			}
			seen[k.Value] = k.Line
			kp := append(clone(path), k.Value)
			m[k.Value] = c.convert(v, kp)
			// Point a field at its key's line: a missing value's line is the key's.
			c.doc.lines[pathKey(kp)] = k.Line
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			a = append(a, c.convert(e, append(clone(path), strconv.Itoa(i))))
		}
		return a
	case yaml.ScalarNode:
		return c.scalar(n, path)
	}
	return nil
}

func (c *converter) scalar(n *yaml.Node, path []string) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				c.add(n, path, n.Value, "a finite number")
				return nil
			}
			return f
		}
	}
	// Strings, timestamps (dates stay as written: 2015-09-19) and any
	// other tag are kept as their text.
	return n.Value
}

func (c *converter) add(n *yaml.Node, path []string, found, expected string) {
	c.probs = append(c.probs, domain.Problem{File: c.file, Line: n.Line, Field: fieldName(path), Found: found, Expected: expected})
}

func clone(p []string) []string { return append([]string(nil), p...) }

// fieldName renders a path as a reader writes it: forum.organisers[1].role.
func fieldName(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
