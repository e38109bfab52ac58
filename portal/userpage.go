package portal

import (
	"context"
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

// UsersPage lists the users whose email, name or ID contains q, any case
// and any accent ("élodie" finds "Élodie"), from offset, at most limit.
// The database matches and pages: a search costs its page, not the
// contract.
func (s *Service) UsersPage(ctx context.Context, admin *User, q string, offset, limit int) (*UserPage, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	if limit <= 0 || limit > maxUserPage {
		limit = defaultUserPage
	}
	offset = max(offset, 0)
	var users []*User
	var total int
	var err error
	if key := foldSearch(q); key == "" {
		users, total, err = s.store.ListUsersPage(ctx, admin.ContractID, offset, limit)
	} else {
		users, total, err = s.store.SearchUsersPage(ctx, admin.ContractID, key, offset, limit)
	}
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, Total: total, Offset: offset}, nil
}
