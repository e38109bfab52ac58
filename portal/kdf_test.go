package portal

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// kdfCounter records every argon2id evaluation while a test runs.
type kdfCounter struct {
	mu     sync.Mutex
	params []argonParams
}

func countKDF(t testing.TB) *kdfCounter {
	t.Helper()
	c := &kdfCounter{}
	onKDF = func(p argonParams) {
		c.mu.Lock()
		c.params = append(c.params, p)
		c.mu.Unlock()
	}
	t.Cleanup(func() { onKDF = nil })
	return c
}

func (c *kdfCounter) take() []argonParams {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.params
	c.params = nil
	return p
}

// A sign-in costs exactly one argon2id evaluation, with the same
// parameters, whether the user is unknown, still on a temporary password
// or on their own, and whether the password is right or wrong: the time of
// an answer tells nothing about the account.
func TestEverySignInCostsOneKDF(t *testing.T) {
	p := newTestPortal(t)
	p.svc.accountLimit = newLimiter(1<<30, time.Minute) // count the work, not the limits
	p.svc.addressLimit = newLimiter(1<<30, time.Minute)
	ctx := context.Background()
	tempUID, temp := p.newContract(t, "temp@example.com", "atlas")
	tempUID2, temp2 := p.newContract(t, "temp2@example.com", "atlas")
	normalUID, normalTemp := p.newContract(t, "normal@example.com", "atlas")
	p.activate(t, normalUID, normalTemp)
	counter := countKDF(t)
	tests := []struct {
		name, login, password string
		ok                    bool
	}{
		{"unknown-id", "UNOSUCHXX", "whatever password", false},
		{"unknown-email", "nobody@example.com", "whatever password", false},
		{"temporary-wrong", tempUID, "wrong-wrong-wrong", false},
		{"temporary-right", tempUID2, temp2, true},
		{"temporary-by-email-wrong", "temp@example.com", temp + "x", false},
		{"normal-wrong", normalUID, "not the passphrase", false},
		{"normal-right", normalUID, "a long enough passphrase", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counter.take()
			_, err := p.svc.SignIn(ctx, tt.login, tt.password, "127.0.0.1")
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, ErrBadCredentials)) {
				t.Fatalf("sign-in: %v", err)
			}
			got := counter.take()
			if len(got) != 1 {
				t.Fatalf("%d argon2id evaluations, want exactly 1", len(got))
			}
			if got[0] != defaultArgon {
				t.Errorf("parameters %+v, want %+v", got[0], defaultArgon)
			}
		})
	}
	_ = temp
}

// BenchmarkSignInCost is one sign-in check per case, no HTTP: the figures
// should be equal whatever the account's state.
func BenchmarkSignInCost(b *testing.B) {
	p := newTestPortal(b)
	p.svc.accountLimit = newLimiter(1<<30, time.Minute)
	p.svc.addressLimit = newLimiter(1<<30, time.Minute)
	tempUID, _ := p.newContract(b, "temp@example.com", "atlas")
	normalUID, normalTemp := p.newContract(b, "normal@example.com", "atlas")
	p.activate(b, normalUID, normalTemp)
	for _, c := range []struct{ name, login, password string }{
		{"unknown", "UNOSUCHXX", "whatever password"},
		{"temporary-wrong", tempUID, "wrong-wrong-wrong"},
		{"normal-wrong", normalUID, "not the passphrase"},
		{"normal-right", normalUID, "a long enough passphrase"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				p.svc.SignIn(context.Background(), c.login, c.password, "127.0.0.1")
			}
		})
	}
}
