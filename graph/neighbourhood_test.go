package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
)

func TestNeighbourhoodAsOf(t *testing.T) {
	c := newClient(projectStore(t))
	const q = `query($asOf: Date) { neighbourhood(id: "City:nanning", relations: [PARTNER_OF], asOf: $asOf) {
		nodes { id } edges { kind since } } }`
	partners := func(t *testing.T, asOf any) (ids []string, since []string) {
		t.Helper()
		d := query(t, c, q, client.Var("asOf", asOf))
		for _, n := range at(t, d, "neighbourhood", "nodes").([]any) {
			ids = append(ids, at(t, n, "id").(string))
		}
		for _, e := range at(t, d, "neighbourhood", "edges").([]any) {
			s, _ := at(t, e, "since").(string)
			since = append(since, s)
		}
		slices.Sort(ids)
		return ids, since
	}
	// The seed: Ipoh 2005, Davao and Sihanouk Province 2007, Yangon 2009, later ones after.
	now, _ := partners(t, nil)
	for _, tc := range []struct {
		name string
		asOf string
		want []string
	}{
		{"before any partnership only the centre", "2004-12-31", []string{"City:nanning"}},
		{"the end of 2005 has Ipoh", "2005-12-31", []string{"City:ipoh", "City:nanning"}},
		{"the end of 2008 has the 2007 partners too", "2008-12-31", []string{"City:davao", "City:ipoh", "City:nanning", "City:sihanouk-province"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, since := partners(t, tc.asOf)
			if !slices.Equal(ids, tc.want) {
				t.Errorf("nodes as of %s = %v, want %v", tc.asOf, ids, tc.want)
			}
			for _, s := range since {
				if s != "" && s > tc.asOf {
					t.Errorf("a partnership since %s is drawn as of %s", s, tc.asOf)
				}
			}
			if len(now) <= len(ids) {
				t.Errorf("today's neighbourhood has %d nodes, as of %s %d; want today's larger", len(now), tc.asOf, len(ids))
			}
		})
	}
	t.Run("a malformed date is INVALID_ARGUMENT", func(t *testing.T) {
		resp, err := c.RawPost(q, client.Var("asOf", "2015-13"))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(resp.Errors); !strings.Contains(got, "INVALID_ARGUMENT") || !strings.Contains(got, "2015-13") {
			t.Errorf("errors = %s, want INVALID_ARGUMENT naming 2015-13", got)
		}
	})
}
