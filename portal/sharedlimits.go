package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Several replicas of the service must count one account's failed
// sign-ins together, or an attacker spreading guesses over them gets one
// allowance per replica. On PostgreSQL the limiters therefore keep their
// counts in the signin_limits table, with the in-memory limiter's bounds:
// at most max failures per key, at most maxKeys keys per limiter (the
// least recently failed go first), none older than the window. A single
// SQLite process keeps them in memory, where checking costs no query.

// limitStore keeps sign-in failures where every replica sees them.
type limitStore interface {
	// sharesLimits reports whether other processes may serve the same
	// data (PostgreSQL), so that limits must live in the database.
	sharesLimits() bool
	limitHits(ctx context.Context, scope, key string) ([]time.Time, error)
	// limitFail records a failure and returns the failures of the key
	// within the window, this one included.
	limitFail(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration, maxKeys int) (int, error)
	// limitTake counts a try of the key as pending, atomically with the
	// check that the key has one left: it returns the key's failures and
	// pending tries in the window, this one included. When the failures
	// alone reach max it returns 0 and how long to wait; when pending
	// tries fill what is left, busy: one of them may yet succeed.
	limitTake(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration, maxKeys int) (n int, wait time.Duration, busy bool, err error)
	// limitSettle ends the pending try taken at at: a failure, or
	// uncounted. It returns the key's failures in the window.
	limitSettle(ctx context.Context, scope, key string, at time.Time, failed bool, window time.Duration) (int, error)
	// limitBusy reads, without writing, whether the key's pending tries
	// still fill what its failures leave of max: a waiting try asks this
	// before it takes the row's lock again.
	limitBusy(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration) (bool, error)
	limitReset(ctx context.Context, scope, key string) error
	limitKeys(ctx context.Context, scope string, now time.Time, window time.Duration) (int, error)
}

// The SQL store keeps the shared counts.
var _ limitStore = (*SQLStore)(nil)

// sharedLimiter is where a limiter keeps its counts when they are shared.
type sharedLimiter struct {
	store limitStore
	scope string // account or address
	// onError hears of a database failure; the limiter then lets the
	// request through, which the failing database stops anyway.
	onError func(error)
}

func (s *sharedLimiter) failed(err error) {
	if s.onError != nil && err != nil {
		s.onError(err)
	}
}

// sharedLimits makes the service's limiters keep their counts in the
// store, if the store is shared by several processes.
func (s *Service) sharedLimits() {
	if !s.store.sharesLimits() {
		return
	}
	s.accountLimit.shared = &sharedLimiter{store: s.store, scope: "account"}
	s.addressLimit.shared = &sharedLimiter{store: s.store, scope: "address"}
}

func (s *SQLStore) sharesLimits() bool { return s.engine == enginePostgres }

// limitTS is a fixed-width time, so that the text order of the column is
// the order of the times.
func limitTS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func parseHits(hits string) []time.Time {
	var out []time.Time
	for _, h := range strings.Fields(hits) {
		if t, err := time.Parse("2006-01-02T15:04:05.000000000Z", h); err == nil {
			out = append(out, t)
		}
	}
	return out
}

func (s *SQLStore) limitHits(ctx context.Context, scope, key string) ([]time.Time, error) {
	var hits string
	err := s.queryRow(ctx, `SELECT hits FROM signin_limits WHERE scope = ? AND key = ?`, scope, key).Scan(&hits)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sign-in limits: %w", err)
	}
	return parseHits(hits), nil
}

func (s *SQLStore) limitFail(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration, maxKeys int) (int, error) {
	live, err := s.recordFailure(ctx, scope, key, now, max, window)
	if err != nil {
		return 0, err
	}
	return len(live), s.sweepLimits(ctx, scope, now, window, maxKeys)
}

func (s *SQLStore) limitTake(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration, maxKeys int) (int, time.Duration, bool, error) {
	var n int
	var wait time.Duration
	var busy bool
	err := s.limitRow(ctx, scope, key, now, true, func(e *limitEntries) bool {
		e.drop(now, window)
		switch {
		case len(e.fails) >= max:
			wait = e.fails[len(e.fails)-max].Add(window).Sub(now)
			return false
		case len(e.fails)+len(e.pending) >= max:
			busy = true
			return false
		}
		e.pending = append(e.pending, now)
		n = len(e.fails) + len(e.pending)
		return true
	})
	if err != nil || n == 0 {
		return 0, wait, busy, err
	}
	return n, 0, false, s.sweepLimits(ctx, scope, now, window, maxKeys)
}

func (s *SQLStore) limitBusy(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration) (bool, error) {
	var hits string
	err := s.queryRow(ctx, `SELECT hits FROM signin_limits WHERE scope = ? AND key = ?`, scope, key).Scan(&hits)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sign-in limits: %w", err)
	}
	e := parseEntries(hits)
	e.drop(now, window)
	return len(e.fails) < max && len(e.fails)+len(e.pending) >= max, nil
}

// limitSettle writes a failure even if the key's row is gone meanwhile
// (swept by a replica that did not see the pending try): a lost failure
// would be a free guess.
func (s *SQLStore) limitSettle(ctx context.Context, scope, key string, at time.Time, failed bool, window time.Duration) (int, error) {
	var n int
	err := s.limitRow(ctx, scope, key, at, failed, func(e *limitEntries) bool {
		for i := len(e.pending) - 1; i >= 0; i-- {
			if e.pending[i].Equal(at) {
				e.pending = slices.Delete(e.pending, i, i+1)
				break
			}
		}
		if failed {
			e.fails = append(e.fails, at)
			slices.SortFunc(e.fails, time.Time.Compare)
		}
		e.drop(at, window)
		n = len(e.fails)
		return true
	})
	return n, err
}

