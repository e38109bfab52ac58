package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"onramp.dev/onramp/api"
)

// A person's own change of address: POST /api/v1/me/email sends a link to
// the new address; GET /email-change?t=TOKEN shows what it changes, and
// its form's POST changes it, once. The old address is told. Nothing
// changes until the new address's owner acts, so a session left open
// cannot move an account to an address its owner does not read.

// EmailChangeTTL is how long the link sent to a new address works.
const EmailChangeTTL = 24 * time.Hour

// maxEmailChangesPerDay bounds the links one person has sent to
// addresses in a day: each is an email to an address they typed.
const maxEmailChangesPerDay = 5

// ErrEmailChangeLinkInvalid: the link is unknown, used, expired or
// replaced by a newer one; one answer for all.
var ErrEmailChangeLinkInvalid = errors.New("this link does not work: it works once, for 24 hours, and only the newest one sent works")

// RequestEmailChange sends the link that moves u's account to email.
func (s *Service) RequestEmailChange(ctx context.Context, u *User, email string) (*api.EmailChangeRequested, error) {
	addr, err := checkNewEmail(email)
	if err != nil {
		return nil, err
	}
	if addr == normalEmail(u.Email) {
		return nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldEmail, api.FieldDuplicate, "this is your address already")}}
	}
	c, err := s.store.Contract(ctx, u.ContractID)
	if err != nil {
		return nil, err
	}
	token, hash := newToken()
	now := s.now().UTC()
	expires := now.Add(EmailChangeTTL)
	to := *u
	to.Email = addr
	d := s.mailFor(c, &to)
	d.Link, d.Expires, d.Address = s.PublicURL+"/email-change?t="+token, mailTime(d.Lang, expires), addr
	e, err := renderEmail("email_change", addr, d)
	if err != nil {
		return nil, err
	}
	// Whether another account has the address is found out only by its
	// owner, on the page: the answer here is the same.
	if err := s.store.saveEmailChange(ctx, u.ID, hash, addr, now, expires, e); err != nil {
		return nil, err
	}
	s.event(ctx, "email change link sent to the new address", "email_change_requested", slog.String("user_id", u.ID))
	return &api.EmailChangeRequested{Email: addr, Expires: expires}, nil
}

// PendingEmailChange is the person and new address of a change link that
// still works; ErrNotFound otherwise.
func (s *Service) PendingEmailChange(ctx context.Context, token string) (userID, email string, err error) {
	if len(token) != tokenLen {
		return "", "", ErrNotFound
	}
	return s.store.emailChangeOf(ctx, hashToken(token), s.now())
}

// ConfirmEmailChange moves the account of a link to its new address, and
// tells the old one.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*User, error) {
	if len(token) != tokenLen {
		return nil, ErrEmailChangeLinkInvalid
	}
	u, err := s.store.useEmailChange(ctx, hashToken(token), s.now(), func(u *User, old string) (Email, error) {
		c, err := s.store.Contract(ctx, u.ContractID)
		if err != nil {
			return Email{}, err
		}
		d := s.mailFor(c, u)
		d.Address = u.Email
		return renderEmail("email_changed", old, d)
	})
	if err != nil {
		return nil, err
	}
	s.event(ctx, "a person changed their email address", "email_changed", slog.String("user_id", u.ID))
	return u, nil
}

// saveEmailChange stores a pending change of address and queues its
// email, in one transaction.
func (s *SQLStore) saveEmailChange(ctx context.Context, userID, hash, email string, created, expires time.Time, e Email) error {
	return s.retry(ctx, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		contracts, err := contractsOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		var n int
		var oldest string
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(created), '') FROM email_changes WHERE user_id = ? AND created > ?`,
			userID, ts(created.Add(-24*time.Hour))).Scan(&n, &oldest); err != nil {
			return err
		}
		if n >= maxEmailChangesPerDay {
			return &RateLimitError{RetryAfter: parseTS(oldest).Add(24 * time.Hour).Sub(created), What: "too many email changes asked for today"}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM email_changes WHERE user_id = ? AND created <= ?`, userID, ts(created.Add(-24*time.Hour))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_changes (hash, user_id, new_email, created, expires) VALUES (?, ?, ?, ?, ?)`,
			hash, userID, email, ts(created), ts(expires)); err != nil {
			return err
		}
		if err := queueEmail(ctx, tx, e); err != nil {
			return err
		}
		for _, c := range contracts {
			if err := audit(ctx, tx, AuditEntry{Actor: userID, ContractID: c, Action: "user.email_change_requested", Detail: userID}); err != nil {
				return err
			}
		}
		return tx.Commit()
	})
}

// pendingEmailChange is the row of a link that still works: unused,
// unexpired, and its person's newest.
const pendingEmailChange = `SELECT e.user_id, e.new_email, e.expires FROM email_changes e WHERE e.hash = ? AND e.used = 0
	AND NOT EXISTS (SELECT 1 FROM email_changes n WHERE n.user_id = e.user_id AND n.created > e.created)`

// emailChangeOf is the user and new address of a link that works at now.
func (s *SQLStore) emailChangeOf(ctx context.Context, hash string, now time.Time) (string, string, error) {
	var userID, email, expires string
	err := s.db.QueryRowContext(ctx, pendingEmailChange, hash).Scan(&userID, &email, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(parseTS(expires))) {
		return "", "", ErrNotFound
	}
	return userID, email, err
}

// useEmailChange uses the link up and moves the account to its new
// address, queuing the notice notice makes for the old one.
func (s *SQLStore) useEmailChange(ctx context.Context, hash string, now time.Time, notice func(u *User, old string) (Email, error)) (*User, error) {
	var changed *User
	err := s.retry(ctx, func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var userID, email, expires string
		err = tx.QueryRowContext(ctx, pendingEmailChange, hash).Scan(&userID, &email, &expires)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(parseTS(expires))) {
			return ErrEmailChangeLinkInvalid
		}
		if err != nil {
			return err
		}
		// Marking it used is what uses the link up: of two uses at once,
		// one marks it and the other finds nothing.
		res, err := tx.ExecContext(ctx, `UPDATE email_changes SET used = 1 WHERE hash = ? AND used = 0`, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrEmailChangeLinkInvalid
		}
		u, err := scanUserIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		old := u.Email
		if err := setAccountEmail(ctx, tx, userID, email); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("%s: %w", email, ErrEmailTaken)
			}
			return err
		}
		u.Email = email
		if err := setAllSearchTerms(ctx, tx, u.ID, u.Email, u.Name); err != nil {
			return err
		}
		// Lost-password links went to the old address: they stop working.
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = ?`, userID); err != nil {
			return err
		}
		e, err := notice(u, old)
		if err != nil {
			return err
		}
		if err := queueEmail(ctx, tx, e); err != nil {
			return err
		}
		contracts, err := contractsOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		for _, c := range contracts {
			if err := audit(ctx, tx, AuditEntry{Actor: userID, ContractID: c, Action: "user.email", Detail: userID + " " + email + " email was " + old}); err != nil {
				return err
			}
		}
		changed = u
		return tx.Commit()
	})
	return changed, err
}

// scanUserIn reads a person on their oldest membership inside a
// transaction (without their products: what an account change needs).
func scanUserIn(ctx context.Context, tx *sql.Tx, id string) (*User, error) {
	users, _, err := scanUsers(ctx, tx, `WHERE u.id = ?`+oldestFirst+`LIMIT 1`, id)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	return users[0], nil
}
