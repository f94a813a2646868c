package admission

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// KeyFunc names the client a request is from, for its rate limit.
//
// Today clients are known by address (ByAddress). Once requests carry
// credentials, the check that verifies them should run before admission
// and Config.Key become a function that returns the credential's subject
// (e.g. "key:"+subject) and falls back to ByAddress for anonymous requests,
// so that a client's limit follows it across addresses.
type KeyFunc func(*http.Request) string

// ByAddress keys a request by its client's IP address: the connection's
// peer, or, when that peer is one of the trusted proxies, the nearest
// address in X-Forwarded-For that is not a trusted proxy. X-Forwarded-For
// is ignored from anyone else, since a client can write anything there.
// IPv6 clients are keyed by their /64, the block one subscriber gets.
func ByAddress(trusted []netip.Prefix) KeyFunc {
	return func(r *http.Request) string {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr // not TCP (a test's or a unix socket's peer): key by what there is
		}
		addr := peer.Addr().Unmap()
		if isTrusted(addr, trusted) {
			addr = forwardedClient(addr, r.Header.Values("X-Forwarded-For"), trusted)
		} else if peer.Addr().Is4() {
			// RemoteAddr's host is then the address as String writes it
			// (netip takes no other form of IPv4): no new string per request.
			host, _, _ := strings.Cut(r.RemoteAddr, ":")
			return host
		}
		if addr.Is6() {
			p, _ := addr.Prefix(64)
			return p.String()
		}
		return addr.String()
	}
}

// forwardedClient walks X-Forwarded-For from the nearest hop back while
// the hops are trusted proxies; the first other hop is the client. A hop
// that is not an address ends the walk at the last proxy that was trusted.
func forwardedClient(peer netip.Addr, headers []string, trusted []netip.Prefix) netip.Addr {
	hops := strings.Split(strings.Join(headers, ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		addr, err := parseHop(hop)
		if err != nil {
			return client
		}
		client = addr
		if !isTrusted(addr, trusted) {
			return client
		}
	}
	return client
}

func parseHop(hop string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.Trim(hop, "[]"))
	return a.Unmap(), err
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseProxies reads a comma-separated list of proxy addresses and CIDR
// blocks ("10.0.0.0/8, 192.0.2.7, fd00::/8"), as an operator writes them.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR block (such as 10.0.0.0/8)", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
