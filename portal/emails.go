package portal

import (
	"onramp.dev/onramp/api"

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

// EmailsInUse returns which of emails belong to users of contracts other
// than exceptContract ("" for any contract).
func (s *SQLite) EmailsInUse(ctx context.Context, emails []string, exceptContract string) (map[string]bool, error) {
	taken := map[string]bool{}
	for len(emails) > 0 {
		chunk := emails[:min(len(emails), 500)] // SQLite's bound-parameter limit
		emails = emails[len(chunk):]
		args := []any{exceptContract}
		for _, e := range chunk {
			args = append(args, normalEmail(e))
		}
		rows, err := s.db.QueryContext(ctx, `SELECT email FROM users WHERE contract_id <> ? AND email IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return nil, err
			}
			taken[e] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return taken, nil
}

// markTakenEmails adds an email_taken line for each row whose address
// belongs to another contract's user. The unique index stays the last
// word: an address taken between this check and the write fails the
// whole import with ErrEmailTaken.
func (s *Service) markTakenEmails(ctx context.Context, contractID string, rows []importRow, bad []RowError) ([]RowError, error) {
	var emails []string
	for _, r := range rows {
		if !r.invalid {
			emails = append(emails, r.email)
		}
	}
	if len(emails) == 0 {
		return bad, nil
	}
	taken, err := s.store.EmailsInUse(ctx, emails, contractID)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if !rows[i].invalid && taken[rows[i].email] {
			rows[i].invalid = true
			bad = append(bad, RowError{Line: rows[i].line, Code: api.RowEmailTaken, Reason: rows[i].email + ": " + ErrEmailTaken.Error()})
		}
	}
	return bad, nil
}

// importProblem is the status and code of a refused import: when every
// bad line has the same problem of authority or conflict, that problem
// (403 manager_protected, 409 email_taken); 422 bad_rows otherwise.
func importProblem(ie *ImportError) (int, string) {
	statuses := map[string]int{"email_taken": 409, "manager_protected": 403}
	if len(ie.Rows) == 0 || statuses[ie.Rows[0].Code] == 0 {
		return 422, "bad_rows"
	}
	for _, r := range ie.Rows {
		if r.Code != ie.Rows[0].Code {
			return 422, "bad_rows"
		}
	}
	return statuses[ie.Rows[0].Code], ie.Rows[0].Code
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
