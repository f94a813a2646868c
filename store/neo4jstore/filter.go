package neo4jstore

import (
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// A where (domain/filter.go) compiles into a condition of the statement
// that reads the list or the relations: comparisons of properties with
// parameters, quantifiers as EXISTS subqueries. Cypher's null makes a
// comparison of a missing property unknown, not false; NOT then keeps it
// unknown and the row out, as the domain wants, so NOT wraps its operand
// in coalesce(…, false) to make it false first (ALL likewise).

// whereCypher compiles filters with parameters in ps and variables named
// after ps's prefix, unique in the statement.
type whereCypher struct {
	ps paramSet
	n  *int
}

func newWhereCypher(ps paramSet) whereCypher { return whereCypher{ps: ps, n: new(int)} }

func (c whereCypher) name(base string) string {
	*c.n++
	return base + "_" + strings.TrimSuffix(c.ps.prefix, "_") + "w" + strconv.Itoa(*c.n)
}

// nodeCond is f (in the kind's scope) as a condition over node v.
func (c whereCypher) nodeCond(f *domain.Filter, s *domain.Scope, v string) string {
	return c.cond(f, s, v, "", "")
}

// edgeCond is f (in the relation's scope) as a condition over relation r
// and its far end o.
func (c whereCypher) edgeCond(f *domain.Filter, s *domain.Scope, r, o string) string {
	return c.cond(f, s, "", r, o)
}

func (c whereCypher) cond(f *domain.Filter, s *domain.Scope, v, r, o string) string {
	switch f.Op {
	case domain.OpAnd, domain.OpOr:
		if len(f.Args) == 0 {
			return strconv.FormatBool(f.Op == domain.OpAnd)
		}
		parts := make([]string, len(f.Args))
		for i := range f.Args {
			parts[i] = c.cond(&f.Args[i], s, v, r, o)
		}
		return "(" + strings.Join(parts, " "+string(f.Op)+" ") + ")"
	case domain.OpNOT:
		return "(NOT coalesce(" + c.cond(&f.Args[0], s, v, r, o) + ", false))"
	case domain.OpNode:
		return c.cond(&f.Args[0], domain.NodesScope(s.Far), o, "", "")
	case domain.OpSome, domain.OpNone, domain.OpAll:
		rel := s.Relation(f.Relation)
		r2, o2 := c.name("r"), c.name("o")
		cond := "true"
		if len(f.Args) > 0 {
			cond = c.cond(&f.Args[0], domain.EdgeScope(rel.Kind, rel.Direction), "", r2, o2)
		}
		match := "MATCH " + relPattern(v, r2, rel.Kind, rel.Direction, o2)
		switch f.Op {
		case domain.OpSome:
			return "EXISTS { " + match + " WHERE " + cond + " }"
		case domain.OpNone:
			return "NOT EXISTS { " + match + " WHERE " + cond + " }"
		}
		return "NOT EXISTS { " + match + " WHERE NOT coalesce(" + cond + ", false) }"
	}
	fd := s.Field(f.Field)
	x := v
	if r != "" {
		x = r
	}
	x += "." + fd.Property() // a fixed name from the domain's scopes, never input
	if f.Op == domain.OpIsNull {
		if f.Values[0] == true {
			return x + " IS NULL"
		}
		return x + " IS NOT NULL"
	}
	if fd.Type == domain.FieldBool {
		x = "coalesce(" + x + ", false)" // false is stored as no property
	}
	var p string
	if f.Op == domain.OpIn {
		p = c.ps.add(c.name("in"), f.Values)
	} else {
		p = c.ps.add(c.name("v"), f.Values[0])
	}
	return x + " " + cypherOps[f.Op] + " " + p
}

var cypherOps = map[domain.FilterOp]string{
	domain.OpEq: "=", domain.OpIn: "IN", domain.OpNot: "<>", domain.OpContains: "CONTAINS",
	domain.OpStartsWith: "STARTS WITH", domain.OpLt: "<", domain.OpLte: "<=", domain.OpGt: ">", domain.OpGte: ">=",
}

// relPattern is the pattern of v's relations r of kind k in direction d, far end o.
func relPattern(v, r string, k domain.EdgeKind, d domain.Direction, o string) string {
	switch d {
	case domain.Out:
		return "(" + v + ")-[" + r + ":" + relType(k) + "]->(" + o + ")"
	case domain.In:
		return "(" + v + ")<-[" + r + ":" + relType(k) + "]-(" + o + ")"
	}
	return "(" + v + ")-[" + r + ":" + relType(k) + "]-(" + o + ")"
}

// whereAnchor is the start of a node list whose where pins its nodes
// through a relation (some relation whose far end has id eq or in: the
// cities of country CN): the far ends found by the unique index on
// Entity.key, the list's nodes by expansion from them. "" when no
// conjunct pins them that way.
func whereAnchor(q domain.NodeQuery, ps paramSet) string {
	for _, c := range q.Where.Conjuncts() {
		if c.Op != domain.OpSome || len(c.Args) == 0 {
			continue
		}
		rel := domain.NodeScope(q.Kind).Relation(c.Relation)
		far := domain.EdgeScope(rel.Kind, rel.Direction).Far
		for _, ec := range c.Args[0].Conjuncts() {
			if ec.Op != domain.OpNode {
				continue
			}
			for _, nc := range ec.Args[0].Conjuncts() {
				if nc.Field != "id" || (nc.Op != domain.OpEq && nc.Op != domain.OpIn) {
					continue
				}
				var keys []string
				for _, k := range far {
					for _, id := range nc.Values {
						s, _ := id.(string)
						keys = append(keys, domain.NodeKey{Kind: k, ID: s}.String())
					}
				}
				return `CALL () {
				UNWIND ` + ps.add("anchorKeys", keys) + ` AS wk
				MATCH (w:Entity {key: wk}) USING INDEX SEEK w:Entity(key)
				MATCH ` + relPattern("v:"+label(q.Kind), "", rel.Kind, rel.Direction, "w") + `
				RETURN DISTINCT v
			}`
			}
		}
	}
	return ""
}
