package portal

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// contractEmails lists a contract's users' addresses, whole and page by
// page (one a page), and fails unless both are want.
func contractEmails(t *testing.T, s *SQLStore, contractID string, want ...string) {
	t.Helper()
	ctx := context.Background()
	users, err := s.ListUsers(ctx, contractID)
	if err != nil {
		t.Fatal(err)
	}
	var list, paged []string
	for _, u := range users {
		list = append(list, u.Email)
	}
	for offset := range len(want) + 1 {
		page, total, err := s.ListUsersPage(ctx, contractID, offset, 1)
		if err != nil || total != len(want) {
			t.Fatalf("page at %d of %s: total %d, %v", offset, contractID, total, err)
		}
		for _, u := range page {
			paged = append(paged, u.Email)
		}
	}
	if !slices.Equal(list, want) || !slices.Equal(paged, want) {
		t.Errorf("users of %s: list %v, pages %v, want %v", contractID, list, paged, want)
	}
}

// sameMemberEmails fails unless every membership's copy of the address is
// its account's.
func sameMemberEmails(t *testing.T, s *SQLStore, memberships int) {
	t.Helper()
	var n, same int
	if err := s.db.QueryRowContext(context.Background(), `SELECT count(*), count(*) FILTER (WHERE m.email = u.email)
		FROM memberships m JOIN users u ON u.id = m.user_id`).Scan(&n, &same); err != nil {
		t.Fatal(err)
	}
	if n != memberships || same != n {
		t.Errorf("%d memberships carry their account's address, of %d; want %d", same, n, memberships)
	}
}

// checkMigratedMemberEmails checks a store migrated from version13Rows:
// the copies, the lists in address order, and the copies following a
// change of address on every contract of the person.
func checkMigratedMemberEmails(t *testing.T, s *SQLStore) {
	t.Helper()
	sameMemberEmails(t, s, 4)
	contractEmails(t, s, "CA", "adam@acme.example", "mia@both.example", "zoe@acme.example")
	contractEmails(t, s, "CB", "mia@both.example")
	if err := s.ChangeUsers(context.Background(), "CB", func(_ *Contract, users []*User) ([]UserChange, []Email, error) {
		moved := *users[0]
		moved.Email = "aaron@both.example"
		return []UserChange{{Kind: "email", User: &moved}}, nil, nil
	}, "test"); err != nil {
		t.Fatal(err)
	}
	sameMemberEmails(t, s, 4)
	contractEmails(t, s, "CA", "aaron@both.example", "adam@acme.example", "zoe@acme.example")
	contractEmails(t, s, "CB", "aaron@both.example")
}

// A database at schema version 13 gets its memberships' copies of the
// addresses, on SQLite; the list's page is then read through the
// (contract, email) index, without sorting the contract.
func TestMigrationToMemberEmailsSQLite(t *testing.T) {
	s := sqliteFromVersion(t, 13, version13Rows)
	checkMigratedMemberEmails(t, s)
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN `+usersPageQuery, "CA", 1000, 4000)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "\n"); strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "memberships_contract_email") {
		t.Errorf("a page of users is not read in the index's order:\n%s", p)
	}
}

// The same on PostgreSQL.
func TestMigrationToMemberEmailsPostgres(t *testing.T) {
	s := postgresFromVersion(t, 13, version13Rows)
	checkMigratedMemberEmails(t, s)
}

// version13Rows fill a schema at version 13: two contracts, addresses
// whose order is not their IDs', and a person (Mia) on both contracts.
var version13Rows = []string{
	`INSERT INTO contracts (id, company, plan, caller_cap, starts, ends, created, language, started) VALUES
		('CA', 'Acme', 'advanced', 2, '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'fr', '2026-01-01T00:00:00Z'),
		('CB', 'Bolt', 'standard', 0, '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'en', NULL)`,
	`INSERT INTO users (id, email, name, password_hash, must_change_password, created, phone, temp_expires, temp_used, language) VALUES
		('U1', 'zoe@acme.example', 'Zoé', 'hash-z', 0, '2026-01-01T00:00:00Z', '', NULL, 0, ''),
		('U2', 'adam@acme.example', 'Adam', 'hash-a', 1, '2026-01-03T00:00:00Z', '', '2026-01-10T00:00:00Z', 0, 'en'),
		('U3', 'mia@both.example', 'Mia', 'hash-m', 0, '2026-01-02T00:00:00Z', '', NULL, 0, 'fr')`,
	`INSERT INTO memberships (user_id, contract_id, role, joined) VALUES
		('U1', 'CA', 'contract_manager', '2026-01-01T00:00:00Z'), ('U2', 'CA', 'user', '2026-01-03T00:00:00Z'),
		('U3', 'CA', 'user', '2026-01-04T00:00:00Z'), ('U3', 'CB', 'contract_manager', '2026-01-02T00:00:00Z')`,
}
