package portal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/clip"
)

// UserUpdated is what an admin's change of a person gives: the person as
// they are now, and the new start email when their address was corrected.
type UserUpdated struct {
	User       *User           `json:"user"`
	StartEmail *StartEmailSent `json:"start_email,omitempty"`
}

// UpdateUser changes a person's role, or corrects their address before
// their first sign-in, without re-creating them (their ID, products,
// benefits and designation stay). The rules of roles hold: a coordinator
// changes neither a contract manager nor makes one, and a contract keeps
// at least one manager. A corrected address gets a new start email (on an
// ordered contract, when it starts) and the old address's links end.
func (s *Service) UpdateUser(ctx context.Context, admin *User, id string, up api.UserUpdate) (*UserUpdated, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	if !plausibleID(id) {
		return nil, fmt.Errorf("user: %w", ErrNotFound)
	}
	id = strings.ToUpper(id)
	var inv InvalidError
	if up.Role == nil && up.Email == nil {
		inv.add(fieldError(api.FieldUsers, api.FieldRequired, "give a role or an email address to change"))
	}
	if up.Role != nil && !slices.Contains([]Role{RoleManager, RoleCoordinator, RoleUser}, *up.Role) {
		e := fieldError(api.FieldUsers, api.FieldBadRole, fmt.Sprintf("role %q: want contract_manager, software_coordinator or user", clip.Text(string(*up.Role), 40)))
		e.Value = clip.Text(string(*up.Role), 40)
		inv.add(e)
	}
	if err := inv.orNil(); err != nil {
		return nil, err
	}
	out := &UserUpdated{}
	err := s.store.ChangeUsers(ctx, admin.ContractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		i := slices.IndexFunc(users, func(u *User) bool { return u.ID == id })
		if i < 0 {
			return nil, nil, fmt.Errorf("user %s: %w", id, ErrNotFound)
		}
		target := users[i]
		if err := mayChange(admin, target); err != nil {
			return nil, nil, err
		}
		next := *target
		var changes []UserChange
		var emails []Email
		if up.Role != nil && *up.Role != target.Role {
			managers := 0
			for _, u := range users {
				if u.Role == RoleManager {
					managers++
				}
			}
			switch {
			case *up.Role == RoleManager && admin.Role != RoleManager:
				return nil, nil, fmt.Errorf("only a contract manager may name another: %w", ErrManagerProtected)
			case target.Role == RoleManager && managers == 1:
				return nil, nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldUsers, api.FieldLastManager,
					"a contract keeps at least one contract manager: make another user manager first")}}
			}
			next.Role = *up.Role
			changes = append(changes, UserChange{Kind: "update", User: &next, Detail: "role " + string(target.Role) + " -> " + string(next.Role)})
		}
		if up.Email != nil {
			// Once signed in, the address is the person's: they change it
			// themselves, confirmed from the new address.
			if !target.MustChangePassword || target.tempUsed {
				return nil, nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldEmail, api.FieldSignedIn,
					"this person has signed in: only they can change their address now")}}
			}
			withRole := slices.Clone(users)
			withRole[i] = &next
			more, sent, moved, err := s.emailChange(ctx, c, withRole, id, *up.Email)
			if err != nil {
				return nil, nil, err
			}
			changes, emails = append(changes, more...), sent
			next = *moved
			out.StartEmail = &StartEmailSent{UserID: next.ID, Email: next.Email, Expires: next.tempExpires}
			if c.Started == nil {
				starts := c.Starts
				out.StartEmail.Expires, out.StartEmail.StartsOn = time.Time{}, &starts
			}
		}
		out.User = &next
		return changes, emails, nil
	}, admin.ID)
	if err != nil {
		return nil, err
	}
	return out, nil
}
