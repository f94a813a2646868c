package peer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// Canonical answers: what every side's answer to a query is turned into
// before the sides are compared. IDs are global ("City:nanning"), amounts
// decimal strings as citygraph writes them, enum-like values lower case as
// stored, and the lists whose order the queries leave open (setKeys) sorted
// by ID. Lists in a defined order (by name, then key) keep it.

// setKeys name the lists whose order no side defines.
var setKeys = map[string]bool{"organisers": true, "items": true, "calledOn": true, "places": true}

// Canonical is the last step of every side's answer: JSON numbers as
// float64, kind and role lower case, amounts in hundredths (numbers) as
// decimal strings, and setKeys lists sorted by id.
func Canonical(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return tidy("", out), nil
}

func tidy(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = tidy(k, e)
		}
	case []any:
		for i, e := range x {
			x[i] = tidy("", e)
		}
		if setKeys[key] {
			slices.SortFunc(x, func(a, b any) int { return strings.Compare(fmt.Sprint(at(a, "id")), fmt.Sprint(at(b, "id"))) })
		}
	case string:
		if key == "kind" || key == "role" {
			return strings.ToLower(x)
		}
	case float64:
		if key == "amount" {
			return domain.Decimal(int64(x)).String()
		}
	}
	return v
}

// at walks maps by key; anything missing is nil.
func at(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// first is the first element of a list, or nil.
func first(v any) any {
	if l := list(v); len(l) > 0 {
		return l[0]
	}
	return nil
}

// hundredths turns an amount stored in hundredths (the peer's BigInt, a
// string) into citygraph's decimal string.
func hundredths(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return v
	}
	return domain.Decimal(n).String()
}

// ref is a node's canonical reference.
func ref(n any, idKey string) map[string]any {
	if n == nil {
		return nil
	}
	return map[string]any{"id": at(n, idKey), "name": at(n, "name")}
}

func edges(conn any) []any { return list(at(conn, "edges")) }

func partnersAnswer(c any, idKey string, props func(edge any) (kind, since any), rel string) any {
	if c == nil {
		return nil
	}
	out := ref(c, idKey)
	out["total"] = at(c, rel, "totalCount")
	ps := []any{}
	for _, e := range edges(at(c, rel)) {
		n := at(e, "node")
		p := ref(n, idKey)
		p["kind"], p["since"] = props(e)
		p["total"] = at(n, rel, "totalCount")
		qs := []any{}
		for _, f := range edges(at(n, rel)) {
			qs = append(qs, ref(at(f, "node"), idKey))
		}
		p["partners"] = qs
		ps = append(ps, p)
	}
	out["partners"] = ps
	return out
}

func forumAnswer(f any, idKey, organisers, attendees, calledOn string, role, request func(edge any) any) any {
	if f == nil {
		return nil
	}
	out := ref(f, idKey)
	os := []any{}
	for _, e := range edges(at(f, organisers)) {
		o := ref(at(e, "node"), idKey)
		o["role"] = role(e)
		os = append(os, o)
	}
	as := []any{}
	for _, e := range edges(at(f, attendees)) {
		as = append(as, ref(at(e, "node"), idKey))
	}
	cs := []any{}
	for _, e := range edges(at(f, calledOn)) {
		b := ref(at(e, "node"), idKey)
		b["acronym"] = at(e, "node", "acronym")
		b["request"] = request(e)
		cs = append(cs, b)
	}
	out["organisers"] = os
	out["attendees"] = map[string]any{"total": at(f, attendees, "totalCount"), "items": as}
	out["calledOn"] = cs
	return out
}

func countryCitiesAnswer(k any, idKey, cities, partners string) any {
	if k == nil {
		return nil
	}
	out := ref(k, idKey)
	out["total"] = at(k, cities, "totalCount")
	cs := []any{}
	for _, e := range edges(at(k, cities)) {
		c := ref(at(e, "node"), idKey)
		c["partners"] = at(e, "node", partners, "totalCount")
		cs = append(cs, c)
	}
	out["cities"] = cs
	return out
}

func financingsAnswer(b any, idKey, rel string, props func(edge any) (amount, currency, since any)) any {
	if b == nil {
		return nil
	}
	out := ref(b, idKey)
	out["total"] = at(b, rel, "totalCount")
	fs := []any{}
	for _, e := range edges(at(b, rel)) {
		n := at(e, "node")
		f := ref(n, idKey)
		f["amount"], f["currency"], f["since"] = props(e)
		places := []any{}
		for _, p := range list(at(n, "locations")) {
			places = append(places, ref(p, idKey))
		}
		f["places"] = places
		fs = append(fs, f)
	}
	out["financings"] = fs
	return out
}

func threeLevelsAnswer(k any, idKey, cities, partners string, country func(node any) any) any {
	if k == nil {
		return nil
	}
	cs := []any{}
	for _, e := range edges(at(k, cities)) {
		n := at(e, "node")
		c := ref(n, idKey)
		ps := []any{}
		for _, f := range edges(at(n, partners)) {
			m := at(f, "node")
			p := ref(m, idKey)
			if x := country(m); x != nil {
				p["country"] = ref(x, idKey)
			} else {
				p["country"] = nil
			}
			ps = append(ps, p)
		}
		c["partners"] = ps
		cs = append(cs, c)
	}
	return cs
}

func totalsAnswer(ts any, fields func(t any) (group, name, currency, amount any)) any {
	out := []any{}
	for _, t := range list(ts) {
		g, n, c, a := fields(t)
		out = append(out, map[string]any{"group": g, "name": n, "currency": c, "amount": a,
			"projects": at(t, "projects"), "financings": at(t, "financings")})
	}
	return out
}
