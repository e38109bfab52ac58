package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"regexp"
	"strings"
)

// The service logs one line per security event (a failed or refused
// sign-in, a lockout, a refresh token presented twice, a refused seat key,
// a refused password change) and per answer of 5xx, with the error behind
// it. A line names the remote address, the route, a reason code and, for
// sign-ins, the user ID or a hash of the login: never a password, token,
// seat key or temporary password, which none of these carry.

type remoteKey struct{}

// WithRemote is ctx carrying the address of the client a request came
// from: the HTTP layer sets it, and the security events the service logs
// while serving that request name it.
func WithRemote(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, remoteKey{}, addr)
}

// event logs a security event the service itself sees, with the remote
// address of the request it serves, if any.
func (s *Service) event(ctx context.Context, msg, event string, attrs ...slog.Attr) {
	attrs = append([]slog.Attr{slog.String("event", event)}, attrs...)
	if remote, ok := ctx.Value(remoteKey{}).(string); ok {
		attrs = append(attrs, slog.String("remote", remote))
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
}

var userIDShape = regexp.MustCompile(`^(?i)U[0-9A-Z]{8}$`)

// LoginAttr names a login in a log line: a user ID as it is (IDs are not
// secret), anything else (an email, or a password typed in the wrong
// field) by the first 16 hex digits of its SHA-256.
func LoginAttr(login string) slog.Attr {
	login = strings.TrimSpace(login)
	if userIDShape.MatchString(login) {
		return slog.String("login", strings.ToUpper(login))
	}
	sum := sha256.Sum256([]byte(strings.ToLower(login)))
	return slog.String("login_sha256", hex.EncodeToString(sum[:8]))
}

// limitLogin is the login an account limiter key stands for (see
// accountKey): the user ID, or the normalised login.
func limitLogin(key string) string {
	if id, ok := strings.CutPrefix(key, "user:"); ok {
		return id
	}
	return strings.TrimPrefix(key, "login:")
}

// watchLimits logs the moment a limiter starts refusing a key.
func (s *Service) watchLimits() {
	s.accountLimit.onBlock = func(key string) {
		s.log.LogAttrs(context.Background(), slog.LevelWarn, "sign-ins locked for an account", slog.String("event", "lockout"),
			slog.String("limit", "account"), LoginAttr(limitLogin(key)))
	}
	s.addressLimit.onBlock = func(key string) {
		s.log.LogAttrs(context.Background(), slog.LevelWarn, "sign-ins locked for an address", slog.String("event", "lockout"),
			slog.String("limit", "address"), slog.String("remote", key))
	}
	for _, l := range []*limiter{s.accountLimit, s.addressLimit} {
		if l.shared != nil {
			l.shared.onError = func(err error) {
				s.log.Error("sign-in limits unavailable", "event", "limits", "error", err)
			}
		}
	}
}
