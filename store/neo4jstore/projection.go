package neo4jstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// A plan's statement returns only the fields its Projection lists: a node
// as a map projection of its key and those properties (v{.key, .name}), a
// relation as a map projection of its listed properties, or nothing of it
// when none is listed. A property returned is a property read, a db hit.

// storedProps are the stored properties of a projected field, where they
// are not the field's own name (see nodeProps and edgeProps).
var storedProps = map[string][]string{
	"capital": {"capitalAmount", "capitalCurrency"},
	"amount":  {"amount", "currency"},
}

// projected lists the stored properties of fields, in their order, each once.
func projected(fields []string, out []string) []string {
	for _, f := range fields {
		props, ok := storedProps[f]
		if !ok {
			props = []string{f}
		}
		for _, p := range props {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// nodeExpr is the expression that returns node v, which is of one of
// kinds: the node whole, or a map projection of its key, its name and the
// fields proj lists for those kinds.
func nodeExpr(v string, proj *domain.Projection, kinds []domain.Kind) string {
	if proj == nil || len(kinds) == 0 {
		return v
	}
	var props []string
	for _, k := range kinds {
		fields, ok := proj.NodeFieldsOf(k)
		if !ok {
			return v
		}
		props = projected(fields, props)
	}
	// The name is a list's sort key, so its cursors need it.
	return mapProjection(v, projected(props, []string{"key", "name"}))
}

// edgePropsExpr is the expression of relation r's properties that a row
// returns: all of them, the fields proj lists for kind, or null for none.
func edgePropsExpr(r string, proj *domain.Projection, kind domain.EdgeKind) string {
	fields, ok := proj.EdgeFieldsOf(kind)
	switch {
	case !ok:
		return "properties(" + r + ")"
	case len(fields) == 0:
		return "null"
	}
	return mapProjection(r, projected(fields, nil))
}

func mapProjection(v string, props []string) string {
	var b strings.Builder
	b.WriteString(v + "{")
	for i, p := range props {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("." + p)
	}
	b.WriteString("}")
	return b.String()
}

// farKinds are the kinds of node the far ends of q's relations may be.
func farKinds(q domain.EdgeQuery) []domain.Kind {
	r := domain.EdgeRules[q.Kind]
	var kinds []domain.Kind
	switch q.Direction {
	case domain.Out:
		kinds = r.To
	case domain.In:
		kinds = r.From
	default:
		kinds = append(slices.Clone(r.From), r.To...)
	}
	var out []domain.Kind
	for _, k := range kinds {
		if !slices.Contains(out, k) && (len(q.OtherKinds) == 0 || slices.Contains(q.OtherKinds, k)) {
			out = append(out, k)
		}
	}
	return out
}

// planRow is the list a plan's relation row holds, over anchor a, relation
// r, sort key sk and other end o: whether the relation leaves a, its
// properties (see edgePropsExpr), its sort key and o's key. Kind and ends
// are known from the query and the anchor, so no end is read for them.
func planRow(a, r, props, sk, o string) string {
	return "startNode(" + r + ") = " + a + ", " + props + ", " + sk + ", " + o + ".key"
}

// planRowFrom reads the first four columns of a plan row (see planRow)
// from anchor: the relation and its cursor.
func planRowFrom(kind domain.EdgeKind, anchor domain.NodeKey, row []any) (domain.Edge, string, error) {
	if len(row) < 4 {
		return domain.Edge{}, "", fmt.Errorf("plan row of %d columns", len(row))
	}
	props, _ := row[1].(map[string]any)
	key := cursorKey(row[2])
	id, _ := row[3].(string)
	other, err := domain.ParseNodeKey(id)
	if err != nil {
		return domain.Edge{}, "", fmt.Errorf("stored node %q has a bad key: %w", id, err)
	}
	from, to := anchor, other
	if row[0] != true {
		from, to = other, anchor
	}
	e, err := edgeWith(kind, from, to, props)
	if err != nil {
		return domain.Edge{}, "", err
	}
	return e, domain.Cursor{Key: key, ID: id}.Encode(), nil
}

// readPage is the page a plan reads for q. A page that declines its total
// reads one row past its end to tell whether there is a next page, and
// that row's far end is read to every depth below it, only to be dropped.
// Where the count is the anchor's degree (no filter), which the server
// reads without a relation, the total tells it instead: the page is read
// as one that counts its total, and the total is dropped (see planDecoder.node).
func readPage(q domain.EdgeQuery) domain.Page {
	p := q.Page
	if p.NoTotal && !p.NoItems && p.After == "" && p.Before == "" && len(q.OtherKinds) == 0 && q.OtherCountry == "" &&
		q.PartnershipKind == "" && q.Role == "" && q.AsOf == "" {
		p.NoTotal = false
	}
	return p
}
