package web

import (
	"fmt"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/clip"
	"onramp.dev/onramp/portal"

	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Code is a stable name for the problem that clients branch on.
	Code       string            `json:"code"`
	RetryAfter int               `json:"retry_after,omitempty"`
	Rows       []portal.RowError `json:"rows,omitempty"` // an import's bad lines
	Ends       *time.Time        `json:"ends,omitempty"` // contract_ended: the end date
	// Ask is who can send a new start email (temporary_password_*):
	// "support" for a contract manager, else "admin".
	Ask string `json:"ask,omitempty"`
	// Fields are the values refused, by field (invalid, too_long): the
	// first portal.MaxReportedFields; MoreFields counts the others.
	Fields     []api.FieldError `json:"fields,omitempty"`
	MoreFields int              `json:"more_fields,omitempty"`
}

// handler is the service over HTTP: it decodes requests, calls the
// service and writes its answers and errors as JSON and problem documents,
// or renders the web pages. Business rules stay in Service.
type handler struct {
	svc *portal.Service
}

// NewHandler serves svc's API under /api/v1, its web pages, and the
// packages of packages.
func NewHandler(svc *portal.Service, packages portal.PackageSource) http.Handler {
	h := &handler{svc: svc}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/session", h.handleSignIn)
	mux.HandleFunc("POST /api/v1/session/refresh", h.handleRefresh)
	mux.HandleFunc("DELETE /api/v1/session", h.authed(h.handleSignOut, true))
	mux.HandleFunc("DELETE /api/v1/sessions", h.authed(h.handleSignOutEverywhere, true))
	mux.HandleFunc("POST /api/v1/password", h.authed(h.handlePassword, true))
	mux.HandleFunc("POST /api/v1/password-resets", h.handlePasswordReset)
	mux.HandleFunc("GET /api/v1/me", h.authed(h.handleMe, false))
	mux.HandleFunc("GET /api/v1/catalog", h.handleCatalog)
	mux.HandleFunc("GET /api/v1/packages/{name}", h.authed(func(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
		h.handlePackage(w, r, u, packages)
	}, false))
	mux.HandleFunc("GET /api/v1/users", h.authed(h.handleUsers, false))
	mux.HandleFunc("POST /api/v1/users", h.authed(h.handleAddUser, false))
	mux.HandleFunc("POST /api/v1/users/import", h.authed(h.handleImport, false))
	mux.HandleFunc("POST /api/v1/users/assign", h.authed(h.handleAssign, false))
	mux.HandleFunc("DELETE /api/v1/users/{id}", h.authed(h.handleRemoveUser, false))
	mux.HandleFunc("PATCH /api/v1/users/{id}", h.authed(h.handleUpdateUser, false))
	mux.HandleFunc("POST /api/v1/users/{id}/start-email", h.authed(h.handleStartEmail, false))
	mux.HandleFunc("GET /api/v1/callers", h.authed(h.handleCallers, false))
	mux.HandleFunc("PUT /api/v1/callers/{id}", h.authed(h.handleSetCaller(true), false))
	mux.HandleFunc("DELETE /api/v1/callers/{id}", h.authed(h.handleSetCaller(false), false))
	mux.HandleFunc("PATCH /api/v1/me", h.authed(h.handleProfile, false))
	mux.HandleFunc("POST /api/v1/me/email", h.authed(h.handleEmailChange, false))
	mux.HandleFunc("GET /api/v1/support", h.authed(h.handleSupport, false))
	mux.HandleFunc("GET /api/v1/faq", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, portal.FAQs) })
	mux.HandleFunc("POST /api/v1/seats", h.handleSeat)
	mux.HandleFunc("POST /api/v1/seat-keys", h.authed(h.handleSeatKey, false))
	h.seatRoutes(mux)
	h.healthRoutes(mux)
	h.pageRoutes(mux)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+clip.Text(r.URL.Path, 200)+"; allowed: "+strings.Join(allow, ", "))
			return
		}
		writeProblem(w, http.StatusNotFound, "not_found", "no such route: "+clip.Text(r.Method, 20)+" "+clip.Text(r.URL.Path, 200))
	})
	return h.observe(secureHeaders(limitBodies(mux)))
}

// allowedMethods are the methods the routes of r's path take, when the
// catch-all pattern got r: a known path asked with another method is 405
// with Allow, not 404.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/v1/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// secureHeaders sets what every answer carries: browsers must not guess a
// type other than the one sent, nor keep answers that hold tokens or
// people's data (the routes that may be cached say so themselves), and a
// browser that reached the service over TLS keeps to TLS.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	writeFieldProblem(w, status, code, detail, nil)
}

