package account

import (
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
	ErrTemporaryPasswordExpired = errors.New("the temporary password has expired: ask your contract manager or software coordinator for a new start email")
	ErrTemporaryPasswordUsed    = errors.New("the temporary password was already used: ask your contract manager or software coordinator for a new start email")
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
// The user's previous password stops working and their sessions end.
func (c *Client) SendStartEmail(ctx context.Context, userID string) (*StartEmail, error) {
	var out StartEmail
	if err := c.authed(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(userID)+"/start-email", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// problemKind names the error a problem code stands for, beyond its status.
func problemKind(code string) error {
	switch code {
	case "temporary_password_expired":
		return errors.Join(ErrAuth, ErrTemporaryPasswordExpired)
	case "temporary_password_used":
		return errors.Join(ErrAuth, ErrTemporaryPasswordUsed)
	case "password_too_common", "password_rejected":
		return ErrWeakPassword
	}
	return nil
}
