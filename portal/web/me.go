package web

import (
	"net/http"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

func (h *handler) handleEmailChange(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	var req api.EmailChange
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldEmail, req.Email, maxLoginBytes}) {
		return
	}
	sent, err := h.svc.RequestEmailChange(r.Context(), u, req.Email)
	respond(w, http.StatusAccepted, sent, err)
}

func (h *handler) handleMe(w http.ResponseWriter, r *http.Request, u *portal.User, t *portal.Token) {
	me, err := h.svc.WhoAmI(r.Context(), u)
	respond(w, http.StatusOK, me, err)
}

func (h *handler) handleProfile(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	var p api.ProfileUpdate
	if !readJSON(w, r, &p) {
		return
	}
	if err := h.svc.UpdateProfile(r.Context(), u, p); err != nil {
		writeError(w, err)
		return
	}
	h.handleMe(w, r, u, nil)
}

func (h *handler) handleSupport(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	sup, err := h.svc.SupportFor(r.Context(), u)
	respond(w, http.StatusOK, sup, err)
}
