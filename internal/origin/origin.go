// Package origin compares the origins of URLs (scheme, host and port), the
// boundary a credential must not cross: the account client and the
// downloader send a token only to the origin it was issued for.
package origin

import (
	"net/netip"
	"net/url"
	"strings"
)

// Same reports whether a and b have the same origin: the same scheme, the
// same host (names compared without case, addresses by value) and the same
// port, the scheme's default port standing for an empty one.
func Same(a, b *url.URL) bool {
	if a == nil || b == nil || !strings.EqualFold(a.Scheme, b.Scheme) || port(a) != port(b) {
		return false
	}
	ha, hb := a.Hostname(), b.Hostname()
	if ia, err := netip.ParseAddr(ha); err == nil {
		ib, err := netip.ParseAddr(hb)
		return err == nil && ia == ib
	}
	return ha != "" && strings.EqualFold(ha, hb)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}
