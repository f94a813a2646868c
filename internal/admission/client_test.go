package admission_test

import (
	"net/http/httptest"
	"testing"

	"github.com/citygraph/citygraph/internal/admission"
)

func TestByAddress(t *testing.T) {
	proxies, err := admission.ParseProxies("10.0.0.0/8, 192.0.2.7, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		trusted bool
		remote  string
		xff     []string
		want    string
	}{
		{"the peer's address, without its port", false, "198.51.100.4:5555", nil, "198.51.100.4"},
		{"an IPv6 peer by its /64", false, "[2001:db8:aa:bb:1:2:3:4]:5555", nil, "2001:db8:aa:bb::/64"},
		{"an IPv4-mapped peer as IPv4", false, "[::ffff:198.51.100.4]:5555", nil, "198.51.100.4"},
		{"X-Forwarded-For ignored without trusted proxies", false, "198.51.100.4:5555", []string{"203.0.113.9"}, "198.51.100.4"},
		{"X-Forwarded-For ignored from an untrusted peer", true, "198.51.100.4:5555", []string{"203.0.113.9"}, "198.51.100.4"},
		{"the client behind a trusted proxy", true, "10.1.2.3:5555", []string{"203.0.113.9"}, "203.0.113.9"},
		{"a forged hop before the real client is ignored", true, "10.1.2.3:5555", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"through two trusted proxies", true, "10.1.2.3:5555", []string{"203.0.113.9, 192.0.2.7"}, "203.0.113.9"},
		{"several header lines read as one list", true, "10.1.2.3:5555", []string{"203.0.113.9", "10.9.9.9"}, "203.0.113.9"},
		{"all hops trusted: the farthest", true, "10.1.2.3:5555", []string{"10.7.7.7, 10.8.8.8"}, "10.7.7.7"},
		{"a hop that is no address stops at the last trusted one", true, "10.1.2.3:5555", []string{"203.0.113.9, garbage"}, "10.1.2.3"},
		{"a hop with a port", true, "10.1.2.3:5555", []string{"203.0.113.9:4444"}, "203.0.113.9"},
		{"an IPv6 client behind a trusted proxy", true, "[fd00::1]:5555", []string{"2001:db8:aa:bb::77"}, "2001:db8:aa:bb::/64"},
		{"a peer that is not host:port", false, "pipe", nil, "pipe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := admission.ByAddress(nil)
			if tc.trusted {
				key = admission.ByAddress(proxies)
			}
			req := httptest.NewRequest("GET", "/graphql", nil)
			req.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := key(req); got != tc.want {
				t.Errorf("key = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"", 0, false},
		{"10.0.0.0/8", 1, false},
		{" 10.0.0.1 , 2001:db8::/32,", 2, false},
		{"10.0.0.0/8, proxy.example", 0, true},
		{"10.0.0.0/33", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := admission.ParseProxies(tc.in)
			if (err != nil) != tc.wantErr || len(got) != tc.want {
				t.Errorf("ParseProxies(%q) = %v, %v; want %d prefixes, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