// writeFieldProblem answers a problem that names the fields refused.
func writeFieldProblem(w http.ResponseWriter, status int, code, detail string, fields []api.FieldError) {
	writeFieldsProblem(w, status, code, detail, fields, 0)
}

// writeFieldsProblem is writeFieldProblem for a list already cut, more
// values left out.
func writeFieldsProblem(w http.ResponseWriter, status int, code, detail string, fields []api.FieldError, more int) {
	noteProblem(w, code, nil)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	shown, left := reportedFields(fields)
	json.NewEncoder(w).Encode(Problem{Type: "https://onramp.dev/problems/" + code, Title: http.StatusText(status), Status: status,
		Detail: clip.Text(detail, maxDetailBytes), Code: code, Fields: shown, MoreFields: more + left})
}

// reportedFields are the first portal.MaxReportedFields refused values, each
// text shortened, and how many were left out.
func reportedFields(fields []api.FieldError) ([]api.FieldError, int) {
	if len(fields) == 0 {
		return nil, 0
	}
	out := make([]api.FieldError, 0, min(len(fields), portal.MaxReportedFields))
	for _, f := range fields[:min(len(fields), portal.MaxReportedFields)] {
		f.Field, f.Code = clip.Text(f.Field, 60), clip.Text(f.Code, 60)
		f.Reason, f.Value = clip.Text(f.Reason, portal.MaxReasonBytes), clip.Text(f.Value, 60)
		out = append(out, f)
	}
	return out, len(fields) - len(out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// respond ends a handler that called the service once: v with status, or
// err as a problem.
func respond(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, status, v)
}

// readJSON decodes a request body strictly: unknown fields are refused,
// and so is a body not declared as JSON (415): a web page may send a
// text/plain form to any site without asking, so a route that took one
// would let any page spend a sign-in's attempts from its visitors' browsers.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the request body as JSON, with Content-Type: application/json")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeBodyError(w, err)
		return false
	}
	return true
}

