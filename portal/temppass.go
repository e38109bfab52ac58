package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TemporaryPasswordTTL is how long the temporary password of a start email
// works. It works once: the sign-in with it opens a session good only for
// choosing a password (and signing out), and uses it up.
const TemporaryPasswordTTL = 7 * 24 * time.Hour

// Errors of a sign-in with a temporary password that was right but can no
// longer be used. They are told only to whoever typed the right password,
// so they reveal nothing to someone guessing.
var (
	ErrTemporaryPasswordExpired = errors.New("the temporary password has expired")
	ErrTemporaryPasswordUsed    = errors.New("the temporary password was already used")
)

// TemporaryPasswordError is a refused temporary password, with who can
// send a new start email: a contract's admins, or for a contract manager
// (nobody on the contract may resend to one, however many there are) the
// publisher's support. Anyone can also choose a new password from a
// lost-password link.
type TemporaryPasswordError struct {
	Err     error // ErrTemporaryPasswordExpired or ErrTemporaryPasswordUsed
	Manager bool
}

func (e *TemporaryPasswordError) Error() string {
	if e.Manager {
		return e.Err.Error() + `: choose a new password with "Forgot password?" (a link by email), or contact support for a new start email`
	}
	return e.Err.Error() + `: choose a new password with "Forgot password?" (a link by email), or ask your contract manager or software coordinator for a new start email`
}

func (e *TemporaryPasswordError) Unwrap() error { return e.Err }

// Ask is who sends a new start email: "support" or "admin".
func (e *TemporaryPasswordError) Ask() string {
	if e.Manager {
		return "support"
	}
	return "admin"
}

// checkTemporary is the part of a sign-in that concerns a temporary
// password, once the password is known to match: it must be unused and
// unexpired, and it is used up here, atomically, so two sign-ins racing
// with it open one session between them.
func (s *Service) checkTemporary(ctx context.Context, u *User) error {
	if !u.MustChangePassword {
		return nil
	}
	manager := u.Role == RoleManager
	switch {
	case u.tempUsed:
		return &TemporaryPasswordError{Err: ErrTemporaryPasswordUsed, Manager: manager}
	case !u.tempExpires.IsZero() && !s.now().Before(u.tempExpires):
		return &TemporaryPasswordError{Err: ErrTemporaryPasswordExpired, Manager: manager}
	}
	if err := s.store.UseTemporaryPassword(ctx, u.ID); err != nil {
		if errors.Is(err, ErrConflict) {
			return &TemporaryPasswordError{Err: ErrTemporaryPasswordUsed, Manager: manager}
		}
		return err
	}
	return nil
}

// StartEmailSent is what an admin learns of a new start email: never the
// password, which only the user's mailbox receives.
type StartEmailSent struct {
	UserID  string    `json:"user_id"`
	Email   string    `json:"email"`
	Expires time.Time `json:"expires,omitzero"`
	// StartsOn is set, and nothing was sent, when the contract has not
	// started: the start email goes to Email when it starts.
	StartsOn *time.Time `json:"starts_on,omitempty"`
}

// SendStartEmail gives a user of the admin's contract a new temporary
// password and queues a start email with it. The previous temporary
// password (or the user's own) stops working, unsent start emails to the
// user are dropped, and every session of the user ends. A coordinator may
// not do it to a contract manager. To a user who has chosen their own
// password it is done only with endSessions: otherwise ErrEndsSessions.
func (s *Service) SendStartEmail(ctx context.Context, admin *User, userID string, endSessions bool) (*StartEmailSent, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	if !plausibleID(userID) {
		return nil, fmt.Errorf("user: %w", ErrNotFound)
	}
	return s.sendStartEmail(ctx, admin.ContractID, userID, func(target *User) error {
		if err := mayChange(admin, target); err != nil {
			return err
		}
		if !target.MustChangePassword && !endSessions {
			return fmt.Errorf("user %s: %w", target.ID, ErrEndsSessions)
		}
		return nil
	}, false, admin.ID)
}

// ErrEndsSessions: a new start email to a user who has chosen their own
// password replaces it and ends their sessions; the admin must say so.
var ErrEndsSessions = errors.New("this user has already signed in and chosen a password: a new start email replaces that password and ends every session of the user; confirm to send it anyway")

