package web

import (
	"net/http"

	"onramp.dev/onramp/portal"
)

func (h *handler) handleCallers(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	ids, limit, err := h.svc.Callers(r.Context(), u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"callers": ids, "cap": limit})
}

func (h *handler) handleSetCaller(designate bool) func(http.ResponseWriter, *http.Request, *portal.User, *portal.Token) {
	return func(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
		if err := h.svc.SetCaller(r.Context(), u, r.PathValue("id"), designate); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
