package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"onramp.dev/onramp/profile"
)

// SignInLink is an onramp://signin link, as the start page's "Open in
// Onramp" button gives it and the OS hands it to Onramp:
// onramp://signin?server=<service URL, percent-encoded>&user=<user ID>.
// It never carries a password.
type SignInLink struct {
	Server string
	User   string
}

// maxLinkBytes bounds a link: an address and a user ID.
const maxLinkBytes = 2048

// errLink is a link Onramp cannot use.
var errLink = errors.New("onramp link")

// ParseSignInLink reads an onramp:// link, refusing anything but the
// service's address and a user ID: a link that carries anything else (a
// password, a token) is refused whole, so that no one learns to send one.
func ParseSignInLink(s string) (*SignInLink, error) {
	fail := func(format string, args ...any) (*SignInLink, error) {
		return nil, fmt.Errorf("%w: %s", errLink, fmt.Sprintf(format, args...))
	}
	if len(s) > maxLinkBytes {
		return fail("%d bytes, more than %d", len(s), maxLinkBytes)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fail("%q is not a link: %v", termSafe(s), err)
	}
	if !strings.EqualFold(u.Scheme, "onramp") {
		return fail("%q: want onramp://signin?server=URL&user=ID", termSafe(s))
	}
	// onramp://signin?... has the host "signin"; onramp:signin?... is opaque.
	if what := cmpOr(u.Host, u.Opaque); what != "signin" || strings.Trim(u.Path, "/") != "" {
		return fail("%q: only onramp://signin is known", termSafe(s))
	}
	if u.User != nil || u.Fragment != "" {
		return fail("a link carries no user information or fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("its query: %v", err)
	}
	for k, v := range q {
		if k != "server" && k != "user" {
			return fail("%q is not allowed (only server and user: a link never carries a password)", termSafe(k))
		}
		if len(v) != 1 {
			return fail("%s given %d times", k, len(v))
		}
	}
	l := &SignInLink{Server: strings.TrimRight(q.Get("server"), "/"), User: strings.TrimSpace(q.Get("user"))}
	if err := profile.CheckServiceURL(l.Server); err != nil {
		return fail("server: %v", err)
	}
	if l.User == "" || len(l.User) > 254 || strings.ContainsFunc(l.User, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fail("user: want the user ID from the start email")
	}
	return l, nil
}
