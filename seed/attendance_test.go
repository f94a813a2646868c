package seed_test

import (
	"fmt"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// TestAttendeeDate reads an attendee's date into the ATTENDED relation's
// since, and reports a malformed one at its field.
func TestAttendeeDate(t *testing.T) {
	const dossier = `
sources: [{id: s, title: S, url: "https://example.org/s"}]
countries: [{id: CN, name: China, sources: [s]}]
cities: [{id: nanning, name: Nanning, country: CN, sources: [s]}]
forum:
  id: f
  name: Forum
  sources: [s]
  attendees:
    - {city: nanning, date: %s}
`
	t.Run("a date is the relation's since", func(t *testing.T) {
		batch, _, err := seed.Parse(map[string][]byte{"f.yaml": []byte(fmt.Sprintf(dossier, "2015-09-19"))})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range batch.Edges {
			if e.Kind == domain.EdgeAttended {
				if e.Since != "2015-09-19" {
					t.Errorf("ATTENDED since %q, want 2015-09-19", e.Since)
				}
				return
			}
		}
		t.Fatal("no ATTENDED relation in the batch")
	})
	t.Run("a malformed date is a problem at its field", func(t *testing.T) {
		_, _, err := seed.Parse(map[string][]byte{"f.yaml": []byte(fmt.Sprintf(dossier, "2015-13-01"))})
		ps := problems(t, err)
		if len(ps) != 1 || ps[0].Field != "forum.attendees[0].date" || ps[0].Line != 10 {
			t.Errorf("got %s, want one problem at f.yaml:10 forum.attendees[0].date", list(ps))
		}
	})
}