// writeError maps the service's errors to problems.
func writeError(w http.ResponseWriter, err error) {
	var rl *portal.RateLimitError
	var inv *portal.InvalidError
	var ie *portal.ImportError
	var ce *portal.ContractEndedError
	var tp *portal.TemporaryPasswordError
	switch {
	case errors.As(err, &ce):
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(Problem{Type: "https://onramp.dev/problems/contract_ended", Title: "Forbidden",
			Status: http.StatusForbidden, Detail: err.Error(), Code: "contract_ended", Ends: &ce.Ends})
	case errors.As(err, &rl):
		secs := int(rl.RetryAfter.Seconds()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		noteProblem(w, "rate_limited", nil)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		json.NewEncoder(w).Encode(Problem{Type: "https://onramp.dev/problems/rate_limited", Title: "Too Many Requests",
			Status: http.StatusTooManyRequests, Detail: err.Error(), Code: "rate_limited", RetryAfter: secs})
	case errors.As(err, &tp):
		code := "temporary_password_expired"
		if errors.Is(err, portal.ErrTemporaryPasswordUsed) {
			code = "temporary_password_used"
		}
		noteProblem(w, code, nil)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(Problem{Type: "https://onramp.dev/problems/" + code, Title: "Unauthorized",
			Status: http.StatusUnauthorized, Detail: err.Error(), Code: code, Ask: tp.Ask()})
	case errors.Is(err, portal.ErrEndsSessions):
		writeProblem(w, http.StatusConflict, "end_sessions_required", err.Error())
	case errors.Is(err, portal.ErrBadCredentials):
		writeProblem(w, http.StatusUnauthorized, "bad_credentials", err.Error())
	case errors.Is(err, portal.ErrSessionExpired), errors.Is(err, portal.ErrTokenReuse):
		writeProblem(w, http.StatusUnauthorized, "session_expired", err.Error())
	case errors.Is(err, portal.ErrPasswordChange):
		writeProblem(w, http.StatusForbidden, "password_change_required", err.Error())
	case errors.Is(err, portal.ErrPasswordTooCommon):
		writeProblem(w, http.StatusUnprocessableEntity, "password_too_common", err.Error())
	case errors.Is(err, portal.ErrPasswordRejected):
		writeProblem(w, http.StatusUnprocessableEntity, "password_rejected", err.Error())
	case errors.Is(err, portal.ErrWeakPassword):
		writeProblem(w, http.StatusUnprocessableEntity, "weak_password", err.Error())
	case errors.Is(err, portal.ErrSeatKeyRequired):
		writeProblem(w, http.StatusForbidden, "seat_key_required", err.Error())
	case errors.Is(err, portal.ErrInstallNotAllowed):
		writeProblem(w, http.StatusForbidden, api.ProblemInstallNotAllowed, err.Error())
	case errors.Is(err, portal.ErrManagerProtected):
		writeProblem(w, http.StatusForbidden, "manager_protected", err.Error())
	case errors.Is(err, portal.ErrNotMember):
		writeProblem(w, http.StatusForbidden, api.ProblemNotMember, err.Error())
	case errors.Is(err, portal.ErrNotAdmin), errors.Is(err, portal.ErrNotEntitledToPkg), errors.Is(err, portal.ErrForbidden):
		writeProblem(w, http.StatusForbidden, "forbidden", err.Error())
	case errors.As(err, &ie):
		status, code := importProblem(ie)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(Problem{Type: "https://onramp.dev/problems/" + code, Title: http.StatusText(status),
			Status: status, Detail: importDetail(ie.Rows), Code: code, Rows: reportedRows(ie.Rows)})
	case errors.Is(err, portal.ErrCallerCap):
		writeProblem(w, http.StatusConflict, "caller_cap", err.Error())
	case errors.Is(err, portal.ErrNoSeats):
		writeProblem(w, http.StatusConflict, "no_seats", err.Error())
	case errors.Is(err, portal.ErrNotStarted):
		writeProblem(w, http.StatusConflict, "not_started", err.Error())
	case errors.As(err, &inv):
		writeFieldsProblem(w, http.StatusUnprocessableEntity, "invalid", err.Error(), inv.Problems, inv.More)
	case errors.Is(err, portal.ErrNotFound):
		writeProblem(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, portal.ErrEmailTaken):
		writeProblem(w, http.StatusConflict, "email_taken", err.Error())
	case errors.Is(err, portal.ErrConflict):
		writeProblem(w, http.StatusConflict, "conflict", err.Error())
	default:
		// Internal details stay in the server's log, not in the answer.
		noteProblem(w, "internal", err)
		writeProblem(w, http.StatusInternalServerError, "internal", "the account service failed; try again later")
	}
}

// authed resolves the bearer token. Until the temporary password is
// changed, only the password change (and sign-out) are allowed.
func (h *handler) authed(next func(http.ResponseWriter, *http.Request, *portal.User, *portal.Token), allowPasswordChange bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onramp"`)
			writeProblem(w, http.StatusUnauthorized, "unauthenticated", "sign in first")
			return
		}
		u, t, err := h.svc.Authenticate(r.Context(), token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="onramp", error="invalid_token"`)
			writeError(w, err)
			return
		}
		if u.MustChangePassword && !allowPasswordChange {
			writeError(w, portal.ErrPasswordChange)
			return
		}
		// The membership the request acts on: handlers see the person on
		// that contract, as if it were their only one.
		if u, err = h.svc.MemberFor(r.Context(), u, r.Header.Get(api.ContractHeader)); err != nil {
			writeError(w, err)
			return
		}
		// The request's log line says whose and on which contract: a
		// download counts against the contract it was made for.
		annotate(r, slog.String("user_id", u.ID), slog.String("contract_id", u.ContractID))
		next(w, r, u, t)
	}
}

// maxReportedRows bounds an import's error answer.
const maxReportedRows = 100

// reportedRows are the first maxReportedRows bad lines, each reason
// shortened to portal.MaxReasonBytes.
func reportedRows(rows []portal.RowError) []portal.RowError {
	out := make([]portal.RowError, 0, min(len(rows), maxReportedRows))
	for _, r := range rows[:min(len(rows), maxReportedRows)] {
		r.Reason = clip.Text(r.Reason, portal.MaxReasonBytes)
		out = append(out, r)
	}
	return out
}

func importDetail(rows []portal.RowError) string {
	if len(rows) > maxReportedRows {
		return fmt.Sprintf("%d bad line(s), nothing imported; the first %d are listed, and %d more", len(rows), maxReportedRows, len(rows)-maxReportedRows)
	}
	return fmt.Sprintf("%d bad line(s), nothing imported", len(rows))
}

// maxDetailBytes bounds a problem's detail, which may quote what the
// client sent.
const maxDetailBytes = 512

// importProblem is the status and code of a refused import: when every
// bad line has the same problem of authority or conflict, that problem
// (403 manager_protected, 409 email_taken); 422 bad_rows otherwise.
func importProblem(ie *portal.ImportError) (int, string) {
	statuses := map[string]int{"email_taken": 409, "manager_protected": 403}
	if len(ie.Rows) == 0 || statuses[ie.Rows[0].Code] == 0 {
		return 422, "bad_rows"
	}
	for _, r := range ie.Rows {
		if r.Code != ie.Rows[0].Code {
			return 422, "bad_rows"
		}
	}
	return statuses[ie.Rows[0].Code], ie.Rows[0].Code
}
