package seed

import "testing"

func TestBar(t *testing.T) {
	tests := []struct {
		done, total int
		want        string
	}{
		{0, 4, "[--------------------]   0% "},
		{1, 4, "[#####---------------]  25% "},
		{4, 4, "[####################] 100% "},
		{0, 0, ""},
	}
	for _, tc := range tests {
		if got := bar(tc.done, tc.total); got != tc.want {
			t.Errorf("bar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.want)
		}
	}
}
