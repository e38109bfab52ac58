package portal

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The database-kept limiter has the in-memory one's bounds: keys capped
// (least recently failed dropped first), rows a window old swept, at most
// max failures kept per key, and the same wait. Run on the suite's engine.
func TestSharedLimiterBounds(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	newShared := func(t *testing.T, max int) *limiter {
		store, _ := openTestStore(t)
		l := newLimiter(max, time.Minute)
		l.shared = &sharedLimiter{store: store, scope: "test", onError: func(err error) { t.Error(err) }}
		return l
	}
	t.Run("size-stays-at-cap", func(t *testing.T) {
		l := newShared(t, 5)
		l.maxKeys = 20
		for i := range 100 {
			l.fail(ctx, fmt.Sprint("key", i), t0.Add(time.Duration(i)*time.Millisecond))
		}
		n, err := l.shared.store.limitKeys(ctx, "test", t0, time.Minute)
		if err != nil || n != 20 {
			t.Errorf("%d keys after 100 distinct failures, cap 20 (%v)", n, err)
		}
		if blocked, _ := l.blocked(ctx, "key0", t0.Add(time.Second)); blocked {
			t.Error("the oldest key was kept")
		}
	})
	t.Run("recent-key-survives-eviction", func(t *testing.T) {
		l := newShared(t, 2)
		l.maxKeys = 3
		for i, k := range []string{"victim", "victim", "a", "b", "victim", "c"} {
			l.fail(ctx, k, t0.Add(time.Duration(i)*time.Millisecond))
		}
		if blocked, _ := l.blocked(ctx, "victim", t0.Add(time.Second)); !blocked {
			t.Error("a key failed again was evicted before older ones")
		}
	})
	t.Run("entries-expire-after-window", func(t *testing.T) {
		l := newShared(t, 5)
		for i := range 10 {
			l.fail(ctx, fmt.Sprint("key", i), t0)
		}
		l.fail(ctx, "late", t0.Add(30*time.Second))
		l.fail(ctx, "later", t0.Add(time.Minute)) // sweeps the first ten
		n, err := l.shared.store.limitKeys(ctx, "test", t0.Add(time.Minute), time.Minute)
		if err != nil || n != 2 {
			t.Errorf("%d keys a window later, want 2 (%v)", n, err)
		}
	})
	t.Run("hits-per-key-bounded", func(t *testing.T) {
		l := newShared(t, 5)
		for range 30 {
			l.fail(ctx, "k", t0)
		}
		hits, err := l.shared.store.limitHits(ctx, "test", "k")
		if err != nil || len(hits) != 5 {
			t.Errorf("one key remembers %d failures for a limit of 5 (%v)", len(hits), err)
		}
		if blocked, wait := l.blocked(ctx, "k", t0.Add(time.Second)); !blocked || wait != 59*time.Second {
			t.Errorf("blocked %v for %v", blocked, wait)
		}
		l.reset(ctx, "k")
		if blocked, _ := l.blocked(ctx, "k", t0.Add(time.Second)); blocked {
			t.Error("blocked after reset")
		}
	})
}
