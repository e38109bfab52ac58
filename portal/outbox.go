package portal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ClaimOutbox leases up to limit unsent emails that no other mailer holds:
// on PostgreSQL, rows another replica is claiming are passed over (SKIP
// LOCKED), and the outer conditions are checked again on the row as it is
// once locked, so two claims never take one email.
func (s *SQLStore) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Email, error) {
	// A waiting notice (not_before) is not due yet.
	free := `sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?) AND (not_before IS NULL OR not_before <= ?)`
	rows, err := s.w.QueryContext(ctx, `UPDATE outbox SET claimed_until = ?
		WHERE id IN (SELECT id FROM outbox WHERE `+free+` ORDER BY id LIMIT ?`+s.skipLocked()+`) AND `+free+`
		RETURNING id, to_addr, kind, subject, body, html, created`,
		limitTS(now.Add(lease)), limitTS(now), limitTS(now), limit, limitTS(now), limitTS(now))
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	defer rows.Close()
	var out []Email
	for rows.Next() {
		var e Email
		var created string
		if err := rows.Scan(&e.ID, &e.To, &e.Kind, &e.Subject, &e.Body, &e.HTML, &created); err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		e.Created = parseTS(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	slices.SortFunc(out, func(a, b Email) int { return int(a.ID - b.ID) })
	return out, nil
}

// ReleaseOutbox ends the leases of the given emails that are still unsent.
func (s *SQLStore) ReleaseOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	_, err := s.w.ExecContext(ctx, `UPDATE outbox SET claimed_until = NULL WHERE sent_at IS NULL AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...)
	return err
}
