package portal

import (
	"net/http"

	"onramp.dev/onramp/api"
)

// handleSignOutEverywhere ends every sign-in of the user, this one
// included.
func (s *Service) handleSignOutEverywhere(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	if err := s.SignOutEverywhere(r.Context(), u); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req api.SignIn
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldLogin, req.Login, maxLoginBytes}, field{api.FieldPassword, req.Password, maxPasswordBytes}) {
		return
	}
	annotate(r, loginAttr(req.Login))
	sess, err := s.SignIn(r.Context(), req.Login, req.Password, s.clientAddress(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

func (s *Service) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var req api.Refresh
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldRefreshToken, req.RefreshToken, maxTokenBytes}) {
		return
	}
	sess, err := s.Refresh(r.Context(), req.RefreshToken)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

func (s *Service) handleSignOut(w http.ResponseWriter, r *http.Request, u *User, t *Token) {
	if err := s.SignOut(r.Context(), t); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
