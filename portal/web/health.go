package web

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the database check of /readyz: a load balancer's
// probe must get an answer before its own timeout.
const readyTimeout = 2 * time.Second

// healthRoutes serves what a load balancer probes, outside the API:
// /healthz answers while the process runs; /readyz only while the
// database answers too, so that a replica whose database is unreachable is
// taken out of rotation (and an operator can drain one by stopping it).
func (h *handler) healthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := h.svc.Ready(ctx); err != nil {
			h.log().Error("readiness check failed", "event", "readyz", "error", err)
			writeProblem(w, http.StatusServiceUnavailable, "database_unavailable", "the database does not answer")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
