package account

import (
	"context"
	"net/http"
	"net/url"

	"onramp.dev/onramp/api"
)

// UserUpdated is what an admin's change of a person gives.
type UserUpdated = api.UserUpdated

// SetRole changes a person's role on the contract (admins; a coordinator
// neither changes nor names a contract manager, and the contract keeps
// one): their ID, products and benefits stay.
func (c *Client) SetRole(ctx context.Context, id string, role api.Role) (*UserUpdated, error) {
	return c.updateUser(ctx, id, api.UserUpdate{Role: &role})
}

// SetEmail corrects the address of a person who has not signed in yet:
// a new start email goes to it and the old address's links end.
func (c *Client) SetEmail(ctx context.Context, id, email string) (*UserUpdated, error) {
	return c.updateUser(ctx, id, api.UserUpdate{Email: &email})
}

func (c *Client) updateUser(ctx context.Context, id string, up api.UserUpdate) (*UserUpdated, error) {
	var out UserUpdated
	if err := c.authed(ctx, http.MethodPatch, "/api/v1/users/"+url.PathEscape(id), up, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
