package portal

import (
	"context"
	"testing"
	"time"
)

// A try taken counts until it settles: with the limit's tries pending, the
// next waits (and gives up at its context's end); a released try frees its
// place, a failed one keeps it; with the limit's failures the key is
// refused at once, with the wait. In memory, and in the database (the
// suite's engine).
func TestTakenTriesCount(t *testing.T) {
	t0 := time.Now().UTC().Truncate(time.Second)
	for name, newL := range map[string]func(t *testing.T) *limiter{
		"memory": func(t *testing.T) *limiter { return newLimiter(3, time.Minute) },
		"store": func(t *testing.T) *limiter {
			store, _ := openTestStore(t)
			l := newLimiter(3, time.Minute)
			l.shared = &sharedLimiter{store: store, scope: "test", onError: func(err error) { t.Error(err) }}
			return l
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			l := newL(t)
			var tries []*attempt
			for i := range 3 {
				a, _ := l.take(ctx, "k", t0.Add(time.Duration(i)*time.Millisecond))
				if a == nil {
					t.Fatalf("try %d refused", i+1)
				}
				tries = append(tries, a)
			}
			// A fourth waits for a pending one to settle.
			if !busy(t, l, t0.Add(time.Second)) {
				t.Fatal("a fourth try not made to wait while three are pending")
			}
			got := make(chan *attempt)
			go func() {
				a, _ := l.take(ctx, "k", t0.Add(time.Second))
				got <- a
			}()
			tries[0].release(ctx)
			a := <-got
			if a == nil {
				t.Fatal("no try after one was released")
			}
			for _, a := range append(tries[1:], a) {
				a.failed(ctx)
			}
			if a, wait := l.take(ctx, "k", t0.Add(2*time.Second)); a != nil || wait != 58*time.Second+time.Millisecond {
				t.Fatalf("after three failures: try %v, wait %s, want none and 58.001s", a, wait)
			}
		})
	}
}

// busy reports whether a try of "k" at now would wait for pending ones,
// without taking it.
func busy(t *testing.T, l *limiter, now time.Time) bool {
	t.Helper()
	if l.shared != nil {
		n, _, busy, err := l.shared.store.limitTake(context.Background(), l.shared.scope, "k", now, l.max, l.window, l.maxKeys)
		if err != nil || n > 0 {
			t.Fatalf("a try taken (%d, %v)", n, err)
		}
		return busy
	}
	a, _, changed := l.takeLocal("k", now)
	if a != nil {
		t.Fatal("a try taken")
	}
	return changed != nil
}
