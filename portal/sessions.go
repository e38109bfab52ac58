package portal

import "net/http"

// handleSignOutEverywhere ends every sign-in of the user, this one
// included.
func (s *Service) handleSignOutEverywhere(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	if err := s.SignOutEverywhere(r.Context(), u); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
