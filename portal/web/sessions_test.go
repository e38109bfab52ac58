package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// A sign-in lives at most its absolute lifetime, however often its
// refresh token is exchanged: no rotation carries it further.
func TestSessionAbsoluteLifetime(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "life@example.com", "atlas")
	p.activate(t, uid, temp)
	ctx := context.Background()
	t0 := time.Now()
	clock := t0
	portal.WithClock(func() time.Time { return clock })(p.svc)
	sess, err := p.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(portal.DefaultMaxSession)
	rt := sess.RefreshToken
	for _, days := range []int{29, 58, 87, 89} {
		clock = t0.Add(time.Duration(days) * 24 * time.Hour)
		s, err := p.svc.Refresh(ctx, rt)
		if err != nil {
			t.Fatalf("refresh on day %d: %v", days, err)
		}
		if s.RefreshExpires.After(end) || s.AccessExpires.After(end) {
			t.Fatalf("refresh on day %d: tokens until %s and %s, past the sign-in's end %s", days, s.RefreshExpires, s.AccessExpires, end)
		}
		rt = s.RefreshToken
	}
	clock = end.Add(time.Second)
	if _, err := p.svc.Refresh(ctx, rt); !errors.Is(err, portal.ErrSessionExpired) {
		t.Fatalf("refresh past the sign-in's end: %v, want %v", err, portal.ErrSessionExpired)
	}
}

// The lifetime is an option.
func TestSessionLifetimeOption(t *testing.T) {
	p := newTestPortal(t)
	portal.WithMaxSession(time.Hour)(p.svc)
	uid, temp := p.newContract(t, "short@example.com", "atlas")
	p.activate(t, uid, temp)
	sess, err := p.svc.SignIn(context.Background(), uid, "a long enough passphrase", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(sess.RefreshExpires); left > time.Hour {
		t.Errorf("refresh token good for %s, want at most 1h", left)
	}
}

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
