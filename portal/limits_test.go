package portal

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestLimiterBounds(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("size-stays-at-cap", func(t *testing.T) {
		l := newLimiter(5, time.Minute)
		l.maxKeys = 100
		for i := range 1000 {
			l.fail(context.Background(), fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Millisecond))
		}
		if n := l.len(); n != 100 {
			t.Errorf("%d keys after 1,000 distinct failures, cap 100", n)
		}
		if blocked, _ := l.blocked(context.Background(), "key0", t0.Add(time.Second)); blocked {
			t.Error("the oldest key was kept")
		}
	})
	t.Run("recent-key-survives-eviction", func(t *testing.T) {
		l := newLimiter(2, time.Minute)
		l.maxKeys = 3
		l.fail(context.Background(), "victim", t0)
		l.fail(context.Background(), "victim", t0)
		l.fail(context.Background(), "a", t0)
		l.fail(context.Background(), "b", t0)
		l.fail(context.Background(), "victim", t0) // the victim is the most recent again
		l.fail(context.Background(), "c", t0)
		if blocked, _ := l.blocked(context.Background(), "victim", t0); !blocked {
			t.Error("a key failed again was evicted before older ones")
		}
	})
	t.Run("entries-expire-after-window", func(t *testing.T) {
		l := newLimiter(5, time.Minute)
		for i := range 50 {
			l.fail(context.Background(), fmt.Sprint("key", i), t0)
		}
		l.fail(context.Background(), "late", t0.Add(30*time.Second))
		if n := l.len(); n != 51 {
			t.Fatalf("%d keys, want 51", n)
		}
		l.blocked(context.Background(), "anything", t0.Add(time.Minute)) // any use sweeps
		if n := l.len(); n != 1 {
			t.Errorf("%d keys a window later, want 1 (the late one)", n)
		}
		l.blocked(context.Background(), "anything", t0.Add(90*time.Second))
		if n := l.len(); n != 0 {
			t.Errorf("%d keys after every window passed", n)
		}
	})
	t.Run("hits-per-key-bounded", func(t *testing.T) {
		l := newLimiter(5, time.Minute)
		for range 10_000 {
			l.fail(context.Background(), "k", t0)
		}
		if n := len(l.keys["k"].Value.(*limiterEntry).hits); n > 5 {
			t.Errorf("one key remembers %d failures for a limit of 5", n)
		}
		if blocked, wait := l.blocked(context.Background(), "k", t0.Add(time.Second)); !blocked || wait != 59*time.Second {
			t.Errorf("blocked %v for %v", blocked, wait)
		}
	})
}

// The address limit stops spraying many accounts, over a window that
// slides.
func TestAddressLimitSlides(t *testing.T) {
	lim := newLimiter(3, time.Minute)
	now := time.Now()
	for range 3 {
		lim.fail(context.Background(), "10.0.0.1", now)
	}
	if blocked, wait := lim.blocked(context.Background(), "10.0.0.1", now); !blocked || wait <= 0 {
		t.Error("address limit not applied")
	}
	if blocked, _ := lim.blocked(context.Background(), "10.0.0.1", now.Add(time.Minute)); blocked {
		t.Error("the window does not slide")
	}
}
