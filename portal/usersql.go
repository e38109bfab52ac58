package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"onramp.dev/onramp/catalog"
)

// queryer is what both *sql.DB and *sql.Tx offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// listUsers reads every user of a contract with their products, benefits
// and caller flag, in three queries whatever the number of users.
func listUsers(ctx context.Context, q queryer, contractID string) ([]*User, error) {
	users, byID, err := scanUsers(ctx, q, `WHERE m.contract_id = ? ORDER BY m.email`, contractID)
	if err != nil {
		return nil, err
	}
	return users, addGrants(ctx, q, byID, contractID, `(SELECT user_id FROM memberships WHERE contract_id = ?)`, contractID)
}

// scanUsers reads the users that tail (a WHERE clause and more, with
// args, over users u and memberships m) selects.
func scanUsers(ctx context.Context, q queryer, tail string, args ...any) ([]*User, map[string]*User, error) {
	return scanUserRows(ctx, q, `SELECT `+userColumns+userFrom+tail, args...)
}

// scanUserRows reads the users a query of userColumns selects.
func scanUserRows(ctx context.Context, q queryer, query string, args ...any) ([]*User, map[string]*User, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	users := []*User{}
	byID := map[string]*User{}
	for rows.Next() {
		u := &User{Products: []string{}, Benefits: []catalog.Benefit{}}
		var created, tempExpires, since string
		if err := rows.Scan(&u.ID, &u.ContractID, &u.Email, &u.Name, &u.Role, &u.passwordHash, &u.MustChangePassword, &created, &u.Phone, &u.Caller, &tempExpires, &u.tempUsed, &u.Language, &since); err != nil {
			return nil, nil, err
		}
		u.Created, u.tempExpires, u.accountCreated = parseTS(created), parseTS(tempExpires), parseTS(since)
		users = append(users, u)
		byID[u.ID] = u
	}
	return users, byID, rows.Err()
}

