package domain_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

func TestPageNormalize(t *testing.T) {
	cursor := domain.Cursor{Key: "Nanning", ID: "nanning"}.Encode()
	tests := []struct {
		name    string
		page    domain.Page
		want    domain.Page // after Normalize, when no error
		wantErr string      // "" for none
	}{
		{"neither first nor last takes the default forward", domain.Page{}, domain.Page{First: domain.DefaultPageSize}, ""},
		{"before alone still takes the default forward", domain.Page{Before: cursor}, domain.Page{First: domain.DefaultPageSize, Before: cursor}, ""},
		{"last keeps first unset", domain.Page{Last: 5, Before: cursor}, domain.Page{Last: 5, Before: cursor}, ""},
		{"last without before is the end of the list", domain.Page{Last: 5}, domain.Page{Last: 5}, ""},
		{"after and before together bound a range", domain.Page{First: 3, After: cursor, Before: cursor}, domain.Page{First: 3, After: cursor, Before: cursor}, ""},
		{"the total may be declined", domain.Page{NoTotal: true}, domain.Page{First: domain.DefaultPageSize, NoTotal: true}, ""},
		{"a thousand back", domain.Page{Last: 1000}, domain.Page{Last: 1000}, ""},
		{"first and last together", domain.Page{First: 2, Last: 3}, domain.Page{}, "first (2) and last (3) cannot be combined"},
		{"a negative first with last", domain.Page{First: -1, Last: 3}, domain.Page{}, "first (-1) and last (3) cannot be combined"},
		{"last past the maximum", domain.Page{Last: 1001}, domain.Page{}, "last must be between 1 and 1000, got 1001"},
		{"a before cursor it never gave", domain.Page{Last: 2, Before: "bm9wZQ"}, domain.Page{}, `cursor "bm9wZQ" is not one this API gave out`},
		{"an after cursor it never gave", domain.Page{After: "not-a-cursor"}, domain.Page{}, `cursor "not-a-cursor" is not one this API gave out`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.page
			err := p.Normalize()
			if tt.wantErr == "" {
				if err != nil || p != tt.want {
					t.Fatalf("Normalize: got %+v, %v; want %+v and no error", p, err, tt.want)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Normalize: got %v, want %s containing %q", err, domain.EINVALID, tt.wantErr)
			}
		})
	}
}

func TestCursorOrder(t *testing.T) {
	c := domain.Cursor{Key: "m", ID: "2"}
	tests := []struct {
		name          string
		key, id       string
		desc          bool
		after, before bool
	}{
		{"a later key", "n", "1", false, true, false},
		{"an earlier key", "l", "9", false, false, true},
		{"the same key, a later id", "m", "3", false, true, false},
		{"the same key, an earlier id", "m", "1", false, false, true},
		{"the cursor's own item is neither", "m", "2", false, false, false},
		{"a later key, descending", "n", "1", true, false, true},
		{"the same key, an earlier id, descending", "m", "1", true, true, false},
		{"the cursor's own item, descending", "m", "2", true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.After(tt.key, tt.id, tt.desc); got != tt.after {
				t.Errorf("After: got %v, want %v", got, tt.after)
			}
			if got := c.Before(tt.key, tt.id, tt.desc); got != tt.before {
				t.Errorf("Before: got %v, want %v", got, tt.before)
			}
		})
	}
}

func TestPageRange(t *testing.T) {
	a, b := domain.Cursor{Key: "a", ID: "1"}, domain.Cursor{Key: "z", ID: "9"}
	after, before := domain.Page{After: a.Encode(), Before: b.Encode()}.Range()
	if after == nil || *after != a || before == nil || *before != b {
		t.Errorf("got %v, %v; want %v, %v", after, before, a, b)
	}
	if after, before := (domain.Page{}).Range(); after != nil || before != nil {
		t.Errorf("got %v, %v for a page with no cursors, want nil, nil", after, before)
	}
}

// Encode writes plain keys without encoding/json; a cursor a client holds
// must stay valid, so the bytes must be exactly those of json and base64.
func TestCursorEncodeMatchesJSON(t *testing.T) {
	long := strings.Repeat("Guangxi Zhuang Autonomous Region ", 8)
	tests := []struct {
		name string
		c    domain.Cursor
	}{
		{"a name and a slug", domain.Cursor{Key: "Nanning", ID: "nanning"}},
		{"empty key", domain.Cursor{Key: "", ID: "city-05343"}},
		{"a date key", domain.Cursor{Key: "2015-09-14", ID: "Partnership:nanning--ipoh"}},
		{"longer than the stack buffer", domain.Cursor{Key: long, ID: long}},
		{"quote and backslash", domain.Cursor{Key: `say "hi" \ bye`, ID: `a"b`}},
		{"HTML characters", domain.Cursor{Key: "<b>Ho & Co</b>", ID: "x>y"}},
		{"control characters", domain.Cursor{Key: "tab\there\nnew\x00nul\x7fdel\b\f", ID: "r\r"}},
		{"non-ASCII", domain.Cursor{Key: "南宁 Hà Nội", ID: "hà-nội"}},
		{"line and paragraph separators", domain.Cursor{Key: "a\u2028b\u2029c", ID: "id"}},
		{"invalid UTF-8", domain.Cursor{Key: "bad\xff\xfebytes", ID: "\xc3"}},
		{"every printable ASCII byte", domain.Cursor{Key: printableASCII(), ID: printableASCII()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			want := base64.RawURLEncoding.EncodeToString(b)
			if got := tt.c.Encode(); got != want {
				t.Fatalf("Encode(%+v): got %s, want %s", tt.c, got, want)
			}
			back, err := domain.DecodeCursor(want)
			if tt.c.ID != "" && strings.ToValidUTF8(tt.c.ID, "\ufffd") == tt.c.ID && (err != nil || back != tt.c) {
				t.Fatalf("DecodeCursor(Encode(%+v)): got %+v, %v", tt.c, back, err)
			}
		})
	}
}

func printableASCII() string {
	var b strings.Builder
	for c := byte(0x20); c < 0x7f; c++ {
		b.WriteByte(c)
	}
	return b.String()
}
