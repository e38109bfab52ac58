package downloader

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"onramp.dev/onramp/internal/origin"
)

// Addresses a package never comes from. Link-local addresses are where
// cloud metadata services answer (169.254.169.254, fe80::/10), handing
// the machine's credentials to whoever asks; a catalog naming one, or a
// server redirecting there, would make the assistant fetch them. The
// metadata services that live outside link-local are named one by one
// (AWS over IPv6, Alibaba Cloud), so private networks (a company mirror
// on 10.0.0.0/8 or fd00::/8) and loopback stay allowed.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// blocked reports whether ip is an address no package is fetched from:
// link-local, a metadata service's, unspecified ("0.0.0.0" reaches this
// machine's services on Linux), the rest of 0.0.0.0/8, multicast or the
// broadcast address.
func blocked(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	switch {
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(),
		ip.IsMulticast(), ip.IsUnspecified():
		return true
	case ip.Is4() && (ip.As4()[0] == 0 || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255})):
		return true
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return true
		}
	}
	return false
}

// checkAddress refuses a URL whose host is a blocked address literal,
// before any proxy is asked to fetch it. A name is checked when it is
// dialled (refuseBlocked); through a proxy, the proxy resolves it.
func checkAddress(u *url.URL) error {
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && blocked(ip) {
		return &BlockedAddressError{Addr: ip.String()}
	}
	return nil
}

// refuseBlocked runs as each connection is made, with the address the
// name resolved to: a name that answers a harmless address to one lookup
// and a metadata address to the next still cannot reach the latter.
func refuseBlocked(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip, err := netip.ParseAddr(host); err == nil && blocked(ip) {
		return &BlockedAddressError{Addr: ip.WithZone("").String()}
	}
	return nil
}

// dialTimeout bounds one connection attempt: a host that drops the
// handshake is retried (with backoff) after this, not after net/http's
// 30 s, so an unreachable server is reported within a minute or so.
const dialTimeout = 10 * time.Second

// dialer is the transfers' dialer: net/http's default one with a
// shorter connect timeout, refusing blocked addresses.
func dialer() *net.Dialer {
	return &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, Control: refuseBlocked}
}

// ownHeaders are the headers a transfer sets itself; any other came with
// the Request (Authorization, a cookie) and belongs to its URL's origin.
var ownHeaders = map[string]bool{"User-Agent": true, "Accept-Encoding": true, "Range": true, "If-Range": true}

// keepCredentialsInOrigin drops the Request's own headers, and the
// Referer, from a redirect once the chain has left the origin of the
// request's URL, even if it comes back: net/http keeps Authorization
// across the ports and schemes of one host name and to its subdomains,
// which may be other services.
func keepCredentialsInOrigin(req *http.Request, via []*http.Request) {
	first := via[0].URL
	left := !origin.Same(first, req.URL)
	for _, r := range via[1:] {
		left = left || !origin.Same(first, r.URL)
	}
	if !left {
		return
	}
	for k := range req.Header {
		if !ownHeaders[k] {
			delete(req.Header, k)
		}
	}
}