// limitEntries is one key's row: its failures, and its tries not yet
// settled (written with a "p" in front, which older readers skip).
type limitEntries struct{ fails, pending []time.Time }

func parseEntries(hits string) limitEntries {
	var e limitEntries
	for _, h := range strings.Fields(hits) {
		p, isPending := strings.CutPrefix(h, "p")
		t, err := time.Parse("2006-01-02T15:04:05.000000000Z", p)
		switch {
		case err != nil:
		case isPending:
			e.pending = append(e.pending, t)
		default:
			e.fails = append(e.fails, t)
		}
	}
	return e
}

func (e *limitEntries) String() string {
	s := make([]string, 0, len(e.fails)+len(e.pending))
	for _, h := range e.fails {
		s = append(s, limitTS(h))
	}
	for _, h := range e.pending {
		s = append(s, "p"+limitTS(h))
	}
	return strings.Join(s, " ")
}

// drop forgets the entries a window old; a pending try that old belongs
// to a process that stopped.
func (e *limitEntries) drop(now time.Time, window time.Duration) {
	keep := func(h time.Time) bool { return now.Sub(h) >= window }
	e.fails = slices.DeleteFunc(e.fails, keep)
	e.pending = slices.DeleteFunc(e.pending, keep)
}

// limitRow changes one key's row under its lock: change reports whether
// to write the entries back. With create, a missing row is made first;
// without, a missing row is left missing.
func (s *SQLStore) limitRow(ctx context.Context, scope, key string, now time.Time, create bool, change func(*limitEntries) bool) error {
	err := func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if create {
			if _, err := tx.ExecContext(ctx, `INSERT INTO signin_limits (scope, key, hits, last) VALUES (?, ?, '', ?) ON CONFLICT (scope, key) DO NOTHING`,
				scope, key, limitTS(now)); err != nil {
				return err
			}
		}
		var hits string
		err = tx.QueryRowContext(ctx, `SELECT hits FROM signin_limits WHERE scope = ? AND key = ?`+s.forUpdate(), scope, key).Scan(&hits)
		if errors.Is(err, sql.ErrNoRows) && !create {
			return nil
		}
		if err != nil {
			return err
		}
		e := parseEntries(hits)
		if !change(&e) {
			return tx.Commit()
		}
		if len(e.fails)+len(e.pending) == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND key = ?`, scope, key)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE signin_limits SET hits = ?, last = ? WHERE scope = ? AND key = ?`,
				e.String(), limitTS(lastOf(e, now)), scope, key)
		}
		if err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		return fmt.Errorf("sign-in limits: %w", err)
	}
	return nil
}

// lastOf is the latest of the entries' times and now.
func lastOf(e limitEntries, now time.Time) time.Time {
	last := now
	for _, h := range append(slices.Clone(e.fails), e.pending...) {
		if h.After(last) {
			last = h
		}
	}
	return last
}

// sweepLimits drops the keys a window old, then the least recently
// failed ones over maxKeys, passing over keys with tries pending: their
// settling must find them. (Pending tries are written with a "p", which
// no time holds.)
func (s *SQLStore) sweepLimits(ctx context.Context, scope string, now time.Time, window time.Duration, maxKeys int) error {
	// Outside the row's transaction, and passing over rows another
	// replica holds: sweeps never wait for each other.
	cutoff := limitTS(now.Add(-window))
	if _, err := s.w.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND key IN
		(SELECT key FROM signin_limits WHERE scope = ? AND last <= ?`+s.skipLocked()+`)`, scope, scope, cutoff); err != nil {
		return fmt.Errorf("sign-in limits: %w", err)
	}
	var keys int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM signin_limits WHERE scope = ?`, scope).Scan(&keys); err != nil {
		return fmt.Errorf("sign-in limits: %w", err)
	}
	if keys > maxKeys {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND key IN
			(SELECT key FROM signin_limits WHERE scope = ? AND hits NOT LIKE '%p%' ORDER BY last LIMIT ?`+s.skipLocked()+`)`, scope, scope, keys-maxKeys); err != nil {
			return fmt.Errorf("sign-in limits: %w", err)
		}
	}
	return nil
}

// recordFailure adds now to the key's failures under the row's lock, and
// returns the failures in the window.
func (s *SQLStore) recordFailure(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration) ([]time.Time, error) {
	var live []time.Time
	err := s.limitRow(ctx, scope, key, now, true, func(e *limitEntries) bool {
		e.drop(now, window)
		e.fails = append(e.fails, now)
		if len(e.fails) > max {
			e.fails = e.fails[len(e.fails)-max:]
		}
		live = e.fails
		return true
	})
	return live, err
}

// forUpdate locks the rows a query reads until the transaction ends, on
// PostgreSQL; SQLite's one writer already serialises transactions.
func (s *SQLStore) forUpdate() string {
	if s.engine == enginePostgres {
		return " FOR UPDATE"
	}
	return ""
}

// limitReset forgets the key's failures; its pending tries stay.
func (s *SQLStore) limitReset(ctx context.Context, scope, key string) error {
	return s.limitRow(ctx, scope, key, time.Now(), false, func(e *limitEntries) bool {
		e.fails = nil
		return true
	})
}

// limitKeys counts the keys a limiter remembers, after sweeping those a
// window old.
func (s *SQLStore) limitKeys(ctx context.Context, scope string, now time.Time, window time.Duration) (int, error) {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND last <= ?`, scope, limitTS(now.Add(-window))); err != nil {
		return 0, fmt.Errorf("sign-in limits: %w", err)
	}
	var n int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM signin_limits WHERE scope = ?`, scope).Scan(&n); err != nil {
		return 0, fmt.Errorf("sign-in limits: %w", err)
	}
	return n, nil
}
