package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"onramp.dev/onramp/internal/clip"
	"onramp.dev/onramp/portal"
)

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
func (h *handler) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rl := &requestLog{remote: h.clientAddress(r), status: http.StatusOK}
		ctx := portal.WithRemote(context.WithValue(r.Context(), requestLogKey{}, rl), rl.remote)
		next.ServeHTTP(&recorder{ResponseWriter: w, log: rl}, r.WithContext(ctx))
		h.logRequest(r, rl)
	})
}

// log is the service's logger, which the request lines share.
func (h *handler) log() *slog.Logger { return h.svc.Logger() }

// event logs a security event the HTTP layer sees, as the service logs
// its own: with the client's address.
func (h *handler) event(r *http.Request, msg, event string) {
	attrs := []slog.Attr{slog.String("event", event)}
	if rl := requestLogOf(r.Context()); rl != nil {
		attrs = append(attrs, slog.String("remote", rl.remote))
	}
	h.log().LogAttrs(r.Context(), slog.LevelWarn, msg, attrs...)
}

func (h *handler) logRequest(r *http.Request, rl *requestLog) {
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
		slog.String("route", r.Method+" "+clip.Text(r.URL.Path, 200)), slog.Int("status", rl.status), slog.String("reason", rl.code)}, rl.attrs...)
	h.log().LogAttrs(r.Context(), level, msg, attrs...)
}

func errText(err error) string {
	if err == nil {
		return "unknown"
	}
	return clip.Text(err.Error(), 500)
}
