package domain_test

import (
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func TestSortValuesRoundTripThroughCursors(t *testing.T) {
	keys := []domain.OrderKey{{Field: domain.FieldRef{Name: "population"}, Desc: true}, {Field: domain.FieldRef{Name: "nameZh"}}}
	for _, vals := range [][]any{
		{int64(0), ""},
		{int64(9_007_199_254_740_993), "南宁"}, // past float64's exact integers
		{int64(-5), `quote " and \\ <tag>`},
	} {
		c := domain.Cursor{Key: domain.EncodeSortValues(vals), ID: "x"}
		back, err := domain.DecodeCursor(c.Encode())
		if err != nil {
			t.Fatal(err)
		}
		got, err := domain.DecodeSortValues(back.Key, keys)
		if err != nil {
			t.Fatalf("%v: %v", vals, err)
		}
		if got[0] != vals[0] || got[1] != vals[1] {
			t.Errorf("got %v back, want %v", got, vals)
		}
	}
}

func TestDecodeSortValuesRefusesAnotherOrdersCursor(t *testing.T) {
	keys := []domain.OrderKey{{Field: domain.FieldRef{Name: "population"}}}
	for name, key := range map[string]string{
		"a plain name key":    "Nanning",
		"text for a number":   `["many"]`,
		"a fraction":          `[1.5]`,
		"two values, one key": `[1, 2]`,
		"no values":           `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := domain.DecodeSortValues(key, keys)
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("got %v, want INVALID_ARGUMENT", err)
			}
		})
	}
}

func TestCompareSorted(t *testing.T) {
	keys := []domain.OrderKey{{Field: domain.FieldRef{Name: "population"}, Desc: true}, {Field: domain.FieldRef{Name: "name"}}}
	for _, tc := range []struct {
		name         string
		a, b         []any
		aID, bID     string
		wantNegative bool
	}{
		{"the first key decides, descending", []any{int64(10), "Z"}, []any{int64(9), "A"}, "z", "a", true},
		{"then the second, ascending", []any{int64(10), "A"}, []any{int64(10), "B"}, "z", "a", true},
		{"then the id, ascending whatever the keys", []any{int64(10), "A"}, []any{int64(10), "A"}, "a", "b", true},
		{"numbers compare as numbers", []any{int64(100), "A"}, []any{int64(99), "A"}, "a", "b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.CompareSorted(keys, tc.a, tc.aID, tc.b, tc.bID); (got < 0) != tc.wantNegative {
				t.Errorf("got %d, want negative %v", got, tc.wantNegative)
			}
		})
	}
}
