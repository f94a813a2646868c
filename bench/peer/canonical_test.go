package peer_test

import (
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/bench/peer"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name    string
		in, out any
	}{
		{"amounts in hundredths become decimal strings",
			map[string]any{"amount": int64(12345)}, map[string]any{"amount": "123.45"}},
		{"decimal strings stay as they are",
			map[string]any{"amount": "207600000"}, map[string]any{"amount": "207600000"}},
		{"kinds and roles are compared in lower case",
			map[string]any{"kind": "SISTER_CITY", "role": "HOST", "name": "Nanning"},
			map[string]any{"kind": "sister_city", "role": "host", "name": "Nanning"}},
		{"lists of no defined order are sorted by id",
			map[string]any{"places": []any{map[string]any{"id": "Country:KH"}, map[string]any{"id": "City:phnom-penh"}}},
			map[string]any{"places": []any{map[string]any{"id": "City:phnom-penh"}, map[string]any{"id": "Country:KH"}}}},
		{"lists in a defined order keep it",
			map[string]any{"partners": []any{map[string]any{"id": "City:b"}, map[string]any{"id": "City:a"}}},
			map[string]any{"partners": []any{map[string]any{"id": "City:b"}, map[string]any{"id": "City:a"}}}},
		{"integers and floats compare alike",
			map[string]any{"total": int64(26)}, map[string]any{"total": float64(26)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := peer.Canonical(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.out) {
				t.Errorf("got %#v, want %#v", got, tt.out)
			}
		})
	}
}
