package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrEmailTaken: the address already belongs to an account. An address is
// one person's sign-in across the whole service; which contract holds it
// is never said.
var ErrEmailTaken = errors.New("this email address already belongs to an Onramp account: use another address, or ask support to move the account")

// normalEmail is the form addresses are stored and compared in.
func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Accounts returns the accounts that of emails have, by email: the
// person's account fields only (ContractID and Role are empty).
func (s *SQLStore) Accounts(ctx context.Context, emails []string) (map[string]*User, error) {
	found := map[string]*User{}
	for len(emails) > 0 {
		chunk := emails[:min(len(emails), 500)] // SQLite's bound-parameter limit
		emails = emails[len(chunk):]
		args := []any{}
		for _, e := range chunk {
			args = append(args, normalEmail(e))
		}
		rows, err := s.db.QueryContext(ctx, `SELECT id, email, name, language, must_change_password FROM users WHERE email IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			u := &User{}
			if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Language, &u.MustChangePassword); err != nil {
				rows.Close()
				return nil, err
			}
			found[u.Email] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// accountsOf returns the accounts the addresses of rows already have.
// Looked up before the contract's lock: an account created between this
// and the write makes the write fail with ErrEmailTaken, and the caller
// plans again (see applyRows).
func (s *Service) accountsOf(ctx context.Context, rows []importRow) (map[string]*User, error) {
	var emails []string
	for _, r := range rows {
		if !r.invalid {
			emails = append(emails, r.email)
		}
	}
	if len(emails) == 0 {
		return map[string]*User{}, nil
	}
	return s.store.Accounts(ctx, emails)
}

// ErrDuplicateEmails: an older database holds an address on several
// accounts, which the unique index refuses; the portal does not choose
// which account keeps it.
var ErrDuplicateEmails = errors.New("an email address belongs to several accounts; find them with " +
	"\"SELECT email, id, contract_id FROM users WHERE email IN (SELECT email FROM users GROUP BY email HAVING count(*) > 1)\", " +
	"give each account its own address, then start the portal again")

// migrationError says what to do when a migration meets such data.
func migrationError(err error) error {
	if strings.Contains(err.Error(), "users.email") {
		return fmt.Errorf("%w (%v)", ErrDuplicateEmails, err)
	}
	return err
}
