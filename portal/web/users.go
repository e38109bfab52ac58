package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

func (h *handler) handleUsers(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	if qs := r.URL.Query(); qs.Has("q") || qs.Has("offset") || qs.Has("limit") {
		// Paged: an object with the total, so that a window can draw the
		// first rows of a large contract at once.
		if !fieldsFit(w, field{api.FieldQuery, qs.Get("q"), portal.MaxUserQuery}) {
			return
		}
		offset, err1 := strconv.Atoi(orZero(qs.Get("offset")))
		limit, err2 := strconv.Atoi(orZero(qs.Get("limit")))
		if err1 != nil || err2 != nil || offset < 0 || limit < 0 || limit > portal.MaxUserPage {
			writeProblem(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("offset and limit are whole numbers, limit at most %d", portal.MaxUserPage))
			return
		}
		page, err := h.svc.UsersPage(r.Context(), u, qs.Get("q"), offset, limit)
		respond(w, http.StatusOK, page, err)
		return
	}
	users, err := h.svc.Users(r.Context(), u)
	respond(w, http.StatusOK, users, err)
}

func (h *handler) handleAddUser(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	var nu portal.NewUser
	if !readJSON(w, r, &nu) {
		return
	}
	ch, err := h.svc.AddUser(r.Context(), u, nu)
	respond(w, http.StatusCreated, ch, err)
}

func (h *handler) handleImport(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	changes, err := h.svc.ImportUsers(r.Context(), u, data, dry)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"dry_run": dry, "changes": changes})
}

func (h *handler) handleAssign(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	var a portal.Assignment
	if !readJSON(w, r, &a) {
		return
	}
	changes, err := h.svc.Assign(r.Context(), u, a)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": changes})
}

func (h *handler) handleRemoveUser(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	if err := h.svc.RemoveUser(r.Context(), u, r.PathValue("id")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (h *handler) handleStartEmail(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	// An empty body, as before the confirmation existed, confirms nothing.
	var req api.StartEmailRequest
	if r.ContentLength != 0 && !readJSON(w, r, &req) {
		return
	}
	sent, err := h.svc.SendStartEmail(r.Context(), u, r.PathValue("id"), req.EndSessions)
	respond(w, http.StatusAccepted, sent, err)
}

func (h *handler) handleUpdateUser(w http.ResponseWriter, r *http.Request, u *portal.User, _ *portal.Token) {
	var req api.UserUpdate
	if !readJSON(w, r, &req) {
		return
	}
	if req.Email != nil && !fieldsFit(w, field{api.FieldEmail, *req.Email, portal.MaxEmailBytes}) {
		return
	}
	res, err := h.svc.UpdateUser(r.Context(), u, r.PathValue("id"), req)
	respond(w, http.StatusOK, res, err)
}
