package portal

import "log/slog"

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
