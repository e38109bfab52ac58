package portal

import (
	"container/list"
	"context"
	"slices"
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
	// settled is closed when a pending try settles, for the tries
	// waiting on it; made when one waits.
	settled chan struct{}
}

type limiterEntry struct {
	key     string
	hits    []time.Time // oldest first, at most max
	pending []time.Time // tries taken, not yet settled
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

// attempt is one try of a key that take counted in advance, as pending:
// failures and pending tries together never number more than the limit,
// so that tries running at the same moment (on one process or several)
// never get more password checks than tries one after the other would.
type attempt struct {
	l   *limiter
	key string
	at  time.Time
}

// maxLimitWait bounds how long a try waits for the pending tries of its
// key to settle (each is one password check, a few tens of milliseconds).
const maxLimitWait = 10 * time.Second

// take counts one try of key at now, pending, before its work (the
// password check) is done, and returns it; or nil and how long to wait
// when key has no try left. While other tries are pending and fill the
// rest of the limit, it waits for them to settle: if they succeed there is
// room again. The caller ends the try with failed or release.
func (l *limiter) take(ctx context.Context, key string, now time.Time) (*attempt, time.Duration) {
	deadline := time.NewTimer(maxLimitWait)
	defer deadline.Stop()
	poll := 10 * time.Millisecond
	for {
		var changed <-chan struct{}
		if l.shared != nil {
			n, wait, busy, err := l.shared.store.limitTake(ctx, l.shared.scope, key, now, l.max, l.window, l.maxKeys)
			l.shared.failed(err)
			if err != nil || n > 0 {
				return &attempt{l: l, key: key, at: now}, 0
			}
			if !busy {
				return nil, wait
			}
			// Other replicas settle tries too: ask again shortly, reading
			// only until the row changes, so that waiters do not queue
			// on its lock.
			for busy {
				t := time.NewTimer(poll)
				poll = min(2*poll, 200*time.Millisecond)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return nil, time.Second
				case <-deadline.C:
					t.Stop()
					return nil, time.Second
				}
				busy, err = l.shared.store.limitBusy(ctx, l.shared.scope, key, now, l.max, l.window)
				if err != nil {
					break
				}
			}
			continue
		}
		var a *attempt
		var wait time.Duration
		if a, wait, changed = l.takeLocal(key, now); changed == nil {
			return a, wait
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, time.Second
		case <-deadline.C:
			return nil, time.Second
		}
	}
}

// takeLocal is take in memory: the attempt, or nil and the wait, or a
// channel closed when a pending try of the key settles.
func (l *limiter) takeLocal(key string, now time.Time) (*attempt, time.Duration, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	e, ok := l.keys[key]
	if ok {
		ent := e.Value.(*limiterEntry)
		h := l.live(ent, now)
		// A try pending for a window never settles (its request died):
		// it stops counting, as in the database.
		ent.pending = slices.DeleteFunc(ent.pending, func(p time.Time) bool { return now.Sub(p) >= l.window })
		if len(h) >= l.max {
			return nil, h[len(h)-l.max].Add(l.window).Sub(now), nil
		}
		if len(h)+len(ent.pending) >= l.max {
			if l.settled == nil {
				l.settled = make(chan struct{})
			}
			return nil, 0, l.settled
		}
		l.order.MoveToBack(e)
	} else {
		e = l.order.PushBack(&limiterEntry{key: key})
		l.keys[key] = e
	}
	ent := e.Value.(*limiterEntry)
	ent.pending = append(ent.pending, now)
	l.evict()
	return &attempt{l: l, key: key, at: now}, 0, nil
}

// evict removes the least recently failed keys over maxKeys, passing
// over those with tries pending: a settling failure must find its key.
// Keys with tries pending are as many as requests in flight at most, so
// the bound is exceeded by no more than those.
func (l *limiter) evict() {
	for e := l.order.Front(); e != nil && len(l.keys) > l.maxKeys; {
		next := e.Next()
		if len(e.Value.(*limiterEntry).pending) == 0 {
			l.remove(e)
		}
		e = next
	}
}

// failed ends a try as a failure. The failure that reaches the limit is
// the one that locks the key, and says so.
func (a *attempt) failed(ctx context.Context) {
	a.settle(ctx, true)
}

// release ends a try that was not a failure: it no longer counts.
func (a *attempt) release(ctx context.Context) {
	a.settle(ctx, false)
}

// settle runs even if the request was cancelled meanwhile, or the try
// would stay pending.
func (a *attempt) settle(ctx context.Context, failed bool) {
	l := a.l
	if l.shared != nil {
		n, err := l.shared.store.limitSettle(context.WithoutCancel(ctx), l.shared.scope, a.key, a.at, failed, l.window)
		l.shared.failed(err)
		if failed && n == l.max && l.onBlock != nil {
			l.onBlock(a.key)
		}
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.settled != nil {
		close(l.settled)
		l.settled = nil
	}
	e, ok := l.keys[a.key]
	if !ok && !failed {
		return
	}
	if !ok { // a failure is never lost, even of a key gone meanwhile
		e = l.order.PushBack(&limiterEntry{key: a.key})
		l.keys[a.key] = e
	}
	ent := e.Value.(*limiterEntry)
	if i := slices.IndexFunc(ent.pending, a.at.Equal); i >= 0 {
		ent.pending = slices.Delete(ent.pending, i, i+1)
	}
	if failed {
		i, _ := slices.BinarySearchFunc(ent.hits, a.at, time.Time.Compare)
		ent.hits = slices.Insert(ent.hits, i, a.at)
		if len(ent.hits) > l.max {
			ent.hits = slices.Delete(ent.hits, 0, len(ent.hits)-l.max)
		} else if len(ent.hits) == l.max && l.onBlock != nil {
			l.onBlock(a.key)
		}
	}
	if len(ent.hits)+len(ent.pending) == 0 {
		l.remove(e)
	}
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
	l.evict()
}

// reset forgets key's failures (after a successful sign-in); tries still
// pending stay counted.
func (l *limiter) reset(ctx context.Context, key string) {
	if l.shared != nil {
		l.shared.failed(l.shared.store.limitReset(ctx, l.shared.scope, key))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		ent := e.Value.(*limiterEntry)
		if ent.hits = nil; len(ent.pending) == 0 {
			l.remove(e)
		}
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
		ent := e.Value.(*limiterEntry)
		if len(ent.pending) > 0 || len(ent.hits) > 0 && now.Sub(ent.hits[len(ent.hits)-1]) < l.window {
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
