package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"

	"onramp.dev/onramp/portal"
)

// The lost-password page: GET /reset?t=TOKEN shows a form, which POSTs the
// token back in its body with the new password. The token is checked on
// both; only the POST that sets the password uses it up.

// resetPageHeaders are pageHeaders with the page's own form allowed.
func resetPageHeaders(w http.ResponseWriter) {
	pageHeaders(w)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

func (h *handler) handleResetPage(w http.ResponseWriter, r *http.Request) {
	resetPageHeaders(w)
	h.renderReset(w, r, r.URL.Query().Get("t"), "", http.StatusOK)
}

// renderReset shows the form for token, with an error when a POST was
// refused, or the bad-link page when the token does not work.
func (h *handler) renderReset(w http.ResponseWriter, r *http.Request, token, problem string, status int) {
	lang := pageLang(r)
	u, err := h.svc.ResetLinkUser(r.Context(), token)
	if err != nil {
		if !errors.Is(err, portal.ErrResetLinkInvalid) {
			h.log().Error("page failed", "event", "page", "page", "reset", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		// Unknown, expired, used or replaced: one answer for all, which
		// does not repeat the token.
		d := h.newPageData(r, lang, url.Values{})
		d.Title = d.T["resetBadTitle"]
		h.renderPage(w, http.StatusNotFound, "reset.html", d)
		return
	}
	d := h.newPageData(r, lang, url.Values{"t": {token}})
	d.Title, d.User, d.Token = d.T["resetTitle"], u, token
	if problem != "" {
		d.ResetError = d.T[problem]
	}
	h.renderPage(w, status, "reset.html", d)
}

func (h *handler) handleResetForm(w http.ResponseWriter, r *http.Request) {
	resetPageHeaders(w)
	lang := pageLang(r)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		http.Error(w, "send the form as application/x-www-form-urlencoded", http.StatusUnsupportedMediaType)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	token, next, confirm := r.PostForm.Get("t"), r.PostForm.Get("password"), r.PostForm.Get("confirm")
	if !sameOrigin(r, h.svc.PublicURL) {
		h.event(r, "password reset form refused: sent from another site", "password_reset_foreign")
		h.renderReset(w, r, token, "resetForeign", http.StatusForbidden)
		return
	}
	if next != confirm {
		h.renderReset(w, r, token, "resetMismatch", http.StatusUnprocessableEntity)
		return
	}
	if len(next) > maxPasswordBytes {
		h.renderReset(w, r, token, "resetWeak", http.StatusUnprocessableEntity)
		return
	}
	_, err := h.svc.ResetPassword(r.Context(), token, next)
	switch {
	case err == nil:
		d := h.newPageData(r, lang, url.Values{})
		d.Title, d.ResetDone = d.T["resetDoneTitle"], true
		h.renderPage(w, http.StatusOK, "reset.html", d)
	case errors.Is(err, portal.ErrResetLinkInvalid):
		h.renderReset(w, r, token, "", http.StatusNotFound)
	case errors.Is(err, portal.ErrPasswordTooCommon):
		h.renderReset(w, r, token, "resetCommon", http.StatusUnprocessableEntity)
	case errors.Is(err, portal.ErrPasswordRejected):
		h.renderReset(w, r, token, "resetRejected", http.StatusUnprocessableEntity)
	case errors.Is(err, portal.ErrWeakPassword):
		h.renderReset(w, r, token, "resetWeak", http.StatusUnprocessableEntity)
	default:
		h.log().Error("page failed", "event", "page", "page", "reset", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// sameOrigin reports whether a form POST comes from the service's own
// pages: a browser names the sending site in Sec-Fetch-Site, or else in
// Origin. A client that sends neither is no browser another site drives.
func sameOrigin(r *http.Request, publicURL string) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false
	}
	if p, err := url.Parse(publicURL); err == nil && p.Scheme == o.Scheme && p.Host == o.Host {
		return true
	}
	return o.Host == r.Host
}
