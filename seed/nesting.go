package seed

import "gopkg.in/yaml.v3"

// deepLine returns the line where a YAML or JSON text's collections first
// nest deeper than max, or 0. It reads each byte once and keeps at most
// max+1 indentation levels, so a hostile file ([[[[… 9,990 deep) is refused
// for the cost of reading it, before yaml.v3 builds a tree of it (hundreds
// of bytes per input byte). It follows flow collections, quoted scalars,
// comments, block scalars and indentation as YAML does; where it cannot
// tell, it counts less, and deepNode on the parsed tree has the final word.
func deepLine(data []byte, max int) int {
	s := depthScanner{data: data, max: max, line: 1, scalarIndent: -1, plainIndent: -1}
	for s.i < len(s.data) {
		if s.scanLine() {
			return s.line
		}
	}
	return 0
}

// depthScanner is deepLine's state: where it is and how deep.
type depthScanner struct {
	data []byte
	i    int
	line int
	max  int
	// indents holds the columns of the open block collections.
	indents []int
	// scalarIndent is the indentation of the line that opened a block
	// scalar (| or >) whose more indented lines are text; -1 when none.
	scalarIndent int
	// plainIndent is the same for a plain scalar that ran to the end of
	// its line: more indented lines continue its text.
	plainIndent int
	// entries counts the "- " and "? " indicators on the current line:
	// "- - x" opens a list in a list.
	entries int
	flow    int
}

// depth is how deeply the current position nests, give or take one.
func (s *depthScanner) depth() int {
	return len(s.indents) + max(s.entries-1, 0) + s.flow
}

// scanLine reads one line from its start (and any lines a flow collection
// or quoted scalar opened on it spans), reporting whether it nests too deep.
func (s *depthScanner) scanLine() bool {
	indent := 0
	for s.i+indent < len(s.data) && (s.data[s.i+indent] == ' ' || s.data[s.i+indent] == '\t') {
		indent++
	}
	j := s.i + indent
	if j >= len(s.data) || s.data[j] == '\n' || s.data[j] == '\r' ||
		(s.scalarIndent >= 0 && indent > s.scalarIndent) ||
		(s.plainIndent >= 0 && indent > s.plainIndent && s.data[j] != '#') {
		s.skipLine() // blank, or text of a scalar that an earlier line opened
		return false
	}
	s.scalarIndent, s.plainIndent = -1, -1
	if s.data[j] == '#' {
		s.skipLine()
		return false
	}
	for len(s.indents) > 0 && s.indents[len(s.indents)-1] > indent {
		s.indents = s.indents[:len(s.indents)-1]
	}
	if len(s.indents) == 0 || s.indents[len(s.indents)-1] < indent {
		s.indents = append(s.indents, indent)
	}
	// A plain scalar's text continues on lines indented past its key, or
	// past its "-" when it is a list item.
	start, keyCol, entryCol, isValue := s.i, -1, indent, false
	s.entries, s.i = 0, j
	if s.depth() > s.max {
		return true
	}
	if s.startsWith("---") || s.startsWith("...") {
		s.i += 3 // a document marker; what follows on the line is content
	}
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		c := s.data[s.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case c == '#':
			s.skipLine()
			return false
		case (c == '-' || c == '?' || c == ':') && s.blankAt(s.i+1):
			if c == ':' {
				isValue = true
			} else {
				s.entries, entryCol = s.entries+1, s.i-start
				if s.depth() > s.max {
					return true
				}
			}
			s.i++
		case c == '[' || c == '{':
			if s.scanFlow() {
				return true
			}
		case c == '"' || c == '\'':
			if keyCol < 0 {
				keyCol = s.i - start
			}
			s.skipQuoted()
		case c == '|' || c == '>':
			s.scalarIndent = indent
			s.skipLine()
			return false
		case c == '&' || c == '!' || c == '*':
			for s.i < len(s.data) && !s.blankAt(s.i) {
				s.i++ // an anchor, tag or alias: one word
			}
		default:
			if keyCol < 0 {
				keyCol = s.i - start
			}
			if s.skipPlain() {
				s.plainIndent = entryCol
				if isValue {
					s.plainIndent = keyCol
				}
			}
		}
	}
	s.skipLine()
	return false
}

// skipPlain passes a plain scalar in block context, which may hold any
// character: it ends at ": ", at " #" or at the end of the line, and then
// reports whether its more indented next lines continue it.
func (s *depthScanner) skipPlain() (continues bool) {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		c := s.data[s.i]
		if c == ':' && s.blankAt(s.i+1) {
			return false
		}
		if (c == ' ' || c == '\t') && s.i+1 < len(s.data) && s.data[s.i+1] == '#' {
			return false
		}
		s.i++
	}
	return true
}

// scanFlow passes a flow collection, from its opening bracket to the one
// that closes it, counting how deeply its brackets nest.
func (s *depthScanner) scanFlow() bool {
	valueStart := true // where a quoted scalar may begin
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch c {
		case '\n':
			s.line++
		case ' ', '\t', '\r':
		case '[', '{':
			s.flow++
			if s.depth() > s.max {
				return true
			}
			valueStart = true
		case ']', '}':
			s.flow--
			valueStart = false
			if s.flow == 0 {
				s.i++
				return false
			}
		case ',', ':', '?':
			valueStart = true
		case '#':
			if s.i == 0 || s.blankAt(s.i-1) {
				s.skipLine()
				continue
			}
			valueStart = false
		case '"', '\'':
			if valueStart {
				s.skipQuoted()
				valueStart = false
				continue
			}
		default:
			valueStart = false
		}
		s.i++
	}
	return false
}

// skipQuoted passes a single- or double-quoted scalar, which may span lines.
func (s *depthScanner) skipQuoted() {
	q := s.data[s.i]
	for s.i++; s.i < len(s.data); s.i++ {
		switch c := s.data[s.i]; {
		case c == '\n':
			s.line++
		case c == '\\' && q == '"' && s.i+1 < len(s.data):
			s.i++
			if s.data[s.i] == '\n' {
				s.line++
			}
		case c == q && q == '\'' && s.i+1 < len(s.data) && s.data[s.i+1] == '\'':
			s.i++ // '' is a quote inside single quotes
		case c == q:
			s.i++
			return
		}
	}
}

// skipLine moves past the end of the current line.
func (s *depthScanner) skipLine() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.i++
	}
	if s.i < len(s.data) {
		s.i++
		s.line++
	}
}

func (s *depthScanner) blankAt(i int) bool {
	return i >= len(s.data) || s.data[i] == ' ' || s.data[i] == '\t' || s.data[i] == '\n' || s.data[i] == '\r'
}

func (s *depthScanner) startsWith(p string) bool {
	return len(s.data)-s.i >= len(p) && string(s.data[s.i:s.i+len(p)]) == p && s.blankAt(s.i+len(p))
}

// deepNode returns the first node of a parsed tree nested deeper than max
// collections, or nil. It stops descending there, so it recurses at most
// max+2 deep.
func deepNode(n *yaml.Node, depth, max int) *yaml.Node {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if depth++; depth > max {
			return n
		}
	}
	for _, c := range n.Content {
		if d := deepNode(c, depth, max); d != nil {
			return d
		}
	}
	return nil
}
