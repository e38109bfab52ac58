package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// signInFrom signs in over HTTP with extra headers (X-Forwarded-For, ...).
func signInFrom(t *testing.T, p *testPortal, login, password string, header http.Header) (int, Problem) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"login": login, "password": password})
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/session", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var prob Problem
	json.NewDecoder(resp.Body).Decode(&prob)
	return resp.StatusCode, prob
}

// contractWithS orders contracts until a manager's ID has an S in it, the
// letter whose Unicode variant ſ (U+017F) upper-cases to S.
func (p *testPortal) contractWithS(t *testing.T, email string) (uid, temp string) {
	t.Helper()
	for i := range 200 {
		uid, temp = p.newContract(t, fmt.Sprintf("%d.%s", i, email), "atlas")
		if strings.Contains(uid, "S") {
			return uid, temp
		}
	}
	t.Fatal("no user ID with an S in 200 contracts")
	return "", ""
}

// The ID, its lower case, a Unicode variant of it and the email are one
// account: together they have 5 failures, not 5 each.
func TestLoginVariantsShareOneLimit(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.contractWithS(t, "sam@acme.example")
	email := strings.SplitN(mustUser(t, p, uid).Email, "@", 2)
	variants := []string{
		uid,
		strings.Replace(uid, "S", "ſ", 1), // U+017F LATIN SMALL LETTER LONG S
		strings.ToLower(uid),
		email[0] + "@" + strings.ToUpper(email[1]), // the email, any case
		strings.Replace(email[0], "s", "ſ", 1) + "@" + email[1],
	}
	for i, login := range variants {
		if code, prob := signInFrom(t, p, login, "wrong password "+fmt.Sprint(i), nil); code != 401 || prob.Code != "bad_credentials" {
			t.Fatalf("failure %d as %q: %d %+v", i+1, login, code, prob)
		}
	}
	for _, login := range variants {
		if code, prob := signInFrom(t, p, login, temp, nil); code != 429 || prob.Code != "rate_limited" {
			t.Errorf("the right password as %q after 5 failures: %d %+v", login, code, prob)
		}
	}
}

// Changing the password checks the current one: its failures count against
// the account like sign-in failures, and past the limit the route answers
// 429 even to the right password.
func TestPasswordChangeIsLimited(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	token := p.activate(t, uid, temp)
	for i := range 5 {
		var prob Problem
		if code := p.call(t, "POST", "/api/v1/password", token, map[string]string{"current_password": fmt.Sprint("guess ", i), "new_password": "another long passphrase"}, &prob); code != 401 || prob.Code != "bad_credentials" {
			t.Fatalf("wrong current password %d: %d %+v", i+1, code, prob)
		}
	}
	var prob Problem
	if code := p.call(t, "POST", "/api/v1/password", token, map[string]string{"current_password": "a long enough passphrase", "new_password": "another long passphrase"}, &prob); code != 429 || prob.Code != "rate_limited" {
		t.Fatalf("the right current password after 5 failures: %d %+v", code, prob)
	}
	if code, prob := signInFrom(t, p, uid, "a long enough passphrase", nil); code != 429 {
		t.Fatalf("a sign-in of the same account: %d %+v", code, prob)
	}
}

// One address failing on many accounts is slowed down; another address
// signing in to another account is not. Behind a trusted proxy the address
// is the proxy's X-Forwarded-For; without one configured, that header is
// anyone's to write and is ignored.
func TestAddressLimit(t *testing.T) {
	const threshold = 8
	tests := []struct {
		name    string
		trusted []netip.Prefix
		// want the victim's sign-in from another address to work
		victimOK bool
	}{
		{"behind-trusted-proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, true},
		{"no-proxy-configured", nil, false}, // every request is 127.0.0.1: one address
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPortal(t)
			p.svc.TrustedProxies = tt.trusted
			portal.WithSignInLimits(portal.SignInLimit{}, portal.SignInLimit{Failures: threshold, Window: time.Minute})(p.svc)
			victim, victimTemp := p.newContract(t, "victim@acme.example", "atlas")
			var targets []string
			for i := range threshold {
				uid, _ := p.newContract(t, fmt.Sprintf("t%d@acme.example", i), "atlas")
				targets = append(targets, uid)
			}
			for i, uid := range targets {
				h := http.Header{"X-Forwarded-For": {"203.0.113.7"}}
				if tt.trusted == nil {
					// A new X-Forwarded-For each time, to escape the limit.
					h = http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i)}}
				}
				if code, _ := signInFrom(t, p, uid, "wrong password", h); code != 401 {
					t.Fatalf("failure %d: %d", i+1, code)
				}
			}
			attacker := http.Header{"X-Forwarded-For": {"203.0.113.7"}}
			if code, prob := signInFrom(t, p, victim, "anything at all", attacker); code != 429 || prob.Code != "rate_limited" {
				t.Errorf("the spraying address, on another account: %d %+v", code, prob)
			}
			other := http.Header{"X-Forwarded-For": {"192.0.2.55"}, "Forwarded": {`for="192.0.2.55"`}}
			code, prob := signInFrom(t, p, victim, victimTemp, other)
			if tt.victimOK && code != 200 {
				t.Errorf("the victim from another address: %d %+v", code, prob)
			}
			if !tt.victimOK && code != 429 {
				t.Errorf("a forged X-Forwarded-For escaped the address limit: %d %+v", code, prob)
			}
		})
	}
}

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		remote  string
		trusted []netip.Prefix
		header  http.Header
		want    string
	}{
		{"direct", "192.0.2.1:5000", nil, nil, "192.0.2.1"},
		{"xff-untrusted", "192.0.2.1:5000", nil, http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "192.0.2.1"},
		{"xff-from-unlisted-peer", "192.0.2.1:5000", proxies, http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "192.0.2.1"},
		{"xff-trusted", "10.1.2.3:5000", proxies, http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"xff-chain", "10.1.2.3:5000", proxies, http.Header{"X-Forwarded-For": {"6.6.6.6, 198.51.100.1, 10.9.9.9"}}, "198.51.100.1"},
		{"xff-two-headers", "10.1.2.3:5000", proxies, http.Header{"X-Forwarded-For": {"6.6.6.6", "198.51.100.2"}}, "198.51.100.2"},
		{"xff-garbage", "10.1.2.3:5000", proxies, http.Header{"X-Forwarded-For": {"not-an-ip"}}, "10.1.2.3"},
		{"xff-all-proxies", "10.1.2.3:5000", proxies, http.Header{"X-Forwarded-For": {"10.0.0.9"}}, "10.0.0.9"},
		{"forwarded", "[::1]:5000", proxies, http.Header{"Forwarded": {`for="[2001:db8::7]:4711";proto=https`}}, "2001:db8::7"},
		{"forwarded-list", "[::1]:5000", proxies, http.Header{"Forwarded": {`for=6.6.6.6, for=192.0.2.60;by=10.0.0.1`}}, "192.0.2.60"},
		{"forwarded-first", "[::1]:5000", proxies, http.Header{"Forwarded": {"for=192.0.2.61"}, "X-Forwarded-For": {"192.0.2.62"}}, "192.0.2.61"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/session", nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.header {
				r.Header[k] = v
			}
			h := &handler{svc: &portal.Service{TrustedProxies: tt.trusted}}
			if got := h.clientAddress(r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
