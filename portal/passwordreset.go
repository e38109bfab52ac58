package portal

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Lost passwords: a person asks (POST /api/v1/password-resets, from the
// window or `assistant password reset`) and the service emails a link,
// PublicURL/reset?t=TOKEN, to the account's address. The link opens a
// page where they choose a new password; it works once, for
// PasswordResetTTL, and only the newest link of an account works. Setting
// the password ends every session of the account and any temporary
// password. Only the token's hash is stored.
//
// The request's answer is the same whether or not the account exists, and
// takes the same time: the lookup and the email are made after the answer
// (resetJobs), so that neither the words nor the timing tell which IDs or
// addresses have an account.

// PasswordResetTTL is how long a lost-password link works.
const PasswordResetTTL = 30 * time.Minute

// Limits on lost-password requests: per account, so that nobody fills a
// mailbox with links, and per client address. Every request counts, not
// only failures.
const (
	resetAccountRequests = 3
	resetAccountWindow   = time.Hour
	resetAddressRequests = 20
	resetAddressWindow   = time.Hour
	// maxResetJobs bounds the requests worked on after their answer; past
	// it, a request is worked on before it is answered.
	maxResetJobs = 32
)

// PasswordResetAnswer is what every accepted request is told.
const PasswordResetAnswer = "If an account has this user ID or email address, an email with a link to choose a new password is on its way to it. The link works once, for 30 minutes."

// ErrResetLinkInvalid: a lost-password link that is unknown, expired,
// used, or replaced by a newer one. One error for all, so that a page
// says nothing about which.
var ErrResetLinkInvalid = errors.New("this link to choose a new password does not work: it has expired, was used, or a newer one was sent")

// resetState is the service's part of lost-password requests.
type resetState struct {
	accountLimit, addressLimit *limiter
	slots                      chan struct{}
	jobs                       sync.WaitGroup // requests being worked on after their answer
}

func (s *Service) initResets() {
	s.resets = &resetState{
		accountLimit: newLimiter(resetAccountRequests, resetAccountWindow),
		addressLimit: newLimiter(resetAddressRequests, resetAddressWindow),
		slots:        make(chan struct{}, maxResetJobs),
	}
	if s.store.sharesLimits() {
		s.resets.accountLimit.shared = &sharedLimiter{store: s.store, scope: "reset_account"}
		s.resets.addressLimit.shared = &sharedLimiter{store: s.store, scope: "reset_address"}
	}
}

// RequestPasswordReset takes a lost-password request for login (a user ID
// or an email) from the client at address. It refuses only a client over
// its limit (RateLimitError); otherwise the caller answers
// PasswordResetAnswer, and the email, if there is an account, follows.
func (s *Service) RequestPasswordReset(ctx context.Context, login, address string) error {
	now := s.now()
	a, wait := s.resets.addressLimit.take(ctx, address, now)
	if a == nil {
		s.event(ctx, "password reset refused: too many requests from this address", "password_reset_limited", slog.String("limit", "address"))
		return &RateLimitError{RetryAfter: wait, What: "too many lost-password requests from this address"}
	}
	a.failed(ctx)
	work := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		s.sendPasswordReset(ctx, login, now)
	}
	select {
	case s.resets.slots <- struct{}{}:
		s.resets.jobs.Add(1)
		go func() {
			defer s.resets.jobs.Done()
			defer func() { <-s.resets.slots }()
			work()
		}()
	default:
		work()
	}
	return nil
}

// WaitPasswordResets waits for the lost-password requests already
// answered to be worked on: their emails are then in the outbox.
func (s *Service) WaitPasswordResets() { s.resets.jobs.Wait() }

// sendPasswordReset finds the account and queues its email. What happens
// is logged, never told to the requester.
func (s *Service) sendPasswordReset(ctx context.Context, login string, now time.Time) {
	var u *User
	if n, ok := normalizeLogin(login); ok {
		found, err := s.store.UserByLogin(ctx, n)
		if err != nil && !errors.Is(err, ErrNotFound) {
			s.log.Error("password reset failed", "event", "password_reset", "error", err)
			return
		}
		u = found
	}
	if u == nil {
		s.event(ctx, "password reset asked for no account", "password_reset_unknown", LoginAttr(login))
		return
	}
	// Before its contract starts, an account has nothing to sign in to,
	// and the start gives it a new temporary password anyway.
	if c, err := s.store.Contract(ctx, u.ContractID); err != nil || c.Started == nil {
		s.event(ctx, "password reset refused: the contract has not started", "password_reset_not_started",
			slog.String("user_id", u.ID), slog.String("contract_id", u.ContractID))
		return
	}
	acct, _ := s.resets.accountLimit.take(ctx, "user:"+u.ID, now)
	if acct == nil {
		s.event(ctx, "password reset refused: too many requests for the account", "password_reset_limited",
			slog.String("limit", "account"), slog.String("user_id", u.ID))
		return
	}
	acct.failed(ctx)
	token, hash := newToken()
	expires := now.UTC().Add(PasswordResetTTL)
	e, err := s.passwordResetEmail(ctx, *u, s.PublicURL+"/reset?t="+token, expires)
	if err == nil {
		err = s.store.savePasswordReset(ctx, passwordReset{hash: hash, userID: u.ID, created: now.UTC(), expires: expires}, e)
	}
	if err != nil {
		s.log.Error("password reset failed", "event", "password_reset", "user_id", u.ID, "error", err)
		return
	}
	s.event(ctx, "password reset link emailed", "password_reset_requested", slog.String("user_id", u.ID))
}