// sendStartEmail is SendStartEmail for whoever may checks: an admin of the
// contract, or the service's operator.
// The operator may give a temporary password to any account; a
// contract's admin, only to a person who had no account before joining.
func (s *Service) sendStartEmail(ctx context.Context, contractID, userID string, may func(target *User) error, operator bool, actor string) (*StartEmailSent, error) {
	var sent *StartEmailSent
	err := s.store.ChangeUsers(ctx, contractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		var target *User
		for _, u := range users {
			if u.ID == strings.ToUpper(userID) {
				target = u
			}
		}
		if target == nil {
			return nil, nil, fmt.Errorf("user %s: %w", userID, ErrNotFound)
		}
		if target.hadAccount() && !operator {
			// A contract's admin never sets the password of an account
			// that other contracts share: the start email says again
			// that the person belongs here, with their ID and no password
			// (so no session ends, and nothing needs confirming).
			if err := may(target); err != nil && !errors.Is(err, ErrEndsSessions) {
				return nil, nil, err
			}
			if c.Started == nil {
				return nil, nil, fmt.Errorf("contract %s: %w", c.ID, ErrNotStarted)
			}
			e, err := s.startExistingEmail(c, target)
			if err != nil {
				return nil, nil, err
			}
			sent = &StartEmailSent{UserID: target.ID, Email: target.Email}
			return nil, []Email{e}, nil
		}
		if err := may(target); err != nil {
			return nil, nil, err
		}
		if c.Started == nil {
			return nil, nil, fmt.Errorf("contract %s: %w", c.ID, ErrNotStarted)
		}
		changes, email, next, err := s.newStartEmail(c, target)
		if err != nil {
			return nil, nil, err
		}
		sent = &StartEmailSent{UserID: next.ID, Email: next.Email, Expires: next.tempExpires}
		return changes, []Email{email}, nil
	}, actor)
	if err != nil {
		return nil, err
	}
	return sent, nil
}

// newStartEmail is the change that gives target a new temporary password,
// and its start email.
func (s *Service) newStartEmail(c *Contract, target *User) ([]UserChange, Email, *User, error) {
	next := *target
	next.MustChangePassword = true
	next.tempExpires = s.now().UTC().Add(TemporaryPasswordTTL)
	temp := newTemporaryPassword()
	e, err := s.startEmail(c, &next, temp)
	if err != nil {
		return nil, Email{}, nil, err
	}
	return []UserChange{{Kind: "start_email", User: &next, PasswordHash: hashTemporary(temp), Detail: "new start email"}},
		e, &next, nil
}

// UseTemporaryPassword marks a user's temporary password used;
// ErrConflict if it was used already (or is no longer temporary).
func (s *SQLStore) UseTemporaryPassword(ctx context.Context, userID string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET temp_used = 1 WHERE id = ? AND must_change_password = 1 AND temp_used = 0`, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("user %s: temporary password: %w", userID, ErrConflict)
	}
	return nil
}

// resetTemporaryPassword applies a "start_email" change inside
// ChangeUsers's transaction.
func resetTemporaryPassword(ctx context.Context, tx *sql.Tx, contractID string, ch UserChange) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = 1, temp_expires = ?, temp_used = 0
		WHERE id = ? AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.contract_id = ?)`, ch.PasswordHash, ts(ch.User.tempExpires), ch.User.ID, contractID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("user %s: %w", ch.User.ID, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE user_id = ?`, ch.User.ID); err != nil {
		return err
	}
	// The old start email's link goes with its password, and a
	// lost-password link sent before stops working too: a new start email
	// ends every way in but the new one.
	if err := endLinks(ctx, tx, ch.User.ID); err != nil {
		return err
	}
	// Unsent start emails hold a password that no longer works: found by
	// their user (emails queued before the outbox kept it: by the ID in
	// the English text they were all written in).
	_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE kind = 'start' AND sent_at IS NULL AND
		(user_id = ? OR (user_id IS NULL AND to_addr = ? AND instr(body, ?) > 0))`,
		ch.User.ID, ch.User.Email, "User ID: "+ch.User.ID+"\n")
	return err
}

// tempExpiresValue is what the users table holds for a user's temporary
// password's expiry: NULL when the password is the user's own.
func tempExpiresValue(u *User) any {
	if !u.MustChangePassword || u.tempExpires.IsZero() {
		return nil
	}
	return ts(u.tempExpires)
}
