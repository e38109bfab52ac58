package portal

import (
	"context"
	"errors"
	"testing"
	"time"
)

func tokenRows(t *testing.T, p *testPortal) (access, refresh int) {
	t.Helper()
	if err := p.store.db.QueryRow(`SELECT count(*) FILTER (WHERE kind = 'access'), count(*) FILTER (WHERE kind = 'refresh') FROM tokens`).Scan(&access, &refresh); err != nil {
		t.Fatal(err)
	}
	return access, refresh
}

// Expired tokens leave the database; used and revoked refresh tokens stay
// until their own expiry, so that presenting one again is still caught.
func TestExpiredTokensSwept(t *testing.T) {
	p := newTestPortal(t)
	ctx := context.Background()
	start := time.Now()
	clock := start
	p.svc.now = func() time.Time { return clock }
	uid, temp := p.newContract(t, "mgr@x.example", "atlas")
	p.activate(t, uid, temp)
	var sessions []*Session
	for range 4 {
		s, err := p.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	used := sessions[0].RefreshToken
	if _, err := p.svc.Refresh(ctx, used); err != nil {
		t.Fatal(err)
	}
	a0, r0 := tokenRows(t, p)

	clock = start.Add(time.Hour) // every access token has expired
	if _, err := p.svc.SweepTokens(ctx); err != nil {
		t.Fatal(err)
	}
	if a, r := tokenRows(t, p); a != 0 || r != r0 {
		t.Errorf("an hour on: %d access and %d refresh rows (were %d and %d), want 0 and %d", a, r, a0, r0, r0)
	}
	if _, err := p.svc.Refresh(ctx, used); !errors.Is(err, ErrTokenReuse) {
		t.Errorf("a used refresh token presented again after a sweep: %v, want ErrTokenReuse", err)
	}

	clock = start.Add(RefreshTTL + time.Hour) // every refresh token has expired
	n, err := p.svc.SweepTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, r := tokenRows(t, p); a != 0 || r != 0 || n == 0 {
		t.Errorf("a month on: %d access and %d refresh rows left, %d swept", a, r, n)
	}
}

// A sign-in sweeps too, in a bounded batch, so a service nobody runs the
// sweep for still does not grow without end.
func TestSignInSweeps(t *testing.T) {
	p := newTestPortal(t)
	ctx := context.Background()
	start := time.Now()
	clock := start
	p.svc.now = func() time.Time { return clock }
	uid, temp := p.newContract(t, "mgr@x.example", "atlas")
	p.activate(t, uid, temp)
	for range 3 {
		if _, err := p.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	clock = start.Add(RefreshTTL + time.Hour)
	if _, err := p.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if a, r := tokenRows(t, p); a != 1 || r != 1 {
		t.Errorf("%d access and %d refresh rows after a month and one sign-in, want the new 1 and 1", a, r)
	}
}