// ResetLinkUser is the user a lost-password link was made for;
// ErrResetLinkInvalid when it does not work.
func (s *Service) ResetLinkUser(ctx context.Context, token string) (*User, error) {
	if !plausibleToken(token) {
		return nil, ErrResetLinkInvalid
	}
	id, err := s.store.passwordResetUser(ctx, hashToken(token), s.now())
	if errors.Is(err, ErrNotFound) {
		return nil, ErrResetLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrResetLinkInvalid
	}
	return u, err
}

// ResetPassword sets the password of the account a lost-password link was
// made for, with the policy of every new password; the link is used up,
// every session of the account ends, and any temporary password with them.
func (s *Service) ResetPassword(ctx context.Context, token, next string) (*User, error) {
	u, err := s.ResetLinkUser(ctx, token)
	if errors.Is(err, ErrResetLinkInvalid) {
		s.event(ctx, "password reset refused: the link does not work", "password_reset_bad_link")
	}
	if err != nil {
		return nil, err
	}
	if err := checkNewPassword(next, u, ""); err != nil {
		return nil, err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return nil, err
	}
	if err := s.store.usePasswordReset(ctx, hashToken(token), u.ID, hash, s.now()); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, ErrResetLinkInvalid
		}
		return nil, err
	}
	s.event(ctx, "password reset: a new password was set and every session of the user ended", "password_reset_done", slog.String("user_id", u.ID))
	return u, nil
}

// plausibleToken reports whether token has the shape of newToken's.
func plausibleToken(token string) bool {
	if len(token) != tokenLen {
		return false
	}
	for _, r := range token {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// passwordReset is a lost-password link as stored: its hash only.
type passwordReset struct {
	hash, userID     string
	created, expires time.Time
}

// savePasswordReset stores a link and queues its email, in one
// transaction; the user's older links stop working.
func (s *SQLStore) savePasswordReset(ctx context.Context, r passwordReset, e Email) error {
	return s.retry(ctx, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		contracts, err := contractsOf(ctx, tx, r.userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = ?`, r.userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (hash, user_id, created, expires) VALUES (?, ?, ?, ?)`,
			r.hash, r.userID, ts(r.created), ts(r.expires)); err != nil {
			return err
		}
		if err := queueEmail(ctx, tx, e); err != nil {
			return err
		}
		for _, c := range contracts {
			if err := audit(ctx, tx, AuditEntry{Actor: r.userID, ContractID: c, Action: "user.password_reset_requested", Detail: r.userID}); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}

// passwordResetUser is the user of a link that works at now.
func (s *SQLStore) passwordResetUser(ctx context.Context, hash string, now time.Time) (string, error) {
	var userID, expires string
	err := s.db.QueryRowContext(ctx, `SELECT user_id, expires FROM password_resets WHERE hash = ?`, hash).Scan(&userID, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(parseTS(expires))) {
		return "", ErrNotFound
	}
	return userID, err
}

// usePasswordReset uses the link up and sets the password, ending the
// user's sessions and temporary password; ErrNotFound when the link
// no longer works.
func (s *SQLStore) usePasswordReset(ctx context.Context, hash, userID, passwordHash string, now time.Time) error {
	return s.retry(ctx, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var expires, email string
		err = tx.QueryRowContext(ctx, `SELECT r.expires, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
			WHERE r.hash = ? AND r.user_id = ?`, hash, userID).Scan(&expires, &email)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(parseTS(expires))) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		// Deleting the row is what uses the link up: of two uses at once,
		// one deletes it and the other finds nothing.
		res, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE hash = ?`, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM password_resets WHERE user_id = ?`, []any{userID}},
			{`UPDATE users SET password_hash = ?, must_change_password = 0, temp_expires = NULL, temp_used = 0 WHERE id = ?`, []any{passwordHash, userID}},
			{`UPDATE tokens SET revoked = 1 WHERE user_id = ?`, []any{userID}},
			// Unsent start emails hold a temporary password that no longer works.
			{`DELETE FROM outbox WHERE kind = 'start' AND sent_at IS NULL AND to_addr = ?`, []any{email}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		contracts, err := contractsOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		for _, c := range contracts {
			if err := audit(ctx, tx, AuditEntry{Actor: userID, ContractID: c, Action: "user.password_reset", Detail: userID}); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}
