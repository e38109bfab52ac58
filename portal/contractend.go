package portal

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrContractEnded: the contract's end date has passed. What ends with it:
// package downloads, seat registration, seat keys, and new users, products,
// benefits and callers. What stays, so people can see where they stand and
// ask for help: sign-in, the contract and profile, support, the lists of
// users, callers and seats, and taking things away (users, products,
// callers, seats, seat keys).
var ErrContractEnded = errors.New("the contract has ended")

// ContractEndedError names the contract and its end date.
type ContractEndedError struct {
	ContractID string
	Ends       time.Time
}

func (e *ContractEndedError) Error() string {
	return fmt.Sprintf("contract %s ended on %s: downloads, seat registration and new users or products stopped with it; renew the contract to go on (sign-in, support and the lists still work)",
		e.ContractID, e.Ends.UTC().Format(time.DateOnly))
}

func (e *ContractEndedError) Unwrap() error { return ErrContractEnded }

// checkActive refuses what ends with the contract.
func (s *Service) checkActive(c *Contract) error {
	if !s.now().Before(c.Ends) {
		return &ContractEndedError{ContractID: c.ID, Ends: c.Ends}
	}
	return nil
}

// contractActive loads a contract and refuses what ends with it.
func (s *Service) contractActive(ctx context.Context, contractID string) error {
	c, err := s.store.Contract(ctx, contractID)
	if err != nil {
		return err
	}
	return s.checkActive(c)
}
