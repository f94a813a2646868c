package graph

import (
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// orderFieldNames map the order enums' values (CityOrderField,
// FinancingEdgeOrderField, …) to the fields they sort by, where the value
// is not the field's name in upper snake case (POPULATION_YEAR is
// populationYear). Every enum shares this table, so a value means one
// field in every list.
var orderFieldNames = map[string]domain.FieldRef{
	"SLUG":               {Name: "id"},
	"CODE":               {Name: "id"},
	"KIND":               {Name: "orgKind"},
	"SINCE":              {Name: "since", Edge: true},
	"SIGNED":             {Name: "since", Edge: true},
	"APPROVED":           {Name: "since", Edge: true},
	"PARTNERSHIP_KIND":   {Name: "partnershipKind", Edge: true},
	"PARTNERSHIP_STATUS": {Name: "status", Edge: true},
	"ROLE":               {Name: "role", Edge: true},
	"LEVEL":              {Name: "level", Edge: true},
	"DELEGATION_SIZE":    {Name: "delegationSize", Edge: true},
	"POSITION":           {Name: "position", Edge: true},
	"AMOUNT":             {Name: "amount", Edge: true},
	"CURRENCY":           {Name: "currency", Edge: true},
	"INSTRUMENT":         {Name: "instrument", Edge: true},
}

// orderField is the field an order enum value names.
func orderField(v string) domain.FieldRef {
	if f, ok := orderFieldNames[v]; ok {
		return f
	}
	words := strings.Split(strings.ToLower(v), "_")
	for i := 1; i < len(words); i++ {
		if words[i] != "" {
			words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
		}
	}
	return domain.FieldRef{Name: strings.Join(words, "")}
}

// orderKeys reads an orderBy argument: a list of {field, direction}, or
// one written without the list brackets; nil when absent or of another
// form (City.partners' one-field orderBy enum).
func (a args) orderKeys(name string) []domain.OrderKey {
	var items []any
	switch v := a[name].(type) {
	case []any:
		items = v
	case map[string]any:
		items = []any{v}
	default:
		return nil
	}
	keys := make([]domain.OrderKey, 0, len(items))
	for _, it := range items {
		m, _ := it.(map[string]any)
		field, _ := m["field"].(string)
		if field == "" {
			continue
		}
		keys = append(keys, domain.OrderKey{Field: orderField(field), Desc: m["direction"] == "DESC"})
	}
	return keys
}

// orderNodes sets a node list's order from its orderBy: one key by name
// or slug keeps the list's own order (and its cursors); any other, the
// keys.
func orderNodes(q *domain.NodeQuery, keys []domain.OrderKey) {
	if len(keys) == 1 && !keys[0].Field.Edge && (keys[0].Field.Name == "name" || keys[0].Field.Name == "id") {
		q.Order, q.Desc = domain.OrderByName, keys[0].Desc
		if keys[0].Field.Name == "id" {
			q.Order = domain.OrderByID
		}
		return
	}
	q.OrderBy = keys
}
