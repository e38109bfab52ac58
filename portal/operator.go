package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/clip"
)

// What the publisher's support staff do on the service's host (`portal
// users …`, `portal contract …`), past the rules that bind a contract's
// own admins: resend a start email to a contract manager, correct a
// mistyped address, change a role, a contract's seats or end. Each is
// recorded in the audit table with the operator's actor name and logged
// as a security event.

// FindUser is the user with this ID or email address.
func (s *Service) FindUser(ctx context.Context, ref string) (*User, error) {
	n, ok := normalizeLogin(ref)
	if !ok {
		return nil, fmt.Errorf("user %q: %w", clip.Text(ref, 60), ErrNotFound)
	}
	u, err := s.store.UserByLogin(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", n, err)
	}
	return u, nil
}

// SeveralContractsError: a person belongs to several contracts and the
// operator's command acts on one; it must name it.
type SeveralContractsError struct {
	UserID    string
	Contracts []string
}

func (e *SeveralContractsError) Error() string {
	return fmt.Sprintf("user %s belongs to %d contracts (%s): name one with --contract ID", e.UserID, len(e.Contracts), strings.Join(e.Contracts, ", "))
}

// FindMember is the person with this ID or email address on contract
// contractID; "" for their only one (a SeveralContractsError when they
// have several).
func (s *Service) FindMember(ctx context.Context, ref, contractID string) (*User, error) {
	u, err := s.FindUser(ctx, ref)
	if err != nil {
		return nil, err
	}
	if contractID != "" {
		m, err := s.store.Member(ctx, u.ID, strings.ToUpper(strings.TrimSpace(contractID)))
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("user %s on contract %s: %w", u.ID, clip.Text(contractID, 40), ErrNotFound)
		}
		return m, err
	}
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if len(ms) > 1 {
		e := &SeveralContractsError{UserID: u.ID}
		for _, m := range ms {
			e.Contracts = append(e.Contracts, m.ContractID)
		}
		return nil, e
	}
	return u, nil
}

// ContractDetail is a contract as an operator sees it: with its managers
// and how many users and designated callers it has.
type ContractDetail struct {
	Contract *Contract `json:"contract"`
	Managers []*User   `json:"managers"`
	Users    int       `json:"users"`
	Callers  int       `json:"designated_callers"`
}

// ContractDetail describes a contract for an operator.
func (s *Service) ContractDetail(ctx context.Context, id string) (*ContractDetail, error) {
	if !plausibleID(id) {
		return nil, fmt.Errorf("contract %q: %w", clip.Text(id, 60), ErrNotFound)
	}
	c, err := s.store.Contract(ctx, strings.ToUpper(id))
	if err != nil {
		return nil, err
	}
	users, err := s.store.ListUsers(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	d := &ContractDetail{Contract: c, Users: len(users), Managers: []*User{}}
	for _, u := range users {
		if u.Role == RoleManager {
			d.Managers = append(d.Managers, u)
		}
		if u.Caller {
			d.Callers++
		}
	}
	return d, nil
}

// OperatorShowUser is a user and their contract, for an operator: the
// reading is logged, as every operator's look at a person's account.
func (s *Service) OperatorShowUser(ctx context.Context, ref, contractID, actor string) (*User, *Contract, error) {
	u, err := s.FindMember(ctx, ref, contractID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.Contract(ctx, u.ContractID)
	if err != nil {
		return nil, nil, err
	}
	s.operatorEvent(ctx, "operator looked at a user", "operator_show_user", actor, u)
	return u, c, nil
}

// OperatorShowContract is ContractDetail for an operator, logged.
func (s *Service) OperatorShowContract(ctx context.Context, id, actor string) (*ContractDetail, error) {
	d, err := s.ContractDetail(ctx, id)
	if err != nil {
		return nil, err
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "operator looked at a contract", slog.String("event", "operator_show_contract"),
		slog.String("actor", actor), slog.String("contract_id", d.Contract.ID))
	return d, nil
}

// OperatorSendStartEmail sends a user a new start email, whoever they are:
// the way out for a contract's only manager whose temporary password was
// used up or expired, whom no admin of the contract may help.
func (s *Service) OperatorSendStartEmail(ctx context.Context, ref, contractID, actor string) (*StartEmailSent, error) {
	u, err := s.FindMember(ctx, ref, contractID)
	if err != nil {
		return nil, err
	}
	sent, err := s.sendStartEmail(ctx, u.ContractID, u.ID, func(*User) error { return nil }, true, actor)
	if err != nil {
		return nil, err
	}
	s.operatorEvent(ctx, "operator sent a new start email", "operator_resend_start", actor, u)
	return sent, nil
}

// checkNewEmail checks an address a user is to get.
func checkNewEmail(email string) (string, error) {
	if e := checkEmailText(api.FieldEmail, email); e != nil {
		return "", &InvalidError{Problems: []api.FieldError{*e}}
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) {
		return "", &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldEmail, api.FieldNotEmail, fmt.Sprintf("%q is not an email address", email))}}
	}
	return strings.ToLower(addr.Address), nil
}

