package portal

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Every sign-in leaves an access and a refresh token row; housekeeping
// deletes them once expired. A used or revoked refresh token keeps its row
// until its own expiry: presenting it again before then must still be
// caught as reuse (see Refresh), and after then it opens nothing anyway.
const (
	sweepBatch = 1000        // rows one DELETE removes, so a sweep never holds the writer long
	sweepEvery = time.Minute // sign-ins sweep at most this often
)

// housekeeping is when a sign-in last swept.
type housekeeping struct {
	mu   sync.Mutex
	last time.Time
}

// Ready reports whether the service can serve: its database answers.
func (s *Service) Ready(ctx context.Context) error {
	return s.store.Ping(ctx)
}

// SweepTokens deletes every expired token, a batch at a time.
func (s *Service) SweepTokens(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.DeleteExpiredTokens(ctx, s.now(), sweepBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("sweep expired tokens: %w", err)
		}
		if n < sweepBatch {
			return total, nil
		}
	}
}

// RunHousekeeping sweeps expired tokens and starts the contracts whose
// start day has come, now and then every interval, until ctx ends.
// `portal serve` runs it.
func (s *Service) RunHousekeeping(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := s.SweepTokens(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("token sweep failed", "event", "token_sweep", "error", err)
		case n > 0:
			s.log.Info("expired tokens deleted", "event", "token_sweep", "deleted", n)
		}
		if _, err := s.StartDueContracts(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("starting the contracts due failed", "event", "contract_start", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sweepOnSignIn deletes one batch of expired tokens, at most once per
// sweepEvery: a service nobody runs RunHousekeeping for stays bounded too.
func (s *Service) sweepOnSignIn(ctx context.Context) {
	now := s.now()
	s.housekeeping.mu.Lock()
	due := now.Sub(s.housekeeping.last) >= sweepEvery
	if due {
		s.housekeeping.last = now
	}
	s.housekeeping.mu.Unlock()
	if !due {
		return
	}
	if _, err := s.store.DeleteExpiredTokens(ctx, now, sweepBatch); err != nil {
		s.log.Error("token sweep failed", "event", "token_sweep", "error", err)
	}
}

// DeleteExpiredTokens deletes at most limit tokens that expired before the
// given time.
func (s *SQLStore) DeleteExpiredTokens(ctx context.Context, before time.Time, limit int) (int, error) {
	total := 0
	for _, table := range []string{"tokens", "page_tokens", "password_resets"} {
		res, err := s.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE hash IN (SELECT hash FROM `+table+` WHERE expires < ? LIMIT ?)`, ts(before), limit-total)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		total += int(n)
		if err != nil || total >= limit {
			return total, err
		}
	}
	return total, nil
}
