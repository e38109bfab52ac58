package portal

import (
	"net/http"
	"strings"

	"onramp.dev/onramp/api"
)

func (s *Service) handleEmailChange(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	var req api.EmailChange
	if !readJSON(w, r, &req) || !fieldsFit(w, field{api.FieldEmail, req.Email, maxLoginBytes}) {
		return
	}
	sent, err := s.RequestEmailChange(r.Context(), u, req.Email)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, sent)
}

func (s *Service) handleMe(w http.ResponseWriter, r *http.Request, u *User, t *Token) {
	me, err := s.WhoAmI(r.Context(), u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, me)
}

func (s *Service) handleProfile(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	var p api.ProfileUpdate
	if !readJSON(w, r, &p) {
		return
	}
	name, phone := u.Name, u.Phone
	if p.Name != nil {
		name = strings.TrimSpace(*p.Name)
	}
	if p.Phone != nil {
		phone = strings.TrimSpace(*p.Phone)
	}
	language := u.Language
	if p.Language != nil {
		language = strings.ToLower(strings.TrimSpace(*p.Language))
	}
	if err := checkProfile(name, phone); err != nil {
		writeError(w, err)
		return
	}
	if e := checkLanguage(api.FieldLanguage, language, true); e != nil {
		writeError(w, &InvalidError{Problems: []api.FieldError{*e}})
		return
	}
	if err := s.store.SetProfile(r.Context(), u.ID, name, phone); err != nil {
		writeError(w, err)
		return
	}
	if language != u.Language {
		if err := s.store.SetLanguage(r.Context(), u.ID, language); err != nil {
			writeError(w, err)
			return
		}
	}
	u.Name, u.Phone, u.Language = name, phone, language
	s.handleMe(w, r, u, nil)
}

func (s *Service) handleSupport(w http.ResponseWriter, r *http.Request, u *User, _ *Token) {
	sup, err := s.SupportFor(r.Context(), u)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sup)
}
