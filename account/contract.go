package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"onramp.dev/onramp/api"
)

// A person may belong to several contracts (one membership in each). Every
// signed-in request acts on one of them: the one the client was given with
// SetContract, sent as the api.ContractHeader header, or without one the
// service's choice, the person's oldest membership. The front ends decide
// which contract to choose and remember it with the saved session.

// Membership is one contract the signed-in person belongs to.
type Membership = api.Membership

// ErrNotMember: the service refused the contract a request named, because
// the person does not belong to it (or no longer does). The service gives
// the same answer whether or not the contract exists.
var ErrNotMember = errors.New("not a member of this contract")

// NotMemberError is a request refused because the person is not a member
// of Contract, the contract the client chose (SetContract).
type NotMemberError struct {
	Contract string
	Err      error // the service's answer, a *ProblemError
}

func (e *NotMemberError) Error() string {
	return fmt.Sprintf("you are not a member of contract %s (or no longer are): choose one of your contracts", e.Contract)
}

func (e *NotMemberError) Unwrap() error { return e.Err }

// SetContract makes every signed-in request from now on act on contract id
// (downloads included), "" for the service's choice, the oldest
// membership. Requests about the session itself (a password change,
// signing out) name no contract.
func (c *Client) SetContract(id string) {
	c.mu.Lock()
	c.contract = id
	c.mu.Unlock()
}

// Contract is the contract chosen with SetContract, "" for none.
func (c *Client) Contract() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.contract
}

// Memberships returns every contract the signed-in person belongs to,
// oldest first, whatever contract is chosen: it names none, so it answers
// even when the chosen contract is no longer the person's. A service that
// predates memberships lists none; the person's one contract stands for
// them then.
func (c *Client) Memberships(ctx context.Context) ([]Membership, error) {
	var me Me
	if err := c.authedOn(ctx, "", http.MethodGet, "/api/v1/me", nil, &me); err != nil {
		return nil, err
	}
	return MembershipsOf(&me), nil
}

// MembershipsOf is me's memberships, oldest first; for an answer of a
// service that lists none, the one contract me is on.
func MembershipsOf(me *Me) []Membership {
	if len(me.Memberships) > 0 {
		return me.Memberships
	}
	if me.User.ContractID == "" {
		return nil
	}
	return []Membership{{ContractID: me.User.ContractID, Company: me.Contract.Company, Role: me.User.Role,
		Products: me.User.Products, Benefits: me.User.Benefits, Caller: me.User.Caller, Joined: me.User.Created}}
}
