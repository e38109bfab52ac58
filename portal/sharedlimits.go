package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	limitReset(ctx context.Context, scope, key string) error
	limitKeys(ctx context.Context, scope string, now time.Time, window time.Duration) (int, error)
}

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
	ls, ok := s.store.(limitStore)
	if !ok || !ls.sharesLimits() {
		return
	}
	s.accountLimit.shared = &sharedLimiter{store: ls, scope: "account"}
	s.addressLimit.shared = &sharedLimiter{store: ls, scope: "address"}
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
	n, err := s.recordFailure(ctx, scope, key, now, max, window)
	if err != nil {
		return 0, fmt.Errorf("sign-in limits: %w", err)
	}
	// Outside the row's transaction, and passing over rows another
	// replica holds: sweeps never wait for each other.
	cutoff := limitTS(now.Add(-window))
	if _, err := s.w.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND key IN
		(SELECT key FROM signin_limits WHERE scope = ? AND last <= ?`+s.skipLocked()+`)`, scope, scope, cutoff); err != nil {
		return n, fmt.Errorf("sign-in limits: %w", err)
	}
	var keys int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM signin_limits WHERE scope = ?`, scope).Scan(&keys); err != nil {
		return n, fmt.Errorf("sign-in limits: %w", err)
	}
	if keys > maxKeys {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND key IN
			(SELECT key FROM signin_limits WHERE scope = ? ORDER BY last LIMIT ?`+s.skipLocked()+`)`, scope, scope, keys-maxKeys); err != nil {
			return n, fmt.Errorf("sign-in limits: %w", err)
		}
	}
	return n, nil
}

// recordFailure adds now to the key's failures under the row's lock.
func (s *SQLStore) recordFailure(ctx context.Context, scope, key string, now time.Time, max int, window time.Duration) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_limits (scope, key, hits, last) VALUES (?, ?, '', ?) ON CONFLICT (scope, key) DO NOTHING`,
		scope, key, limitTS(now)); err != nil {
		return 0, err
	}
	lock := ""
	if s.engine == enginePostgres {
		lock = " FOR UPDATE"
	}
	var hits string
	if err := tx.QueryRowContext(ctx, `SELECT hits FROM signin_limits WHERE scope = ? AND key = ?`+lock, scope, key).Scan(&hits); err != nil {
		return 0, err
	}
	var live []string
	for _, h := range parseHits(hits) {
		if now.Sub(h) < window {
			live = append(live, limitTS(h))
		}
	}
	live = append(live, limitTS(now))
	if len(live) > max {
		live = live[len(live)-max:]
	}
	if _, err := tx.ExecContext(ctx, `UPDATE signin_limits SET hits = ?, last = ? WHERE scope = ? AND key = ?`,
		strings.Join(live, " "), limitTS(now), scope, key); err != nil {
		return 0, err
	}
	return len(live), tx.Commit()
}

func (s *SQLStore) limitReset(ctx context.Context, scope, key string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM signin_limits WHERE scope = ? AND key = ?`, scope, key); err != nil {
		return fmt.Errorf("sign-in limits: %w", err)
	}
	return nil
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
