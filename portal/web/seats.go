package web

import (
	"net/http"
	"strings"

	"onramp.dev/onramp/portal"
)

// handleSeat registers a machine with a deployment's seat key
// ("Authorization: SeatKey KEY"). A signed-in user cannot take seats: one
// could take them all with made-up machines; admins release seats.
func (h *handler) handleSeat(w http.ResponseWriter, r *http.Request) {
	key, withKey := strings.CutPrefix(r.Header.Get("Authorization"), "SeatKey ")
	register := func(w http.ResponseWriter, r *http.Request) {
		var req portal.SeatRegistration
		if !readJSON(w, r, &req) {
			return
		}
		used, limit, err := h.svc.RegisterSeatWithKey(r.Context(), key, req)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"product": req.Product, "seats_used": used, "seats": limit})
	}
	switch {
	case withKey:
		register(w, r)
	case strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
		writeError(w, portal.ErrSeatKeyRequired)
	default:
		w.Header().Set("WWW-Authenticate", `SeatKey realm="onramp"`)
		writeProblem(w, http.StatusUnauthorized, "unauthenticated", portal.ErrSeatKeyRequired.Error())
	}
}

func (h *handler) handleSeatKey(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	var req struct {
		Products []string `json:"products"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	key, k, err := h.svc.CreateSeatKey(r.Context(), u, req.Products)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": key, "products": k.Products, "expires": k.Expires})
}

// seatRoutes are the admin routes of seats and seat keys.
func (h *handler) seatRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/seats", h.authed(func(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
		seats, err := h.svc.Seats(r.Context(), u)
		respond(w, http.StatusOK, seats, err)
	}, false))
	mux.HandleFunc("DELETE /api/v1/seats/{id}", h.authed(func(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
		if err := h.svc.ReleaseSeat(r.Context(), u, r.PathValue("id")); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}, false))
	mux.HandleFunc("GET /api/v1/seat-keys", h.authed(func(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
		keys, err := h.svc.SeatKeys(r.Context(), u)
		respond(w, http.StatusOK, keys, err)
	}, false))
	mux.HandleFunc("DELETE /api/v1/seat-keys/{id}", h.authed(func(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
		if err := h.svc.RevokeSeatKey(r.Context(), u, r.PathValue("id")); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}, false))
}
