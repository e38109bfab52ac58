package portal

import (
	"net/http"
	"strings"

	"onramp.dev/onramp/api"
)

func (h *handler) handleEmailChange(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	var req api.EmailChange
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldEmail, req.Email, maxLoginBytes}) {
		return
	}
	sent, err := h.svc.RequestEmailChange(r.Context(), u, req.Email)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, sent)
}

func (h *handler) handleMe(w http.ResponseWriter, r *http.Request, u *User, t *Token) {
	me, err := h.svc.WhoAmI(r.Context(), u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, me)
}

func (h *handler) handleProfile(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	var p api.ProfileUpdate
	if !readJSON(w, r, &p) {
		return
	}
	name, phone := u.Name, u.Phone
	if p.Name != nil {
		name = strings.TrimSpace(*p.Name)
	}
	if p.Phone != nil {
		phone = strings.TrimSpace(*p.Phone)
	}
	language := u.Language
	if p.Language != nil {
		language = strings.ToLower(strings.TrimSpace(*p.Language))
	}
	if err := checkProfile(name, phone); err != nil {
		writeError(w, err)
		return
	}
	if e := checkLanguage(api.FieldLanguage, language, true); e != nil {
		writeError(w, &InvalidError{Problems: []api.FieldError{*e}})
		return
	}
	if err := h.svc.store.SetProfile(r.Context(), u.ID, name, phone); err != nil {
		writeError(w, err)
		return
	}
	if language != u.Language {
		if err := h.svc.store.SetLanguage(r.Context(), u.ID, language); err != nil {
			writeError(w, err)
			return
		}
	}
	u.Name, u.Phone, u.Language = name, phone, language
	h.handleMe(w, r, u, nil)
}

func (h *handler) handleSupport(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	sup, err := h.svc.SupportFor(r.Context(), u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sup)
}