// EmailCorrection is an operator's correction of a person's address: User
// (an ID or email) gets Email; the start email is about ContractID's
// membership ("" when they have one).
type EmailCorrection struct {
	User, Email, ContractID string
}

// OperatorSetEmail corrects a user's email address and sends a new start
// email to it (a new temporary password: the old address may have been
// someone else's). An address another account has is refused.
// The address is the person's on every contract.
func (s *Service) OperatorSetEmail(ctx context.Context, ec EmailCorrection, actor string) (*StartEmailSent, error) {
	u, err := s.FindMember(ctx, ec.User, ec.ContractID)
	if err != nil {
		return nil, err
	}
	var sent *StartEmailSent
	err = s.store.ChangeUsers(ctx, u.ContractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		changes, emails, next, err := s.emailChange(ctx, c, users, u.ID, ec.Email)
		if err != nil {
			return nil, nil, err
		}
		sent = &StartEmailSent{UserID: next.ID, Email: next.Email, Expires: next.tempExpires}
		if c.Started == nil {
			starts := c.Starts
			sent.Expires, sent.StartsOn = time.Time{}, &starts
		}
		return changes, emails, nil
	}, actor)
	if err != nil {
		return nil, err
	}
	s.operatorEvent(ctx, "operator changed a user's email and sent a new start email", "operator_set_email", actor, u)
	return sent, nil
}

// emailChange is the changes that give user id of users the address
// email, and the start email to it (at once on a started contract; on an
// ordered one, the start sends it to the address then).
func (s *Service) emailChange(ctx context.Context, c *Contract, users []*User, id, email string) ([]UserChange, []Email, *User, error) {
	addr, err := checkNewEmail(email)
	if err != nil {
		return nil, nil, nil, err
	}
	i := slices.IndexFunc(users, func(u *User) bool { return u.ID == id })
	if i < 0 {
		return nil, nil, nil, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	if normalEmail(users[i].Email) == normalEmail(addr) {
		return nil, nil, nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldEmail, api.FieldDuplicate, "the user already has this address")}}
	}
	taken, err := s.store.Accounts(ctx, []string{addr})
	if err != nil {
		return nil, nil, nil, err
	}
	if taken[normalEmail(addr)] != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", addr, ErrEmailTaken)
	}
	moved := *users[i]
	moved.Email = addr
	change := UserChange{Kind: "email", User: &moved, Detail: "email was " + users[i].Email}
	if c.Started == nil {
		return []UserChange{change}, nil, &moved, nil
	}
	changes, startEmail, next, err := s.newStartEmail(c, &moved)
	if err != nil {
		return nil, nil, nil, err
	}
	return append([]UserChange{change}, changes...), []Email{startEmail}, next, nil
}

// ParseRole reads a role as operators type it: manager, coordinator or
// user, or the API's names.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "manager", string(RoleManager):
		return RoleManager, nil
	case "coordinator", string(RoleCoordinator):
		return RoleCoordinator, nil
	case string(RoleUser):
		return RoleUser, nil
	}
	return "", fmt.Errorf("role %q: want manager, coordinator or user", clip.Text(s, 60))
}

