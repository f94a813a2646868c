package graph

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/citygraph/citygraph/domain"
)

// A `where` argument (schema/filter.graphqls, generated from the domain's
// scopes) is read here into a domain.Filter, the tree both stores
// evaluate. Its input types mirror the scopes one to one, so one reader
// serves every list and connection: AND, OR and NOT; a field's operators;
// a relation's some, none and all; a relation's node.

// whereArg reads a list's or connection's where in scope s; nil when absent.
func whereArg(a args, s *domain.Scope) (*domain.Filter, error) {
	m, ok := a["where"].(map[string]any)
	if !ok {
		return nil, nil
	}
	f, err := readWhere(m, s, "where")
	if err != nil || f.Op == domain.OpAnd && len(f.Args) == 0 {
		return nil, err // {} filters nothing out
	}
	return &f, nil
}

// ParseWhere reads a where filter on nodes of kind k given as decoded
// JSON (the /export endpoint's where= parameter), exactly as a list's
// where argument is read; nil for {}.
func ParseWhere(v any, k domain.Kind) (*domain.Filter, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, `where must be a JSON object, such as {"population": {"gt": 5000000}}`)
	}
	return whereArg(args{"where": m}, domain.NodeScope(k))
}

// readWhere reads one where object: every key a condition, all of them held.
func readWhere(m map[string]any, s *domain.Scope, at string) (domain.Filter, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []domain.Filter
	for _, k := range keys {
		v := m[k]
		if v == nil {
			continue // null: no condition
		}
		here := at + "." + k
		switch {
		case k == "AND" || k == "OR":
			list, ok := v.([]any)
			if !ok {
				list = []any{v} // a single value for a list, as GraphQL coerces it
			}
			op := domain.Filter{Op: domain.FilterOp(k)}
			for i, x := range list {
				sub, err := readObject(x, s, fmt.Sprintf("%s[%d]", here, i))
				if err != nil {
					return domain.Filter{}, err
				}
				op.Args = append(op.Args, sub)
			}
			parts = append(parts, op)
		case k == "NOT":
			sub, err := readObject(v, s, here)
			if err != nil {
				return domain.Filter{}, err
			}
			parts = append(parts, domain.Filter{Op: domain.OpNOT, Args: []domain.Filter{sub}})
		case k == "node" && s.Edge != "":
			sub, err := readObject(v, domain.NodesScope(s.Far), here)
			if err != nil {
				return domain.Filter{}, err
			}
			parts = append(parts, domain.Filter{Op: domain.OpNode, Args: []domain.Filter{sub}})
		case s.Relation(k) != nil:
			q, err := readQuantifier(v, s.Relation(k), here)
			if err != nil {
				return domain.Filter{}, err
			}
			parts = append(parts, q...)
		case s.Field(k) != nil:
			c, err := readComparisons(v, s.Field(k), here)
			if err != nil {
				return domain.Filter{}, err
			}
			parts = append(parts, c...)
		default:
			return domain.Filter{}, domain.Errorf(domain.EINVALID, "%s: %s has no field %q", at, s.Name, k)
		}
	}
	return domain.And(parts...), nil
}

func readObject(v any, s *domain.Scope, at string) (domain.Filter, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return domain.Filter{}, domain.Errorf(domain.EINVALID, "%s: expected an input object, got %T", at, v)
	}
	return readWhere(m, s, at)
}

// readQuantifier reads {some, none, all} over relation r.
func readQuantifier(v any, r *domain.FilterRelation, at string) ([]domain.Filter, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "%s: expected {some, none, all}, got %T", at, v)
	}
	var out []domain.Filter
	for _, op := range []domain.FilterOp{domain.OpSome, domain.OpNone, domain.OpAll} {
		x, ok := m[string(op)]
		if !ok || x == nil {
			continue
		}
		sub, err := readObject(x, domain.EdgeScope(r.Kind, r.Direction), at+"."+string(op))
		if err != nil {
			return nil, err
		}
		q := domain.Filter{Op: op, Relation: r.Name}
		if sub.Op != domain.OpAnd || len(sub.Args) > 0 {
			q.Args = []domain.Filter{sub} // {} matches every relation: no operand
		}
		out = append(out, q)
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "%s: give some, none or all", at)
	}
	return out, nil
}

