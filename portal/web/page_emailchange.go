package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"

	"onramp.dev/onramp/portal"
)

func (h *handler) handleEmailChangePage(w http.ResponseWriter, r *http.Request) {
	resetPageHeaders(w)
	h.renderEmailChange(w, r, r.URL.Query().Get("t"), "", http.StatusOK)
}

// renderEmailChange shows what the link changes, with its form, or why it
// does not work.
func (h *handler) renderEmailChange(w http.ResponseWriter, r *http.Request, token, problem string, status int) {
	lang := pageLang(r)
	d := h.newPageData(r, lang, url.Values{})
	d.Title = d.T["emailBadTitle"]
	id, email, err := h.svc.PendingEmailChange(r.Context(), token)
	if errors.Is(err, portal.ErrNotFound) {
		h.renderPage(w, http.StatusNotFound, "emailchange.html", d)
		return
	}
	if err != nil {
		h.log().Error("page failed", "event", "page", "page", "email-change", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	d = h.newPageData(r, lang, url.Values{"t": {token}})
	d.Title, d.User, d.Token, d.NewEmail = d.T["emailTitle"], &portal.User{ID: id}, token, email
	if problem != "" {
		d.ResetError = d.T[problem]
	}
	h.renderPage(w, status, "emailchange.html", d)
}

func (h *handler) handleEmailChangeForm(w http.ResponseWriter, r *http.Request) {
	resetPageHeaders(w)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		http.Error(w, "send the form as application/x-www-form-urlencoded", http.StatusUnsupportedMediaType)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	token := r.PostForm.Get("t")
	if !sameOrigin(r, h.svc.PublicURL) {
		h.renderEmailChange(w, r, token, "resetForeign", http.StatusForbidden)
		return
	}
	u, err := h.svc.ConfirmEmailChange(r.Context(), token)
	switch {
	case err == nil:
		d := h.newPageData(r, pageLang(r), url.Values{})
		d.Title, d.ResetDone, d.NewEmail, d.User = d.T["emailDoneTitle"], true, u.Email, u
		h.renderPage(w, http.StatusOK, "emailchange.html", d)
	case errors.Is(err, portal.ErrEmailChangeLinkInvalid):
		h.renderEmailChange(w, r, "", "", http.StatusNotFound)
	case errors.Is(err, portal.ErrEmailTaken):
		h.renderEmailChange(w, r, token, "emailTaken", http.StatusConflict)
	default:
		h.log().Error("page failed", "event", "page", "page", "email-change", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
