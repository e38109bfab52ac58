package account

import (
	"onramp.dev/onramp/api"

	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Sign-in refusals that a new start email cures: the temporary password was
// right but has expired, or was used by an earlier sign-in. Both also match
// ErrAuth.
var (
	ErrTemporaryPasswordExpired = errors.New("the temporary password has expired")
	ErrTemporaryPasswordUsed    = errors.New("the temporary password was already used")
)

// StartEmail is what the service says of a start email it queued: never
// the temporary password, which only the user's mailbox receives.
type StartEmail struct {
	UserID  string    `json:"user_id"`
	Email   string    `json:"email"`
	Expires time.Time `json:"expires"`
}

// SendStartEmail has the service send a user of the contract a new start
// email (admins only): a new temporary password, good once until Expires.
// The user's previous password stops working and their sessions end. To a
// user who has chosen their own password it is sent only with
// endSessions; otherwise the error is ErrEndsSessions.
func (c *Client) SendStartEmail(ctx context.Context, userID string, endSessions bool) (*StartEmail, error) {
	var in any
	if endSessions {
		in = api.StartEmailRequest{EndSessions: true}
	}
	var out StartEmail
	if err := c.authed(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(userID)+"/start-email", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ErrEndsSessions: the user has chosen their own password; a new start
// email would replace it and end their sessions, and was not confirmed.
var ErrEndsSessions = errors.New("this user has already signed in: a new start email replaces their password and ends their sessions")

// RequestPasswordReset asks the service to email a link to choose a new
// password to the account with this user ID or email. The service gives
// the same answer (returned) whether or not there is such an account.
func (c *Client) RequestPasswordReset(ctx context.Context, login string) (string, error) {
	var out api.PasswordResetAccepted
	if err := c.do(ctx, http.MethodPost, "/api/v1/password-resets", "", api.PasswordResetRequest{Login: login}, &out); err != nil {
		return "", err
	}
	return out.Message, nil
}

// problemKind names the error a problem code stands for, beyond its status.
func problemKind(code string) error {
	switch code {
	case "temporary_password_expired":
		return errors.Join(ErrAuth, ErrTemporaryPasswordExpired)
	case "temporary_password_used":
		return errors.Join(ErrAuth, ErrTemporaryPasswordUsed)
	case "end_sessions_required":
		return ErrEndsSessions
	case "password_too_common", "password_rejected":
		return ErrWeakPassword
	}
	return nil
}