// readComparisons reads a field's operators ({eq: …, lt: …}), each one comparison.
func readComparisons(v any, fd *domain.FilterField, at string) ([]domain.Filter, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "%s: expected an object of operators, got %T", at, v)
	}
	var out []domain.Filter
	for _, op := range fd.Type.Ops() {
		x, ok := m[string(op)]
		if !ok || x == nil {
			continue
		}
		here := at + "." + string(op)
		if op == domain.OpIsNull {
			b, ok := x.(bool)
			if !ok {
				return nil, domain.Errorf(domain.EINVALID, "%s: expected true or false", here)
			}
			out = append(out, domain.Compare(fd.Name, op, b))
			continue
		}
		list := []any{x}
		if op == domain.OpIn {
			if l, ok := x.([]any); ok {
				list = l
			}
		}
		values := make([]any, 0, len(list))
		for _, item := range list {
			val, err := filterValue(fd, item, here)
			if err != nil {
				return nil, err
			}
			values = append(values, val)
		}
		out = append(out, domain.Compare(fd.Name, op, values...))
	}
	for k := range m {
		if !slices.Contains(fd.Type.Ops(), domain.FilterOp(k)) {
			return nil, domain.Errorf(domain.EINVALID, "%s: unknown operator %q; expected one of %v", at, k, fd.Type.Ops())
		}
	}
	return out, nil
}

// filterValue converts one GraphQL value (a literal or a variable's JSON)
// to the domain's form for the field's type; the wrong form is EINVALID.
func filterValue(fd *domain.FilterField, v any, at string) (any, error) {
	wrong := func(err error) error {
		return domain.Errorf(domain.EINVALID, "%s: %s", at, domain.ErrorMessage(err))
	}
	switch fd.Type {
	case domain.FieldInt:
		n, err := wholeNumber(v)
		if err != nil {
			return nil, wrong(err)
		}
		return n, nil
	case domain.FieldDecimal:
		var d domain.Decimal
		if err := d.UnmarshalGQL(v); err != nil {
			return nil, wrong(err)
		}
		return int64(d), nil
	case domain.FieldBool:
		b, ok := v.(bool)
		if !ok {
			return nil, domain.Errorf(domain.EINVALID, "%s: expected true or false, got %T", at, v)
		}
		return b, nil
	case domain.FieldDate:
		var d domain.Date
		if err := d.UnmarshalGQL(v); err != nil {
			return nil, wrong(err)
		}
		return string(d), nil
	case domain.FieldEnum:
		s, ok := v.(string)
		if !ok {
			return nil, domain.Errorf(domain.EINVALID, "%s: expected a %s value, got %T", at, fd.EnumType, v)
		}
		e, err := domain.ParseEnum(fd.EnumType, s, fd.Enum)
		if err != nil {
			return nil, wrong(err)
		}
		return e, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "%s: expected a string, got %T", at, v)
	}
	return s, nil
}

// wholeNumber reads an Int literal (int64) or a variable's JSON number.
func wholeNumber(v any) (int64, error) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case int:
		return int64(n), nil
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, nil
		}
	case float64:
		if n == float64(int64(n)) {
			return int64(n), nil
		}
	case string:
		return 0, domain.Errorf(domain.EINVALID, "expected a whole number, got the string %q", n)
	}
	return 0, domain.Errorf(domain.EINVALID, "expected a whole number, got %v", v)
}

// relationWhere adds a connection's where to its query: in the relation's
// scope for a connection of relations, on the far end (node) for a page of
// the far nodes (a country's cities).
func relationWhere(shape relationShape, q domain.EdgeQuery, a args) (domain.EdgeQuery, error) {
	es := domain.EdgeScope(q.Kind, q.Direction)
	if es == nil || a["where"] == nil {
		return q, nil
	}
	if shape == shapeNodes {
		f, err := whereArg(a, domain.NodesScope(es.Far))
		if f != nil {
			q.Where = &domain.Filter{Op: domain.OpNode, Args: []domain.Filter{*f}}
		}
		return q, err
	}
	var err error
	q.Where, err = whereArg(a, es)
	return q, err
}
