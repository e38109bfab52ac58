package web

import (
	"net/http"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

func (h *handler) handlePassword(w http.ResponseWriter, r *http.Request, u *portal.User, t *portal.Token) {
	var req api.PasswordChange
	if !readJSON(w, r, &req) {
		return
	}
	if err := h.svc.ChangePassword(r.Context(), u, req.Current, req.New, h.clientAddress(r)); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) handlePasswordReset(w http.ResponseWriter, r *http.Request) {
	var req api.PasswordResetRequest
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldLogin, req.Login, maxLoginBytes}) {
		return
	}
	annotate(r, portal.LoginAttr(req.Login))
	if err := h.svc.RequestPasswordReset(r.Context(), req.Login, h.clientAddress(r)); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, api.PasswordResetAccepted{Message: portal.PasswordResetAnswer})
}
