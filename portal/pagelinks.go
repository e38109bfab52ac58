package portal

import (
	"context"
	"strings"
)

// Purposes of page tokens: a token opens one kind of page only.
const purposeStart = "start"

// startLink makes the link of u's start email: PublicURL/start?t=TOKEN,
// with a random token stored hashed, that expires with the temporary
// password (or after pageTokenTTL when there is none).
func (s *Service) startLink(u *User) (string, *pageLink) {
	token, hash := newToken()
	expires := u.tempExpires
	if expires.IsZero() {
		expires = s.now().UTC().Add(pageTokenTTL)
	}
	return s.PublicURL + "/start?t=" + token, &pageLink{hash: hash, userID: u.ID, contractID: u.ContractID, purpose: purposeStart, expires: expires}
}

// tokenLen is the length of newToken's tokens: 32 bytes in base64url.
const tokenLen = 43

// StartPage is what the link of a start email opens.
type StartPage struct {
	User     *User
	Contract *Contract
	Language string // of the person's emails: their own, else their contract's
}

// StartPage resolves the token of a start email's link; ErrNotFound for
// any token that does not open the page, whatever the reason, so that the
// page says nothing about which IDs exist.
func (s *Service) StartPage(ctx context.Context, token string) (*StartPage, error) {
	u, c, err := s.pageUser(ctx, token, purposeStart)
	if err != nil {
		return nil, err
	}
	return &StartPage{User: u, Contract: c, Language: userLanguage(u, c)}, nil
}

// pageUser resolves a page token to its user; ErrNotFound for any token
// that does not open this page, whatever the reason.
func (s *Service) pageUser(ctx context.Context, token, purpose string) (*User, *Contract, error) {
	if len(token) != tokenLen || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return nil, nil, ErrNotFound
	}
	id, contractID, err := s.store.pageTokenUser(ctx, hashToken(token), purpose, s.now())
	if err != nil {
		return nil, nil, err
	}
	// The page is about the contract the email was: a person taken off it
	// since finds the link no longer works.
	var u *User
	if contractID == "" {
		u, err = s.store.User(ctx, id)
	} else {
		u, err = s.store.Member(ctx, id, contractID)
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.Contract(ctx, u.ContractID)
	if err != nil {
		return nil, nil, err
	}
	return u, c, nil
}
