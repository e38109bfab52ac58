package portal

import (
	"context"
	"testing"
	"time"
)

// A key with a try pending is not evicted when the keys pass the cap:
// evicted, its failure would settle on nothing and be lost, a free guess.
// In memory and in the database (the suite's engine).
func TestEvictionKeepsPendingTries(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second)
	for _, shared := range []bool{false, true} {
		name := map[bool]string{false: "memory", true: "database"}[shared]
		t.Run(name, func(t *testing.T) {
			l := newLimiter(1, time.Minute)
			l.maxKeys = 1
			if shared {
				store, _ := openTestStore(t)
				l.shared = &sharedLimiter{store: store, scope: "test", onError: func(err error) { t.Error(err) }}
			}
			a, _ := l.take(ctx, "victim", t0)
			if a == nil {
				t.Fatal("no try for a new key")
			}
			// Newer keys push past the cap while the victim's try runs.
			l.fail(ctx, "b", t0.Add(time.Millisecond))
			l.fail(ctx, "c", t0.Add(2*time.Millisecond))
			a.failed(ctx)
			if blocked, _ := l.blocked(ctx, "victim", t0.Add(time.Second)); !blocked {
				t.Error("the failure of a try pending during eviction was lost")
			}
		})
	}
	// A replica whose clock runs ahead sweeps a row with a try pending
	// as a window old: the failure that settles it writes the row anew.
	t.Run("database-row-swept", func(t *testing.T) {
		store, _ := openTestStore(t)
		l := newLimiter(1, time.Minute)
		l.shared = &sharedLimiter{store: store, scope: "test", onError: func(err error) { t.Error(err) }}
		a, _ := l.take(ctx, "victim", t0)
		if n, err := store.limitKeys(ctx, "test", t0.Add(2*time.Minute), time.Minute); err != nil || n != 0 {
			t.Fatalf("sweep: %d keys, %v", n, err)
		}
		a.failed(ctx)
		if blocked, _ := l.blocked(ctx, "victim", t0.Add(time.Second)); !blocked {
			t.Error("a failure settling on a swept row was lost")
		}
	})
}
