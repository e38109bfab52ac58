package portal

import (
	"context"
)

// Bounds of a page of users: a window asks for a few hundred at a time,
// and a query longer than an email address finds nothing anyway.
const (
	defaultUserPage = 200
	MaxUserPage     = 1000
	MaxUserQuery    = 320
)

// UserPage is one page of a contract's users, by email.
type UserPage struct {
	Users  []*User `json:"users"`
	Total  int     `json:"total"` // users matching the query, all pages together
	Offset int     `json:"offset"`
}

// UsersPage lists the users with, for each word of q, a word of their
// name, email or ID that it begins, in any case and with any accents
// ("élodie" finds "Élodie", "helene dup" "Hélène Dupré", "user24"
// "user249@example.com"), from offset, at most limit. The database
// matches and pages, through an index: a search costs its matches, not
// the contract.
func (s *Service) UsersPage(ctx context.Context, admin *User, q string, offset, limit int) (*UserPage, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	if limit <= 0 || limit > MaxUserPage {
		limit = defaultUserPage
	}
	offset = max(offset, 0)
	var users []*User
	var total int
	var err error
	if words := searchWords(q); len(words) == 0 {
		users, total, err = s.store.ListUsersPage(ctx, admin.ContractID, offset, limit)
	} else {
		users, total, err = s.store.SearchUsersPage(ctx, admin.ContractID, words, offset, limit)
	}
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, Total: total, Offset: offset}, nil
}