// OperatorSetRole changes a user's role; a contract keeps at least one
// contract manager.
func (s *Service) OperatorSetRole(ctx context.Context, id string, role Role, contractID, actor string) (*User, error) {
	u, err := s.FindMember(ctx, id, contractID)
	if err != nil {
		return nil, err
	}
	var changed *User
	err = s.store.ChangeUsers(ctx, u.ContractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		managers := 0
		var target *User
		for _, x := range users {
			if x.Role == RoleManager {
				managers++
			}
			if x.ID == u.ID {
				target = x
			}
		}
		switch {
		case target == nil:
			return nil, nil, fmt.Errorf("user %s: %w", u.ID, ErrNotFound)
		case target.Role == RoleManager && role != RoleManager && managers == 1:
			return nil, nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldUsers, api.FieldLastManager,
				"a contract keeps at least one contract manager: make another user manager first")}}
		}
		next := *target
		next.Role = role
		changed = &next
		if target.Role == role {
			return nil, nil, nil
		}
		return []UserChange{{Kind: "update", User: &next, Detail: "role " + string(target.Role) + " -> " + string(role)}}, nil, nil
	}, actor)
	if err != nil {
		return nil, err
	}
	s.operatorEvent(ctx, "operator changed a user's role", "operator_set_role", actor, u, slog.String("role", string(role)))
	return changed, nil
}

// ContractUpdate is what an operator changes of a contract; nil or zero
// leaves a value as it is.
type ContractUpdate struct {
	Seats     map[string]int // product → seats; "" for the contract's only product
	CallerCap *int
	Ends      time.Time
	// ManagerEmail corrects the address of the contract's only manager
	// (a new start email goes to it).
	ManagerEmail string
	// Language of the contract's emails and pages (en, fr); "" keeps it.
	Language string
}

