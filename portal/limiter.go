package portal

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// defaultLimiterKeys bounds the keys a limiter remembers. An entry is a
// short key (logins and addresses are length-checked before they get
// here) and at most max times, so 10,000 keys are a few MiB.
const defaultLimiterKeys = 10_000

// limiter counts failures per key (an account, an address) in a sliding
// window. Its memory is bounded whatever the keys: at most maxKeys
// entries, the least recently failed evicted first, and an entry leaves
// once its last failure is a window old (swept on every call, oldest
// first, so a sweep costs only what it removes).
//
// Eviction lets a flood of new keys push an old one out early; the
// address limit makes such a flood cost many addresses.
type limiter struct {
	mu      sync.Mutex
	max     int // failures allowed in a window
	window  time.Duration
	maxKeys int
	keys    map[string]*list.Element // of *limiterEntry
	order   list.List                // least recently failed first
	// onBlock, if set, is called (under the lock: keep it short) when a
	// failure puts key over its limit.
	onBlock func(key string)
	// shared, when set, keeps the counts in the database instead, where
	// every replica of the service sees them (see sharedlimits.go).
	shared *sharedLimiter
}

type limiterEntry struct {
	key  string
	hits []time.Time // oldest first, at most max
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, maxKeys: defaultLimiterKeys, keys: map[string]*list.Element{}}
}

// blocked reports whether key is over its limit, and for how long.
func (l *limiter) blocked(ctx context.Context, key string, now time.Time) (bool, time.Duration) {
	if l.shared != nil {
		hits, err := l.shared.store.limitHits(ctx, l.shared.scope, key)
		l.shared.failed(err)
		var live []time.Time
		for _, h := range hits {
			if now.Sub(h) < l.window {
				live = append(live, h)
			}
		}
		if len(live) >= l.max {
			return true, live[len(live)-l.max].Add(l.window).Sub(now)
		}
		return false, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	e, ok := l.keys[key]
	if !ok {
		return false, 0
	}
	h := l.live(e.Value.(*limiterEntry), now)
	if len(h) >= l.max {
		return true, h[len(h)-l.max].Add(l.window).Sub(now)
	}
	return false, 0
}

// fail records a failure of key at now.
func (l *limiter) fail(ctx context.Context, key string, now time.Time) {
	if l.shared != nil {
		n, err := l.shared.store.limitFail(ctx, l.shared.scope, key, now, l.max, l.window, l.maxKeys)
		l.shared.failed(err)
		if n == l.max && l.onBlock != nil {
			l.onBlock(key)
		}
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	e, ok := l.keys[key]
	if !ok {
		e = l.order.PushBack(&limiterEntry{key: key})
		l.keys[key] = e
	} else {
		l.order.MoveToBack(e)
	}
	ent := e.Value.(*limiterEntry)
	ent.hits = append(l.live(ent, now), now)
	if len(ent.hits) > l.max {
		ent.hits = append(ent.hits[:0], ent.hits[len(ent.hits)-l.max:]...)
	} else if len(ent.hits) == l.max && l.onBlock != nil {
		l.onBlock(key)
	}
	for len(l.keys) > l.maxKeys {
		l.remove(l.order.Front())
	}
}

// reset forgets key (after a successful sign-in).
func (l *limiter) reset(ctx context.Context, key string) {
	if l.shared != nil {
		l.shared.failed(l.shared.store.limitReset(ctx, l.shared.scope, key))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		l.remove(e)
	}
}

// len is the number of keys remembered.
func (l *limiter) len() int {
	if l.shared != nil {
		n, err := l.shared.store.limitKeys(context.Background(), l.shared.scope, time.Now(), l.window)
		l.shared.failed(err)
		return n
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// sweep removes the entries whose last failure is a window old; they are
// at the front.
func (l *limiter) sweep(now time.Time) {
	for e := l.order.Front(); e != nil; e = l.order.Front() {
		h := e.Value.(*limiterEntry).hits
		if len(h) > 0 && now.Sub(h[len(h)-1]) < l.window {
			return
		}
		l.remove(e)
	}
}

// live drops an entry's failures older than the window.
func (l *limiter) live(ent *limiterEntry, now time.Time) []time.Time {
	i := 0
	for i < len(ent.hits) && now.Sub(ent.hits[i]) >= l.window {
		i++
	}
	ent.hits = ent.hits[i:]
	return ent.hits
}

func (l *limiter) remove(e *list.Element) {
	delete(l.keys, e.Value.(*limiterEntry).key)
	l.order.Remove(e)
}
