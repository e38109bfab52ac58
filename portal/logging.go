package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
)

// The service logs one line per security event (a failed or refused
// sign-in, a lockout, a refresh token presented twice, a refused seat key,
// a refused password change) and per answer of 5xx, with the error behind
// it. A line names the remote address, the route, a reason code and, for
// sign-ins, the user ID or a hash of the login: never a password, token,
// seat key or temporary password, which none of these carry.

// requestLog is what the handlers of one request note for its log line.
type requestLog struct {
	remote string
	status int
	code   string // the problem's code
	err    error  // behind a 5xx
	attrs  []slog.Attr
}

type requestLogKey struct{}

func requestLogOf(ctx context.Context) *requestLog {
	rl, _ := ctx.Value(requestLogKey{}).(*requestLog)
	return rl
}

// annotate adds attributes to the request's log line, if it gets one.
func annotate(r *http.Request, attrs ...slog.Attr) {
	if rl := requestLogOf(r.Context()); rl != nil {
		rl.attrs = append(rl.attrs, attrs...)
	}
}

// recorder notes the status of an answer for its log line.
type recorder struct {
	http.ResponseWriter
	log *requestLog
}

func (rec *recorder) WriteHeader(status int) {
	rec.log.status = status
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// noteProblem records a problem's code, and the error behind a 5xx, on the
// request's recorder, wherever it is in w's chain of wrappers.
func noteProblem(w http.ResponseWriter, code string, err error) {
	for {
		switch v := w.(type) {
		case *recorder:
			if code != "" {
				v.log.code = code
			}
			if err != nil {
				v.log.err = err
			}
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return
		}
	}
}

// observe wraps the API and writes each request's line, if it is one to log.
func (s *Service) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rl := &requestLog{remote: s.clientAddress(r), status: http.StatusOK}
		h.ServeHTTP(&recorder{ResponseWriter: w, log: rl}, r.WithContext(context.WithValue(r.Context(), requestLogKey{}, rl)))
		s.logRequest(r, rl)
	})
}

func (s *Service) logRequest(r *http.Request, rl *requestLog) {
	route := r.Method + " " + r.URL.Path
	var level slog.Level
	var msg, event string
	switch {
	case rl.status >= 500:
		level, msg, event = slog.LevelError, "request failed", "server_error"
		rl.attrs = append(rl.attrs, slog.String("error", errText(rl.err)))
	case route == "POST /api/v1/session" && rl.status == http.StatusUnauthorized:
		level, msg, event = slog.LevelWarn, "sign-in failed", "sign_in_failed"
	case route == "POST /api/v1/session" && rl.status == http.StatusTooManyRequests:
		level, msg, event = slog.LevelWarn, "sign-in refused: too many failures", "sign_in_locked"
	case route == "POST /api/v1/password" && (rl.status == http.StatusUnauthorized || rl.status == http.StatusTooManyRequests):
		level, msg, event = slog.LevelWarn, "password change refused", "password_change_failed"
	case route == "POST /api/v1/seats" && strings.HasPrefix(r.Header.Get("Authorization"), "SeatKey ") &&
		(rl.status == http.StatusUnauthorized || rl.status == http.StatusForbidden):
		level, msg, event = slog.LevelWarn, "seat key refused", "seat_key_refused"
	default:
		return
	}
	attrs := append([]slog.Attr{slog.String("event", event), slog.String("remote", rl.remote),
		slog.String("route", r.Method+" "+excerpt(r.URL.Path, 200)), slog.Int("status", rl.status), slog.String("reason", rl.code)}, rl.attrs...)
	s.log.LogAttrs(r.Context(), level, msg, attrs...)
}

func errText(err error) string {
	if err == nil {
		return "unknown"
	}
	return excerpt(err.Error(), 500)
}

// event logs a security event the service itself sees, with the remote
// address of the request it serves, if any.
func (s *Service) event(ctx context.Context, msg, event string, attrs ...slog.Attr) {
	attrs = append([]slog.Attr{slog.String("event", event)}, attrs...)
	if rl := requestLogOf(ctx); rl != nil {
		attrs = append(attrs, slog.String("remote", rl.remote))
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
}

var userIDShape = regexp.MustCompile(`^(?i)U[0-9A-Z]{8}$`)

// loginAttr names a login in a log line: a user ID as it is (IDs are not
// secret), anything else (an email, or a password typed in the wrong
// field) by the first 16 hex digits of its SHA-256.
func loginAttr(login string) slog.Attr {
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
			slog.String("limit", "account"), loginAttr(limitLogin(key)))
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