// addGrants gives the users of byID their products and benefits on a
// contract: those of the user IDs that in (a parenthesised list or
// subquery, with args) names.
func addGrants(ctx context.Context, q queryer, byID map[string]*User, contractID, in string, args ...any) error {
	for _, t := range []string{"user_products", "user_benefits"} {
		col := "product"
		if t == "user_benefits" {
			col = "benefit"
		}
		rows, err := q.QueryContext(ctx, `SELECT t.user_id, t.`+col+` FROM `+t+` t WHERE t.contract_id = ? AND t.user_id IN `+in+` ORDER BY 2`, append([]any{contractID}, args...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return err
			}
			if u := byID[id]; u != nil {
				if col == "product" {
					u.Products = append(u.Products, v)
				} else {
					u.Benefits = append(u.Benefits, catalog.Benefit(v))
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ListUsers lists a contract's users by email.
func (s *SQLStore) ListUsers(ctx context.Context, contractID string) ([]*User, error) {
	return listUsers(ctx, s.db, contractID)
}

// ListUsersPage reads one page of a contract's users by email, through
// the memberships' (contract_id, email) index, and counts them all: the
// page is chosen in the index alone, and only its users are joined to
// their accounts (not the whole contract, sorted). The page's
// products and benefits are read by the page's own IDs: a user added or
// removed meanwhile cannot shift the page between the queries and leave a
// user shown without them.
func (s *SQLStore) ListUsersPage(ctx context.Context, contractID string, offset, limit int) ([]*User, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE contract_id = ?`, contractID).Scan(&total); err != nil {
		return nil, 0, err
	}
	users, byID, err := scanUserRows(ctx, s.db, usersPageQuery, contractID, limit, offset)
	if err != nil || len(users) == 0 {
		return users, total, err
	}
	ids := make([]any, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	in := "(?" + strings.Repeat(",?", len(ids)-1) + ")"
	return users, max(total, offset+len(users)), addGrants(ctx, s.db, byID, contractID, in, ids...)
}

// usersPageQuery reads a page of a contract's users (contract ID, limit,
// offset): the page's memberships from the index, then their accounts.
const usersPageQuery = `SELECT ` + userColumns + ` FROM (SELECT user_id, contract_id, role, joined, email FROM memberships
	WHERE contract_id = ? ORDER BY email LIMIT ? OFFSET ?) m JOIN users u ON u.id = m.user_id ORDER BY m.email`

// SearchUsersPage is ListUsersPage for the users that have, for each
// word of the query, a search term it begins (see searchTerms): each word
// reads one range of the (contract_id, term) index, and only the page's
// users are read whole.
func (s *SQLStore) SearchUsersPage(ctx context.Context, contractID string, words []string, offset, limit int) ([]*User, int, error) {
	matches, args := matchingUsers(contractID, words)
	// The page's IDs and the count of every match in one reading of the
	// terms' index; then the page's users whole.
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, COUNT(*) OVER () FROM (`+matches+`) m ORDER BY email LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	var ids []any
	total := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &total); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		// Past the last page: the count alone.
		if offset > 0 {
			if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+matches+`) m`, args...).Scan(&total); err != nil {
				return nil, 0, err
			}
		}
		return []*User{}, total, nil
	}
	in := "(?" + strings.Repeat(",?", len(ids)-1) + ")"
	users, byID, err := scanUsers(ctx, s.db, `WHERE m.contract_id = ? AND u.id IN `+in+` ORDER BY m.email`, append([]any{contractID}, ids...)...)
	if err != nil {
		return nil, 0, err
	}
	return users, max(total, offset+len(users)), addGrants(ctx, s.db, byID, contractID, in, ids...)
}

// matchingUsers is a query of the IDs of the users of a contract with a
// term beginning with each word, and its arguments.
func matchingUsers(contractID string, words []string) (string, []any) {
	var q []string
	var args []any
	for _, w := range words {
		q = append(q, `SELECT user_id, email FROM user_terms WHERE contract_id = ? AND term >= ? AND term < ?`)
		args = append(args, contractID, w, w+string(utf8.MaxRune))
	}
	if len(q) == 1 {
		return `SELECT DISTINCT user_id, email FROM user_terms WHERE contract_id = ? AND term >= ? AND term < ?`, args
	}
	return strings.Join(q, ` INTERSECT `), args
}

// changeUsers applies a plan made under the write lock (ChangeUsers
// retries it).
func (s *SQLStore) changeUsers(ctx context.Context, contractID string, plan func(*Contract, []*User) ([]UserChange, []Email, error), actor string) error {
	tx, err := s.w.BeginTx(ctx, nil) // _txlock=immediate: the write lock now
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.lockContract(ctx, tx, contractID); err != nil {
		return err
	}
	// Read under the lock: a start, a cap or a language changed meanwhile
	// is what this plan must see.
	c, err := contractInTx(ctx, tx, contractID)
	if err != nil {
		return err
	}
	users, err := listUsers(ctx, tx, contractID)
	if err != nil {
		return err
	}
	changes, emails, err := plan(c, users)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		switch ch.Kind {
		case "create":
			if err := insertUser(ctx, tx, ch.User, ch.PasswordHash, ch.User.joining); err != nil {
				return err
			}
		case "update":
			res, err := tx.ExecContext(ctx, `UPDATE memberships SET role = ? WHERE user_id = ? AND contract_id = ?`, ch.User.Role, ch.User.ID, contractID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("user %s: %w", ch.User.ID, ErrNotFound)
			}
			// The name and language are the person's, on every contract:
			// their terms too.
			if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, language = ? WHERE id = ?`, ch.User.Name, ch.User.Language, ch.User.ID); err != nil {
				return err
			}
			if err := setAllSearchTerms(ctx, tx, ch.User.ID, ch.User.Email, ch.User.Name); err != nil {
				return err
			}
			for _, q := range []string{`DELETE FROM user_products WHERE user_id = ? AND contract_id = ?`, `DELETE FROM user_benefits WHERE user_id = ? AND contract_id = ?`} {
				if _, err := tx.ExecContext(ctx, q, ch.User.ID, contractID); err != nil {
					return err
				}
			}
			if err := insertGrants(ctx, tx, ch.User); err != nil {
				return err
			}
		case "start_email":
			if err := resetTemporaryPassword(ctx, tx, contractID, ch); err != nil {
				return err
			}
		case "contract_start":
			// Once: a second start (two commands, or housekeeping beside
			// `portal contract start`) finds it started and sends nothing.
			res, err := tx.ExecContext(ctx, `UPDATE contracts SET started = ? WHERE id = ? AND started IS NULL`, ts(*ch.Started), contractID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("contract %s: %w", contractID, ErrStarted)
			}
			if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "contract.start", Detail: ch.Detail}); err != nil {
				return err
			}
			continue
		case "caller_add":
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM callers WHERE contract_id = ?`, contractID).Scan(&n); err != nil {
				return err
			}
			if n >= c.CallerCap {
				return fmt.Errorf("%w (%d of %d)", ErrCallerCap, n, c.CallerCap)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO callers (contract_id, user_id) VALUES (?, ?)`, contractID, ch.User.ID); err != nil {
				return err
			}
			if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "caller.add", Detail: ch.User.ID}); err != nil {
				return err
			}
			continue
		case "caller_remove":
			if _, err := tx.ExecContext(ctx, `DELETE FROM callers WHERE contract_id = ? AND user_id = ?`, contractID, ch.User.ID); err != nil {
				return err
			}
			if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "caller.remove", Detail: ch.User.ID}); err != nil {
				return err
			}
			continue
		case "email":
			if err := changeEmail(ctx, tx, contractID, ch.User); err != nil {
				return err
			}
		case "contract":
			if err := updateContract(ctx, tx, ch.Contract); err != nil {
				return err
			}
			if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "contract.update", Detail: ch.Detail}); err != nil {
				return err
			}
			continue
		case "delete":
			if err := deleteMembership(ctx, tx, ch.User.ID, contractID); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown change %q", ch.Kind)
		}
		if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "user." + ch.Kind, Detail: ch.User.ID + " " + ch.User.Email + " " + ch.Detail}); err != nil {
			return err
		}
	}
	for _, e := range emails {
		if err := queueEmail(ctx, tx, e); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SetProfile updates what a person may change of their own account,
// recorded on each of their contracts.
func (s *SQLStore) SetProfile(ctx context.Context, userID, name, phone string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var email string
	if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email); err != nil {
		return ErrNotFound
	}
	contracts, err := contractsOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, phone = ? WHERE id = ?`, name, phone, userID); err != nil {
		return err
	}
	if err := setAllSearchTerms(ctx, tx, userID, email, name); err != nil {
		return err
	}
	for _, c := range contracts {
		if err := audit(ctx, tx, AuditEntry{Actor: userID, ContractID: c, Action: "user.profile", Detail: userID}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SetLanguage sets the language of a person's emails and pages.
func (s *SQLStore) SetLanguage(ctx context.Context, userID, language string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET language = ? WHERE id = ?`, language, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// deleteMembership takes a person off a contract, inside ChangeUsers's
// transaction: their products, benefits, designation, search terms and
// waiting notices there go. Their account, and with it their sessions,
// stays while they belong to another contract; with their last
// membership it goes, with its sessions and links.
func deleteMembership(ctx context.Context, tx *sql.Tx, userID, contractID string) error {
	for _, q := range []string{
		`DELETE FROM callers WHERE user_id = ? AND contract_id = ?`,
		`DELETE FROM user_terms WHERE user_id = ? AND contract_id = ?`,
		`DELETE FROM outbox WHERE user_id = ? AND contract_id = ? AND sent_at IS NULL AND claimed_until IS NULL`,
		`DELETE FROM memberships WHERE user_id = ? AND contract_id = ?`, // its products and benefits cascade
	} {
		if _, err := tx.ExecContext(ctx, q, userID, contractID); err != nil {
			return err
		}
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE user_id = ?`, userID).Scan(&left); err != nil {
		return err
	}
	if left > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID)
	return err
}

// Callers lists the designated callers' user IDs.
func (s *SQLStore) Callers(ctx context.Context, contractID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM callers WHERE contract_id = ? ORDER BY user_id`, contractID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetCaller designates (or un-designates) a caller, counting under the lock.
func (s *SQLStore) SetCaller(ctx context.Context, contractID, userID string, designate bool, cap int, actor string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.lockContract(ctx, tx, contractID); err != nil {
		return err
	}
	var member int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE user_id = ? AND contract_id = ?`, userID, contractID).Scan(&member); err != nil || member != 1 {
		return fmt.Errorf("user %s: %w", userID, ErrNotFound)
	}
	if !designate {
		if _, err := tx.ExecContext(ctx, `DELETE FROM callers WHERE contract_id = ? AND user_id = ?`, contractID, userID); err != nil {
			return err
		}
	} else {
		var n int
		var already bool
		tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE user_id = ?) > 0 FROM callers WHERE contract_id = ?`, userID, contractID).Scan(&n, &already)
		if already {
			return tx.Commit()
		}
		if n >= cap {
			return fmt.Errorf("%w (%d of %d)", ErrCallerCap, n, cap)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO callers (contract_id, user_id) VALUES (?, ?)`, contractID, userID); err != nil {
			return err
		}
	}
	action := "caller.add"
	if !designate {
		action = "caller.remove"
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: action, Detail: userID}); err != nil {
		return err
	}
	return tx.Commit()
}

// RegisterSeat records a machine for a product; a machine already
// registered costs no new seat. It returns the seats in use.
func (s *SQLStore) RegisterSeat(ctx context.Context, contractID string, reg SeatRegistration, limit int, actor string) (int, error) {
	machineID, hostname, product := reg.MachineID, reg.Hostname, reg.Product
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if err := s.lockContract(ctx, tx, contractID); err != nil {
		return 0, err
	}
	var n int
	var known bool
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE machine_id = ?) > 0 FROM seats WHERE contract_id = ? AND product = ?`,
		machineID, contractID, product).Scan(&n, &known); err != nil {
		return 0, err
	}
	if known {
		return n, tx.Commit()
	}
	if n >= limit {
		return n, fmt.Errorf("%s: %w (%d of %d in use)", product, ErrNoSeats, n, limit)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO seats (id, contract_id, product, machine_id, hostname, registered, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		newSeatID(), contractID, product, machineID, strings.TrimSpace(hostname), ts(time.Now()), actor); err != nil {
		return 0, err
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "seat.register", Detail: product + " " + hostname}); err != nil {
		return 0, err
	}
	return n + 1, tx.Commit()
}

// SaveSeatKey records a new seat registration key.
func (s *SQLStore) SaveSeatKey(ctx context.Context, k SeatKey, actor string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO seat_keys (hash, id, contract_id, products, created_by, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.Hash, seatKeyID(k.Hash), k.ContractID, strings.Join(k.Products, ","), k.CreatedBy, ts(k.Created), ts(k.Expires)); err != nil {
		return err
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: k.ContractID, Action: "seat_key.create", Detail: strings.Join(k.Products, ",") + " until " + ts(k.Expires)}); err != nil {
		return err
	}
	return tx.Commit()
}

// SeatKeyByHash finds a seat registration key, or ErrNotFound.
func (s *SQLStore) SeatKeyByHash(ctx context.Context, hash string) (*SeatKey, error) {
	var k SeatKey
	var products, created, expires string
	err := s.db.QueryRowContext(ctx, `SELECT hash, id, contract_id, products, created_by, created, expires, revoked FROM seat_keys WHERE hash = ?`, hash).
		Scan(&k.Hash, &k.ID, &k.ContractID, &products, &k.CreatedBy, &created, &expires, &k.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	k.Products = strings.Split(products, ",")
	k.Created, k.Expires = parseTS(created), parseTS(expires)
	return &k, nil
}

// changeEmail gives a person a new address, inside ChangeUsers's
// transaction (contractID: a contract they belong to). Unsent start
// emails to the old address go: their password is replaced by the start
// email to the new one.
func changeEmail(ctx context.Context, tx *sql.Tx, contractID string, u *User) error {
	var old string
	if err := tx.QueryRowContext(ctx, `SELECT u.email`+userFrom+`WHERE u.id = ? AND m.contract_id = ?`, u.ID, contractID).Scan(&old); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %s: %w", u.ID, ErrNotFound)
		}
		return err
	}
	if err := setAccountEmail(ctx, tx, u.ID, u.Email); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("user %s: %w", u.Email, ErrEmailTaken)
		}
		return err
	}
	if err := setAllSearchTerms(ctx, tx, u.ID, u.Email, u.Name); err != nil {
		return err
	}
	// Nothing still waiting goes to the old address (it may be someone
	// else's): not a start email, a notice, nor a lost-password link, and
	// the links already sent there stop working.
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at IS NULL AND (to_addr = ? OR user_id = ?)`, old, u.ID); err != nil {
		return err
	}
	return endLinks(ctx, tx, u.ID)
}

// setAccountEmail gives an account a new address, and each of its
// memberships the copy that a contract's list of users is ordered by.
func setAccountEmail(ctx context.Context, tx *sql.Tx, userID, email string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ? WHERE id = ?`, email, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE memberships SET email = ? WHERE user_id = ?`, email, userID)
	return err
}

// endLinks ends the links a user was sent: their start pages and their
// lost-password links.
func endLinks(ctx context.Context, tx *sql.Tx, userID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM page_tokens WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = ?`, userID)
	return err
}

// updateContract writes a contract's caller cap, end and seats, inside
// ChangeUsers's transaction.
func updateContract(ctx context.Context, tx *sql.Tx, c *Contract) error {
	if _, err := tx.ExecContext(ctx, `UPDATE contracts SET caller_cap = ?, ends = ?, language = ? WHERE id = ?`, c.CallerCap, ts(c.Ends), contractLanguage(c), c.ID); err != nil {
		return err
	}
	for _, p := range c.Products {
		if _, err := tx.ExecContext(ctx, `UPDATE contract_products SET seats = ? WHERE contract_id = ? AND product = ?`, p.Seats, c.ID, p.Product); err != nil {
			return err
		}
	}
	return nil
}
