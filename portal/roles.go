package portal

import (
	"context"
	"errors"
	"strings"
)

// ErrManagerProtected: a software coordinator manages users and other
// coordinators, never the contract managers above them (their products,
// benefits, caller designation, or their place on the contract).
var ErrManagerProtected = errors.New("software coordinators cannot change contract managers")

// mayChange says whether admin may change target: contract managers change
// anyone on their contract, coordinators anyone but a manager.
func mayChange(admin, target *User) error {
	switch {
	case !admin.Role.IsAdmin():
		return ErrNotAdmin
	case target.Role == RoleManager && admin.Role != RoleManager:
		return ErrManagerProtected
	}
	return nil
}

// mayDesignate checks a caller change against the target's role on the
// admin's contract (a manager here may be a user elsewhere). A person not
// on it is left to the store, which answers not found.
func (s *Service) mayDesignate(ctx context.Context, admin *User, userID string) error {
	target, err := s.store.Member(ctx, strings.ToUpper(userID), admin.ContractID)
	if err != nil {
		return nil
	}
	return mayChange(admin, target)
}
