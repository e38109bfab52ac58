package portal

import "net/http"

func (s *Service) handleCallers(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	ids, limit, err := s.Callers(r.Context(), u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"callers": ids, "cap": limit})
}

func (s *Service) handleSetCaller(designate bool) func(http.ResponseWriter, *http.Request, *User, *Token) {
	return func(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
		if err := s.SetCaller(r.Context(), u, r.PathValue("id"), designate); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
