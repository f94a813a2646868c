package graph_test

import "testing"

// The transport sends one response, so a deferred fragment below the root
// must be answered in it: fields there are resolved in order, never put off.
func TestDeferredFragmentIsAnsweredInline(t *testing.T) {
	c := newClient(projectStore(t))
	d := query(t, c, `{ forum(slug: "cam-2015") { name ... @defer { attendees(first: 1) { totalCount } } } }`)
	forum, _ := d["forum"].(map[string]any)
	attendees, _ := forum["attendees"].(map[string]any)
	if got, _ := attendees["totalCount"].(float64); got < 1 {
		t.Fatalf("forum.attendees under @defer: got %v, want a totalCount of at least 1", forum["attendees"])
	}
}
