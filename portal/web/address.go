package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress is the address a request comes from: the peer's, or, when
// the peer is a proxy the operator trusts (--trusted-proxy), the address
// that proxy saw: the nearest one in Forwarded (RFC 7239) or else in
// X-Forwarded-For that is not itself a trusted proxy. Anyone can write
// those headers, so from any other peer they are ignored.
func (h *handler) clientAddress(r *http.Request) string {
	return forwardedClient(r, h.svc.TrustedProxies)
}

// forwardedClient is clientAddress for the proxies given.
func forwardedClient(r *http.Request, proxies []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !trustedIn(proxies, peer) {
		return host
	}
	var hops []string
	if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		for _, elem := range strings.Split(strings.Join(fwd, ","), ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
				if strings.EqualFold(k, "for") {
					hops = append(hops, forwardedNode(v))
				}
			}
		}
	} else {
		for _, h := range strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // unreadable: trust nothing further along
		}
		addr = a.Unmap()
		if !trustedIn(proxies, addr) {
			break
		}
	}
	return addr.String()
}

// forwardedNode reads the address of a Forwarded "for" value: a quoted
// "[v6]:port" or "v4:port", or a bare v4.
func forwardedNode(v string) string {
	v = strings.Trim(v, `"`)
	if strings.HasPrefix(v, "[") {
		if end := strings.Index(v, "]"); end > 0 {
			return v[1:end]
		}
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		return host
	}
	return v
}

func trustedIn(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
