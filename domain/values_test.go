package domain_test

import (
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func TestParseDate(t *testing.T) {
	valid := []string{"", "2015", "2015-09", "2015-09-19", "2016-02-29", "2000-02-29", "1999-12-31"}
	invalid := []string{"15", "2015-9", "2015-13", "2015-00", "2015-09-31", "2015-02-29", "1900-02-29",
		"2015-09-00", "2015/09/19", "2015-09-19T00:00", "２０１５", "201a", "2015-0a", " 2015", "2015-09-1x"}
	for _, s := range valid {
		if _, err := domain.ParseDate(s); err != nil {
			t.Errorf("ParseDate(%q) = %v, want valid", s, err)
		}
	}
	for _, s := range invalid {
		if _, err := domain.ParseDate(s); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseDate(%q) = %v, want EINVALID", s, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2015", "2015-09", "2016-02-29", "2015-02-29", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := domain.ParseDate(s)
		if err == nil && string(d) != s {
			t.Fatalf("ParseDate(%q) = %q", s, d)
		}
		if err == nil && s != "" && d.Year() == 0 && s[:4] != "0000" {
			t.Fatalf("ParseDate(%q) accepted a date with no year", s)
		}
	})
}
