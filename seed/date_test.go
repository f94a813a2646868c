package seed

import (
	"fmt"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// wellFormedDate must accept exactly what domain.ParseDate accepts (it
// may only decline a valid date, which then goes to ParseDate anyway; it
// declines none of these).
func TestWellFormedDateAgreesWithParseDate(t *testing.T) {
	var cases []string
	for _, y := range []int{0, 1, 1900, 1999, 2000, 2015, 2023, 2024, 2100, 9999} {
		cases = append(cases, fmt.Sprintf("%04d", y))
		for m := 0; m <= 13; m++ {
			cases = append(cases, fmt.Sprintf("%04d-%02d", y, m))
			for d := 0; d <= 32; d++ {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	cases = append(cases, "", "15", "2015-9", "2015-09-1", "2015/09/19", "2015-09-19 ", " 2015", "２０１５", "2015-0a", "201a",
		"2015-09-19T00", "2015--9-19", "-015-09-19", "+015", "2015-1-019")
	for _, s := range cases {
		_, err := domain.ParseDate(s)
		if got, want := wellFormedDate(s), err == nil && s != ""; got != want {
			t.Errorf("wellFormedDate(%q) = %v, domain.ParseDate accepts it: %v", s, got, want)
		}
	}
}

func FuzzWellFormedDate(f *testing.F) {
	f.Add("2024-02-29")
	f.Add("2023-02-29")
	f.Fuzz(func(t *testing.T, s string) {
		if wellFormedDate(s) {
			if _, err := domain.ParseDate(s); err != nil {
				t.Errorf("wellFormedDate(%q) but domain.ParseDate: %v", s, err)
			}
		}
	})
}
