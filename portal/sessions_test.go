package portal

import (
	"context"
	"errors"
	"testing"
	"time"
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
	p.svc.now = func() time.Time { return clock }
	sess, err := p.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(DefaultMaxSession)
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
	if _, err := p.svc.Refresh(ctx, rt); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("refresh past the sign-in's end: %v, want %v", err, ErrSessionExpired)
	}
}

// The lifetime is an option.
func TestSessionLifetimeOption(t *testing.T) {
	p := newTestPortal(t)
	WithMaxSession(time.Hour)(p.svc)
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
