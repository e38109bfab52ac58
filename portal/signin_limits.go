package portal

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Sign-in limits. Failures count against the account (whatever login named
// it: ID, email, any Unicode spelling of either) and, separately, against
// the client's address. The account's limit is low and locks that account
// for a while; the address's is high, so that one office behind one NAT
// address can mistype for a long time, and it refuses only that address.
const (
	accountFailures = 5
	accountWindow   = 15 * time.Minute
	addressFailures = 100
	addressWindow   = 10 * time.Minute
)

// maxLogin bounds a login: an email is at most 254 bytes (RFC 5321).
const maxLogin = 320

// normalizeLogin gives the one spelling of a login: NFKC, so that
// compatibility variants (ſ U+017F for s, fullwidth letters, the Kelvin
// sign) become the letters they stand for; then an email in lower case, or
// a user ID in upper case and ASCII letters and digits only. ok is false
// for a login that can name no account (empty, too long, a user ID with
// other characters).
func normalizeLogin(login string) (string, bool) {
	login = strings.TrimSpace(login)
	// Controls (NUL above all, which PostgreSQL refuses in text) and
	// invalid UTF-8 are in no login: such a login names no account, and
	// fails as an unknown one does.
	if login == "" || len(login) > maxLogin || checkText(login) != nil {
		return "", false
	}
	login = norm.NFKC.String(login)
	if strings.Contains(login, "@") {
		return strings.ToLower(login), true
	}
	id := strings.ToUpper(login)
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", false
		}
	}
	return id, true
}

// accountKey is what the account limiter counts a failure under: the
// account itself when the login names one, so that every spelling of it
// shares one count, else the login's normalised form (bounded).
func accountKey(u *User, login string) string {
	if u != nil {
		return "user:" + u.ID
	}
	if n, ok := normalizeLogin(login); ok {
		return "login:" + n
	}
	// Quoted, so that the key holds no control and no invalid UTF-8 and
	// can be stored whatever was typed.
	login = strings.TrimSpace(login)
	return "login:" + strconv.QuoteToASCII(login[:min(len(login), maxLogin)])
}
