package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"onramp.dev/onramp/internal/clip"
)

// A contract is ordered, then started: its start emails go out when it
// starts, on its start day (housekeeping starts the contracts that are
// due) or when the operator starts it (`portal contract start`). Until
// then its users exist but nobody knows their temporary passwords.

// ErrNotStarted: the contract is ordered, not started: its start emails
// go out when it starts.
var ErrNotStarted = errors.New("the contract has not started yet: its start emails go out when it starts")

// ErrStartTooLate: a start date more than a year ahead.
var ErrStartTooLate = errors.New("a contract starts at most a year ahead")

// StartContract starts an ordered contract now: every user of it gets a
// new temporary password and their start email, saying which products
// and services are now available. ErrStarted if it has started already.
func (s *Service) StartContract(ctx context.Context, contractID, actor string) (*Contract, error) {
	if !plausibleContractID(contractID) {
		return nil, fmt.Errorf("contract %s: %w", clip.Text(contractID, 40), ErrNotFound)
	}
	var started *Contract
	err := s.store.ChangeUsers(ctx, contractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		if c.Started != nil {
			return nil, nil, fmt.Errorf("contract %s: %w on %s", c.ID, ErrStarted, c.Started.Format(time.DateOnly))
		}
		now := s.now().UTC()
		next := *c
		next.Started = &now
		changes := []UserChange{{Kind: "contract_start", Started: &now, Detail: "start emails to " + fmt.Sprint(len(users)) + " user(s)"}}
		var emails []Email
		for _, u := range users {
			if u.hadAccount() {
				// Their password stays theirs: the start email says they
				// belong to this contract now.
				e, err := s.startExistingEmail(&next, u)
				if err != nil {
					return nil, nil, err
				}
				emails = append(emails, e)
				continue
			}
			nu := *u
			nu.MustChangePassword = true
			nu.tempExpires = now.Add(TemporaryPasswordTTL)
			temp := newTemporaryPassword()
			e, err := s.startEmail(&next, &nu, temp)
			if err != nil {
				return nil, nil, err
			}
			changes = append(changes, UserChange{Kind: "start_email", User: &nu, PasswordHash: hashTemporary(temp), Detail: "contract started"})
			emails = append(emails, e)
		}
		started = &next
		return changes, emails, nil
	}, actor)
	if err != nil {
		return nil, err
	}
	return started, nil
}

// plausibleContractID: contract IDs are short ASCII; anything else is
// not looked up.
func plausibleContractID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if r > 0x7e || r <= ' ' {
			return false
		}
	}
	return true
}

// StartDueContracts starts every ordered contract whose start day has
// come, and says how many it started. Housekeeping runs it.
func (s *Service) StartDueContracts(ctx context.Context) (int, error) {
	ids, err := s.store.DueContracts(ctx, s.now())
	if err != nil {
		return 0, fmt.Errorf("contracts due to start: %w", err)
	}
	n := 0
	for _, id := range ids {
		_, err := s.StartContract(ctx, id, "housekeeping")
		switch {
		case errors.Is(err, ErrStarted):
			// Another replica, or the operator, started it meanwhile.
		case err != nil:
			return n, fmt.Errorf("start contract %s: %w", id, err)
		default:
			n++
			s.log.Info("contract started: start emails queued", "event", "contract_start", slog.String("contract_id", id))
		}
	}
	return n, nil
}

// DueContracts lists the ordered contracts whose start has come. Few
// contracts wait at once: their start times are compared here, not in
// SQL, where times are text of varying length.
func (s *SQLStore) DueContracts(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, starts FROM contracts WHERE started IS NULL ORDER BY starts`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, starts string
		if err := rows.Scan(&id, &starts); err != nil {
			return nil, err
		}
		if !parseTS(starts).After(now) {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}
