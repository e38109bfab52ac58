package portal

import (
	"context"
	"fmt"
	"strings"
)

// newSeatID names a seat for the admin who releases it.
func newSeatID() string { return "S" + randomString(8, idAlphabet) }

// seatKeyID is how admins name a seat key: the start of its hash, which
// reveals nothing of the key, and is what the audit log records.
func seatKeyID(hash string) string { return hash[:12] }

// Seats lists a contract's seats by product and hostname.
func (s *SQLStore) Seats(ctx context.Context, contractID string) ([]Seat, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, product, machine_id, hostname, registered, registered_by FROM seats WHERE contract_id = ? ORDER BY product, hostname, id`, contractID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Seat{}
	for rows.Next() {
		var st Seat
		var registered string
		if err := rows.Scan(&st.ID, &st.Product, &st.MachineID, &st.Hostname, &registered, &st.RegisteredBy); err != nil {
			return nil, err
		}
		st.Registered = parseTS(registered)
		out = append(out, st)
	}
	return out, rows.Err()
}

// ReleaseSeat deletes a seat of the contract, or answers ErrNotFound.
func (s *SQLStore) ReleaseSeat(ctx context.Context, contractID, seatID, actor string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var product, hostname string
	if err := tx.QueryRowContext(ctx, `DELETE FROM seats WHERE contract_id = ? AND id = ? RETURNING product, hostname`, contractID, seatID).Scan(&product, &hostname); err != nil {
		return fmt.Errorf("seat %s: %w", seatID, ErrNotFound)
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "seat.release", Detail: seatID + " " + product + " " + hostname}); err != nil {
		return err
	}
	return tx.Commit()
}

// SeatKeys lists a contract's seat keys with the seats each registered.
func (s *SQLStore) SeatKeys(ctx context.Context, contractID string) ([]SeatKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT k.hash, k.id, k.products, k.created_by, k.created, k.expires, k.revoked,
		(SELECT count(*) FROM seats WHERE seats.contract_id = k.contract_id AND seats.registered_by = 'seat-key:' || k.id)
		FROM seat_keys k WHERE k.contract_id = ? ORDER BY k.created, k.id`, contractID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SeatKey{}
	for rows.Next() {
		k := SeatKey{ContractID: contractID}
		var products, created, expires string
		if err := rows.Scan(&k.Hash, &k.ID, &products, &k.CreatedBy, &created, &expires, &k.Revoked, &k.Seats); err != nil {
			return nil, err
		}
		k.Products = strings.Split(products, ",")
		k.Created, k.Expires = parseTS(created), parseTS(expires)
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeSeatKey marks a seat key revoked, or answers ErrNotFound.
func (s *SQLStore) RevokeSeatKey(ctx context.Context, contractID, keyID, actor string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE seat_keys SET revoked = 1 WHERE contract_id = ? AND id = ?`, contractID, keyID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("seat key %s: %w", keyID, ErrNotFound)
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: contractID, Action: "seat_key.revoke", Detail: keyID}); err != nil {
		return err
	}
	return tx.Commit()
}
