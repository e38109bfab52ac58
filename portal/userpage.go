package portal

import (
	"context"
	"strings"
)

// Bounds of a page of users: a window asks for a few hundred at a time,
// and a query longer than an email address finds nothing anyway.
const (
	defaultUserPage = 200
	maxUserPage     = 1000
	maxUserQuery    = 320
)

// UserPage is one page of a contract's users, by email.
type UserPage struct {
	Users  []*User `json:"users"`
	Total  int     `json:"total"` // users matching the query, all pages together
	Offset int     `json:"offset"`
}

// UsersPage lists the users whose email, name or ID contains q (any case),
// from offset, at most limit. Without q the store reads the page alone;
// with q the contract's list is read whole and matched here, in Go, so that
// case folds the same way on both engines ("élodie" finds "Élodie", which
// SQLite's lower() would not).
func (s *Service) UsersPage(ctx context.Context, admin *User, q string, offset, limit int) (*UserPage, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	if limit <= 0 || limit > maxUserPage {
		limit = defaultUserPage
	}
	offset = max(offset, 0)
	if q = strings.ToLower(strings.TrimSpace(q)); q == "" {
		users, total, err := s.store.ListUsersPage(ctx, admin.ContractID, offset, limit)
		if err != nil {
			return nil, err
		}
		return &UserPage{Users: users, Total: total, Offset: offset}, nil
	}
	users, err := s.Users(ctx, admin)
	if err != nil {
		return nil, err
	}
	kept := users[:0]
	for _, u := range users {
		if strings.Contains(strings.ToLower(u.Email), q) || strings.Contains(strings.ToLower(u.Name), q) || strings.Contains(strings.ToLower(u.ID), q) {
			kept = append(kept, u)
		}
	}
	users = kept
	page := &UserPage{Users: []*User{}, Total: len(users), Offset: offset}
	if offset < len(users) {
		page.Users = users[offset:min(offset+limit, len(users))]
	}
	return page, nil
}
