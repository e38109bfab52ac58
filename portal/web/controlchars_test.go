package web

import (
	"fmt"
	"net/http"
	"testing"
)

// A login holding NUL or another control character names no account: a
// failed sign-in like any other (401, counted), never an error of the
// database (PostgreSQL refuses NUL in text). Run on both engines.
func TestControlCharactersInLogins(t *testing.T) {
	for _, login := range []string{"U\x00ABC2345", "eve\x00@example.com", "eve@example.com\x00", "U\x1bABC2345", "\xff\xfe@example.com"} {
		t.Run(fmt.Sprintf("%q", login), func(t *testing.T) {
			p := newTestPortal(t)
			for i := range accountFailures {
				if code, prob := signInFrom(t, p, login, "wrong password", nil); code != http.StatusUnauthorized || prob.Code != "bad_credentials" {
					t.Fatalf("attempt %d: %d %+v, want 401 bad_credentials", i+1, code, prob)
				}
			}
			if code, prob := signInFrom(t, p, login, "wrong password", nil); code != http.StatusTooManyRequests {
				t.Fatalf("attempt %d: %d %+v, want 429: the failures were not counted", accountFailures+1, code, prob)
			}
		})
	}
}

// IDs in a path that hold controls name nothing: 404, not an error of the
// database.
func TestControlCharactersInPathIDs(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "ids@example.com", "atlas")
	for _, req := range []struct{ method, path string }{
		{"DELETE", "/api/v1/users/U%00ABC2345"},
		{"POST", "/api/v1/users/U%00ABC2345/start-email"},
		{"PUT", "/api/v1/callers/U%00ABC2345"},
		{"DELETE", "/api/v1/callers/U%00ABC2345"},
		{"DELETE", "/api/v1/seats/S%00ABC2345"},
		{"DELETE", "/api/v1/seat-keys/abc%00def"},
	} {
		if code := p.call(t, req.method, req.path, token, nil, nil); code != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", req.method, req.path, code)
		}
	}
}
