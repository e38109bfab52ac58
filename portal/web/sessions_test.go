package web

import (
	"testing"

	"onramp.dev/onramp/portal"
)

// Signing out everywhere ends every sign-in of the account, on every
// machine, and only of that account.
func TestSignOutEverywhere(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "every@example.com", "atlas")
	p.activate(t, uid, temp)
	other, otherTemp := p.newContract(t, "other@example.com", "atlas")
	otherToken := p.activate(t, other, otherTemp)
	var a, b portal.Session
	for _, s := range []*portal.Session{&a, &b} {
		if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, s); code != 200 {
			t.Fatalf("sign-in: %d", code)
		}
	}
	if code := p.call(t, "DELETE", "/api/v1/sessions", "", nil, nil); code != 401 {
		t.Fatalf("sign out everywhere without a session: %d, want 401", code)
	}
	if code := p.call(t, "DELETE", "/api/v1/sessions", a.AccessToken, nil, nil); code != 204 {
		t.Fatalf("sign out everywhere: %d, want 204", code)
	}
	for name, tok := range map[string]string{"this machine": a.AccessToken, "the other machine": b.AccessToken} {
		if code := p.call(t, "GET", "/api/v1/me", tok, nil, nil); code != 401 {
			t.Errorf("%s's access token after signing out everywhere: %d, want 401", name, code)
		}
	}
	for name, tok := range map[string]string{"this machine": a.RefreshToken, "the other machine": b.RefreshToken} {
		if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": tok}, nil); code != 401 {
			t.Errorf("%s's refresh token after signing out everywhere: %d, want 401", name, code)
		}
	}
	if code := p.call(t, "GET", "/api/v1/me", otherToken, nil, nil); code != 200 {
		t.Errorf("another account's session: %d, want 200", code)
	}
}
