package web

import (
	"net/http"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// handleSignOutEverywhere ends every sign-in of the user, this one
// included.
func (h *handler) handleSignOutEverywhere(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	if err := h.svc.SignOutEverywhere(r.Context(), u); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req api.SignIn
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldLogin, req.Login, maxLoginBytes}, field{api.FieldPassword, req.Password, maxPasswordBytes}) {
		return
	}
	annotate(r, portal.LoginAttr(req.Login))
	sess, err := h.svc.SignIn(r.Context(), req.Login, req.Password, h.clientAddress(r))
	respond(w, http.StatusOK, sess, err)
}

func (h *handler) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var req api.Refresh
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldRefreshToken, req.RefreshToken, maxTokenBytes}) {
		return
	}
	sess, err := h.svc.Refresh(r.Context(), req.RefreshToken)
	respond(w, http.StatusOK, sess, err)
}

func (h *handler) handleSignOut(w http.ResponseWriter, r *http.Request, u *portal.User, t *portal.Token) {
	if err := h.svc.SignOut(r.Context(), t); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
