package domain_test

import (
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func ptr(v int) *int { return &v }

func TestCounts(t *testing.T) {
	c := domain.Count{Name: "k", Default: 1, Max: 10}
	tests := []struct {
		name    string
		given   *int
		want    int
		wantErr string // "" for none
	}{
		{"absent takes the default", nil, 1, ""},
		{"one is the least", ptr(1), 1, ""},
		{"the maximum is allowed", ptr(10), 10, ""},
		{"an explicit zero is refused", ptr(0), 0, "k must be between 1 and 10, got 0; omit it for the default of 1"},
		{"a negative count is refused", ptr(-1), -1, "k must be between 1 and 10, got -1"},
		{"past the maximum is refused", ptr(11), 11, "k must be between 1 and 10, got 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Given(tt.given)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Given: got %d, %v; want %d and no error", got, err, tt.want)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Given: got %v, want %s containing %q", err, domain.EINVALID, tt.wantErr)
			}
		})
	}
}

// Normalize, for Go callers, reads a zero count as not given; every other
// value out of range is refused as the API refuses it.
func TestQueriesNormalizeCounts(t *testing.T) {
	tests := []struct {
		name    string
		q       interface{ Normalize() error }
		wantErr string
	}{
		{"a zero page size is the default", &domain.Page{}, ""},
		{"a page of a thousand", &domain.Page{First: 1000}, ""},
		{"a page past the maximum", &domain.Page{First: 1001}, "first must be between 1 and 1000, got 1001; omit it for the default of 20, or page through larger lists with after"},
		{"a negative page", &domain.Page{First: -1}, "first must be between 1 and 1000, got -1"},
		{"a backward page past the maximum", &domain.Page{Last: 1001}, "last must be between 1 and 1000, got 1001; omit it for the default of 20, or page back through larger lists with before"},
		{"a negative backward page", &domain.Page{Last: -1}, "last must be between 1 and 1000, got -1"},
		{"a neighbourhood too deep", &domain.NeighbourhoodQuery{Depth: 4}, "depth must be between 1 and 3, got 4"},
		{"a neighbourhood too large", &domain.NeighbourhoodQuery{Limit: 501}, "limit must be between 1 and 500, got 501"},
		{"too many hops", &domain.PathQuery{From: "a", To: "b", MaxHops: 9}, "maxHops must be between 1 and 8, got 9"},
		{"negative k", &domain.PathQuery{From: "a", To: "b", K: -1}, "k must be between 1 and 10, got -1"},
		{"too many suggestions", &domain.SuggestQuery{City: "a", First: 101}, "first must be between 1 and 100, got 101; omit it for the default of 10"},
		{"too many near cities", &domain.NearQuery{City: "a", First: 101}, "first must be between 1 and 100, got 101"},
		{"too many ranked cities", &domain.RankQuery{Metric: domain.RankByPartners, First: -5}, "first must be between 1 and 100, got -5"},
		{"too many hits", &domain.SearchQuery{Text: "x", First: 1000}, "first must be between 1 and 100, got 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Normalize()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Normalize: %v, want no error", err)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Normalize: got %v, want %s containing %q", err, domain.EINVALID, tt.wantErr)
			}
		})
	}
}
