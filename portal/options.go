package portal

import (
	"log/slog"
	"time"
)

// Option configures a Service.
type Option func(*Service)

// WithLogger sends the service's security events (failed sign-ins,
// lockouts, refresh-token reuse, refused seat keys) and its internal
// failures to l. Without it they are discarded.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) {
		if l != nil {
			s.log = l
		}
	}
}

// WithMaxSession sets how long a sign-in lives at most, refresh after
// refresh (DefaultMaxSession when d is not positive); then the password is
// asked again.
func WithMaxSession(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.maxSession = d
		}
	}
}

// DefaultMaxContractUsers is how many users a contract may hold unless
// WithMaxContractUsers says otherwise.
const DefaultMaxContractUsers = 100_000

// WithMaxContractUsers bounds the users of one contract: its lists,
// searches and imports cost with its size. An import or an addition past
// it is refused, naming the bound.
func WithMaxContractUsers(n int) Option {
	return func(s *Service) {
		if n > 0 {
			s.maxUsers = n
		}
	}
}

func (s *Service) maxContractUsers() int {
	if s.maxUsers > 0 {
		return s.maxUsers
	}
	return DefaultMaxContractUsers
}

// WithClock has the service read the time from now instead of the
// system's clock: tests and demonstrations move it to see expiries
// (temporary passwords, sessions, contracts ending) without waiting.
func WithClock(now func() time.Time) Option {
	return func(s *Service) {
		if now != nil {
			s.now = now
		}
	}
}

// SignInLimit is how many failed sign-ins a window allows for one key.
type SignInLimit struct {
	Failures int
	Window   time.Duration
}

// WithSignInLimits replaces the limits on failed sign-ins per account (5
// in 15 minutes by default) and per client address (100 in 10 minutes); a
// limit with no failures keeps its default. Load measurements lift them to
// measure the work rather than the refusals.
func WithSignInLimits(account, address SignInLimit) Option {
	return func(s *Service) {
		if account.Failures > 0 {
			s.accountLimit = newLimiter(account.Failures, account.Window)
		}
		if address.Failures > 0 {
			s.addressLimit = newLimiter(address.Failures, address.Window)
		}
	}
}