// UpdateContract applies an operator's changes to a contract, all or none.
func (s *Service) UpdateContract(ctx context.Context, id string, up ContractUpdate, actor string) (*ContractDetail, error) {
	if !plausibleID(id) {
		return nil, fmt.Errorf("contract %q: %w", clip.Text(id, 60), ErrNotFound)
	}
	id = strings.ToUpper(id)
	var detail []string
	err := s.store.ChangeUsers(ctx, id, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		detail = nil
		next := *c
		next.Products = slices.Clone(c.Products)
		var inv InvalidError
		for product, n := range up.Seats {
			if product == "" {
				if len(c.Products) != 1 {
					inv.add(fieldError(api.FieldSeats, api.FieldBadSeats, fmt.Sprintf("contract %s has %d products: name one (PRODUCT:SEATS)", c.ID, len(c.Products))))
					continue
				}
				product = c.Products[0].Product
			}
			i := slices.IndexFunc(next.Products, func(p Seats) bool { return p.Product == product })
			if i < 0 {
				inv.add(fieldError(api.FieldProducts, api.FieldUnknownProduct, fmt.Sprintf("%q is not in contract %s", clip.Text(product, 60), c.ID)))
				continue
			}
			holders := 0
			for _, u := range users {
				if slices.Contains(u.Products, product) {
					holders++
				}
			}
			switch {
			case n <= 0 || n > maxContractSeats:
				inv.add(fieldError(api.FieldSeats, api.FieldBadSeats, fmt.Sprintf("product %s: seats %d: want 1 to %d", product, n, maxContractSeats)))
			case n < holders:
				inv.add(fieldError(api.FieldSeats, api.FieldSeatCap, fmt.Sprintf("product %s: %d users hold it: at least %d seats", product, holders, holders)))
			default:
				detail = append(detail, fmt.Sprintf("seats %s %d -> %d", product, next.Products[i].Seats, n))
				next.Products[i].Seats = n
			}
		}
		if up.CallerCap != nil {
			callers := 0
			for _, u := range users {
				if u.Caller {
					callers++
				}
			}
			switch n := *up.CallerCap; {
			case c.Plan != PlanAdvanced:
				inv.add(fieldError(api.FieldCallers, api.FieldNeedsAdvanced, "designated callers need the advanced support plan"))
			case n < 1 || n > 1000:
				inv.add(fieldError(api.FieldCallers, api.FieldBadSeats, fmt.Sprintf("callers cap %d: want 1 to 1000", n)))
			case n < callers:
				inv.add(fieldError(api.FieldCallers, api.FieldSeatCap, fmt.Sprintf("%d users are designated callers: at least %d", callers, callers)))
			default:
				detail = append(detail, fmt.Sprintf("callers cap %d -> %d", c.CallerCap, n))
				next.CallerCap = n
			}
		}
		if !up.Ends.IsZero() {
			if !up.Ends.After(c.Starts) {
				inv.add(fieldError(fieldEnds, fieldBadDate, fmt.Sprintf("end %s: want a date after the start, %s", up.Ends.Format(time.DateOnly), c.Starts.Format(time.DateOnly))))
			} else {
				detail = append(detail, fmt.Sprintf("ends %s -> %s", c.Ends.Format(time.DateOnly), up.Ends.Format(time.DateOnly)))
				next.Ends = up.Ends.UTC()
			}
		}
		if up.Language != "" {
			if e := checkLanguage(api.FieldLanguage, up.Language, false); e != nil {
				inv.add(e)
			} else if up.Language != contractLanguage(c) {
				detail = append(detail, fmt.Sprintf("language %s -> %s", contractLanguage(c), up.Language))
				next.Language = up.Language
			}
		}
		var changes []UserChange
		var emails []Email
		if up.ManagerEmail != "" {
			var managers []*User
			for _, u := range users {
				if u.Role == RoleManager {
					managers = append(managers, u)
				}
			}
			if len(managers) != 1 {
				var ids []string
				for _, m := range managers {
					ids = append(ids, m.ID)
				}
				inv.add(fieldError(api.FieldManagerEmail, fieldAmbiguous, fmt.Sprintf("contract %s has %d managers (%s): correct one with portal users set-email ID EMAIL",
					c.ID, len(managers), strings.Join(ids, ", "))))
			} else {
				ch, em, _, err := s.emailChange(ctx, &next, users, managers[0].ID, up.ManagerEmail)
				if err != nil {
					return nil, nil, err
				}
				changes, emails = ch, em
				detail = append(detail, "manager "+managers[0].ID+" email -> "+ch[0].User.Email)
			}
		}
		if err := inv.orNil(); err != nil {
			return nil, nil, err
		}
		if next.CallerCap != c.CallerCap || !next.Ends.Equal(c.Ends) || !slices.Equal(next.Products, c.Products) || next.Language != c.Language {
			changes = append(changes, UserChange{Kind: "contract", Contract: &next, Detail: strings.Join(detail, "; ")})
		}
		return changes, emails, nil
	}, actor)
	if err != nil {
		return nil, err
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "operator changed a contract", slog.String("event", "operator_contract_update"),
		slog.String("actor", actor), slog.String("contract_id", id), slog.String("detail", strings.Join(detail, "; ")))
	return s.ContractDetail(ctx, id)
}

func (s *Service) operatorEvent(ctx context.Context, msg, event, actor string, u *User, attrs ...slog.Attr) {
	s.log.LogAttrs(ctx, slog.LevelWarn, msg, append([]slog.Attr{slog.String("event", event), slog.String("actor", actor),
		slog.String("user_id", u.ID), slog.String("contract_id", u.ContractID)}, attrs...)...)
}

// Fields and codes only operators see (on the command line): the API's
// clients never meet them.
const (
	fieldEnds      = "ends"
	fieldBadDate   = "bad_date"
	fieldAmbiguous = "ambiguous"
)

// PasswordState says, for an operator, where the user's password stands:
// their own, or a temporary one unused, used up or expired.
func (u *User) PasswordState(now time.Time) string {
	switch {
	case !u.MustChangePassword:
		return "own password"
	case u.tempUsed:
		return "temporary password used up by a sign-in that chose no new password"
	case !u.tempExpires.IsZero() && !now.Before(u.tempExpires):
		return "temporary password expired " + u.tempExpires.UTC().Format("2006-01-02 15:04 MST")
	case !u.tempExpires.IsZero():
		return "temporary password unused, until " + u.tempExpires.UTC().Format("2006-01-02 15:04 MST")
	}
	return "temporary password unused"
}
