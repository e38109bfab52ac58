package portal

import (
	"onramp.dev/onramp/api"

	"context"
	"errors"
	"fmt"
	"strings"
)

// Seat is a machine counted against a product's seats.
type Seat = api.Seat

// SeatRegistration is a machine a deployment registers for a product.
type SeatRegistration = api.SeatRegistration

// ErrSeatKeyRequired: seats are taken by deployments, with their seat key.
// A session could otherwise take every seat with made-up machines.
var ErrSeatKeyRequired = errors.New("seats are registered by a deployment's seat key ('assistant deploy create --register'), not by a signed-in user")

// ErrInstallNotAllowed: seats are installs the service counts, so making a
// seat key, and registering a seat with it, need the install benefit (of
// the key's creator, while they are on the contract).
var ErrInstallNotAllowed = errors.New("the install benefit is needed to install and to register seats; ask your contract manager")

// Seats lists the seats taken on the admin's contract.
func (s *Service) Seats(ctx context.Context, admin *User) ([]Seat, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	return s.store.Seats(ctx, admin.ContractID)
}

// ReleaseSeat gives a seat back: a machine retired, or one registered by
// mistake. Its product can then be installed on another machine.
func (s *Service) ReleaseSeat(ctx context.Context, admin *User, seatID string) error {
	if !admin.Role.IsAdmin() {
		return ErrNotAdmin
	}
	if seatID = strings.TrimSpace(seatID); !plausibleID(seatID) {
		return fmt.Errorf("seat: %w", ErrNotFound)
	}
	return s.store.ReleaseSeat(ctx, admin.ContractID, strings.ToUpper(strings.TrimSpace(seatID)), admin.ID)
}

// SeatKeys lists the contract's seat keys (never the keys themselves).
func (s *Service) SeatKeys(ctx context.Context, admin *User) ([]SeatKey, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	return s.store.SeatKeys(ctx, admin.ContractID)
}

// RevokeSeatKey ends a seat key: a deployment folder that leaked, or one
// no longer pushed. Seats it registered stay until released.
func (s *Service) RevokeSeatKey(ctx context.Context, admin *User, keyID string) error {
	if !admin.Role.IsAdmin() {
		return ErrNotAdmin
	}
	if keyID = strings.TrimSpace(keyID); !plausibleID(keyID) {
		return fmt.Errorf("seat key: %w", ErrNotFound)
	}
	return s.store.RevokeSeatKey(ctx, admin.ContractID, strings.ToLower(strings.TrimSpace(keyID)), admin.ID)
}
