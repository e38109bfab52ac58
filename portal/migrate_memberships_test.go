package portal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/internal/pgtest"
)

// version12Rows fill a schema at version 12 (one user, one contract) with
// every kind of row the memberships migration moves: two contracts, their
// managers, a user with products, benefits, a designation, a phone, a
// language of her own and a temporary password; sessions, a waiting
// notice, links, search terms, seats, audit.
var version12Rows = []string{
	`INSERT INTO contracts (id, company, plan, caller_cap, starts, ends, created, language, started) VALUES
		('CA', 'Acme', 'advanced', 2, '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'fr', '2026-01-01T00:00:00Z'),
		('CB', 'Bolt', 'standard', 0, '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'en', NULL)`,
	`INSERT INTO contract_products (contract_id, product, seats) VALUES ('CA', 'atlas', 5), ('CA', 'quill', 2), ('CB', 'atlas', 1)`,
	`INSERT INTO users (id, contract_id, email, name, role, password_hash, must_change_password, created, phone, temp_expires, temp_used, language) VALUES
		('UMA', 'CA', 'mgr@acme.example', 'Élise', 'contract_manager', 'hash-a', 0, '2026-01-01T00:00:00Z', '', NULL, 0, ''),
		('UANA', 'CA', 'ana@acme.example', 'Ana', 'user', 'hash-ana', 1, '2026-01-03T00:00:00Z', '+33 1 23', '2026-01-10T00:00:00Z', 1, 'en'),
		('UMB', 'CB', 'mgr@bolt.example', 'Bo', 'software_coordinator', 'hash-b', 0, '2026-01-02T00:00:00Z', '', NULL, 0, 'fr')`,
	`INSERT INTO user_products (user_id, product) VALUES ('UMA', 'atlas'), ('UMA', 'quill'), ('UANA', 'quill'), ('UMB', 'atlas')`,
	`INSERT INTO user_benefits (user_id, benefit) VALUES ('UMA', 'download'), ('UANA', 'download'), ('UANA', 'install')`,
	`INSERT INTO callers (contract_id, user_id) VALUES ('CA', 'UANA')`,
	`INSERT INTO user_terms (contract_id, term, user_id, email) VALUES ('CA', 'ana', 'UANA', 'ana@acme.example'), ('CB', 'bo', 'UMB', 'mgr@bolt.example')`,
	`INSERT INTO tokens (hash, user_id, kind, family, expires) VALUES ('tok-ana', 'UANA', 'access', 'fam', '2036-01-01T00:00:00Z')`,
	`INSERT INTO outbox (to_addr, kind, subject, body, html, created, user_id, not_before) VALUES
		('ana@acme.example', 'benefits_changed', 's', 'b', '', '2026-01-03T00:00:00Z', 'UANA', '2036-01-01T00:00:00Z'),
		('mgr@bolt.example', 'order_confirmation', 's', 'b', '', '2026-01-02T00:00:00Z', NULL, NULL)`,
	`INSERT INTO page_tokens (hash, user_id, purpose, expires) VALUES ('page-ana', 'UANA', 'start', '2036-01-01T00:00:00Z')`,
	`INSERT INTO password_resets (hash, user_id, created, expires) VALUES ('reset-bo', 'UMB', '2026-01-02T00:00:00Z', '2036-01-01T00:00:00Z')`,
	`INSERT INTO seats (id, contract_id, product, machine_id, hostname, registered, registered_by) VALUES ('S1', 'CA', 'atlas', 'machine-0001', 'pc', '2026-01-04T00:00:00Z', 'seat-key:x')`,
	`INSERT INTO audit (at, actor, contract_id, action, detail) VALUES ('2026-01-03T00:00:00Z', 'UMA', 'CA', 'user.create', 'UANA')`,
}

// checkMigratedMemberships compares what the store reads after the
// migration with what version12Rows held.
func checkMigratedMemberships(t *testing.T, s *SQLStore) {
	t.Helper()
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	want := []User{
		{ID: "UMA", ContractID: "CA", Email: "mgr@acme.example", Name: "Élise", Role: RoleManager, Products: []string{"atlas", "quill"},
			Benefits: []catalog.Benefit{"download"}, Created: day(1), passwordHash: "hash-a"},
		{ID: "UANA", ContractID: "CA", Email: "ana@acme.example", Name: "Ana", Role: RoleUser, Phone: "+33 1 23", Products: []string{"quill"},
			Benefits: []catalog.Benefit{"download", "install"}, Caller: true, MustChangePassword: true, Created: day(3), Language: "en",
			passwordHash: "hash-ana", tempExpires: day(10), tempUsed: true},
		{ID: "UMB", ContractID: "CB", Email: "mgr@bolt.example", Name: "Bo", Role: RoleCoordinator, Products: []string{"atlas"},
			Benefits: []catalog.Benefit{}, Created: day(2), Language: "fr", passwordHash: "hash-b"},
	}
	for _, w := range want {
		got, err := s.Member(ctx, w.ID, w.ContractID)
		if err != nil {
			t.Fatalf("%s on %s: %v", w.ID, w.ContractID, err)
		}
		if got.Email != w.Email || got.Name != w.Name || got.Role != w.Role || got.Phone != w.Phone || !slices.Equal(got.Products, w.Products) ||
			!slices.Equal(got.Benefits, w.Benefits) || got.Caller != w.Caller || got.MustChangePassword != w.MustChangePassword ||
			!got.Created.Equal(w.Created) || got.Language != w.Language || got.passwordHash != w.passwordHash ||
			!got.tempExpires.Equal(w.tempExpires) || got.tempUsed != w.tempUsed || !got.accountCreated.Equal(w.Created) {
			t.Errorf("%s after the migration:\n got %+v\nwant %+v", w.ID, *got, w)
		}
		if ms, err := s.Memberships(ctx, w.ID); err != nil || len(ms) != 1 || ms[0].ContractID != w.ContractID {
			t.Errorf("%s's memberships: %+v %v", w.ID, ms, err)
		}
		if u, err := s.UserByLogin(ctx, w.Email); err != nil || u.ID != w.ID {
			t.Errorf("sign-in by %s: %+v %v", w.Email, u, err)
		}
	}
	for _, c := range []struct {
		id    string
		users []string
	}{{"CA", []string{"ana@acme.example", "mgr@acme.example"}}, {"CB", []string{"mgr@bolt.example"}}} {
		users, err := s.ListUsers(ctx, c.id)
		var emails []string
		for _, u := range users {
			emails = append(emails, u.Email)
		}
		if err != nil || !slices.Equal(emails, c.users) {
			t.Errorf("users of %s: %v %v", c.id, emails, err)
		}
	}
	if tok, err := s.TokenByHash(ctx, "tok-ana"); err != nil || tok.UserID != "UANA" {
		t.Errorf("Ana's session: %+v %v", tok, err)
	}
	if page, n, err := s.SearchUsersPage(ctx, "CA", []string{"ana"}, 0, 10); err != nil || n != 1 || page[0].ID != "UANA" {
		t.Errorf("search on CA: %d %v", n, err)
	}
	if seats, err := s.Seats(ctx, "CA"); err != nil || len(seats) != 1 {
		t.Errorf("seats: %+v %v", seats, err)
	}
	if a, err := s.Audit(ctx, "CA", 10); err != nil || len(a) != 1 {
		t.Errorf("audit: %+v %v", a, err)
	}
	counts := map[string]int{"page_tokens": 1, "password_resets": 1, "outbox": 2, "memberships": 3, "users": 3, "user_products": 4, "user_benefits": 3, "callers": 1, "user_terms": 2}
	for table, n := range counts {
		var got int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&got); err != nil || got != n {
			t.Errorf("%s: %d rows (%v), want %d", table, got, err, n)
		}
	}
	var noticeContract sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT contract_id FROM outbox WHERE kind = 'benefits_changed'`).Scan(&noticeContract); err != nil || noticeContract.String != "CA" {
		t.Errorf("the waiting notice's contract: %v %v", noticeContract, err)
	}
	// The account goes with its last membership, and its rows with it.
	if err := s.ChangeUsers(ctx, "CA", func(_ *Contract, users []*User) ([]UserChange, []Email, error) {
		for _, u := range users {
			if u.ID == "UANA" {
				return []UserChange{{Kind: "delete", User: u}}, nil, nil
			}
		}
		return nil, nil, ErrNotFound
	}, "test"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"page_tokens", "tokens", "callers", "user_products", "user_terms"} {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE user_id = 'UANA'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s keeps %d rows of a removed person (%v)", table, n, err)
		}
	}
}

// A database at schema version 12 migrates to accounts and memberships
// with nothing lost, on SQLite.
func TestMigrationToMembershipsSQLite(t *testing.T) {
	s := sqliteFromVersion(t, 12, version12Rows)
	rows, err := s.db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Errorf("a row refers to a missing one after the migration")
	}
	rows.Close()
	var fk int
	if err := s.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys after the migration: %d %v", fk, err)
	}
	checkMigratedMemberships(t, s)
}

// The same on PostgreSQL.
func TestMigrationToMembershipsPostgres(t *testing.T) {
	s := postgresFromVersion(t, 12, version12Rows)
	checkMigratedMemberships(t, s)
}

// sqliteFromVersion opens a store on a SQLite database built at schema
// version n and filled with rows: opening it migrates it to the latest.
// The store is closed when the test ends.
func sqliteFromVersion(t *testing.T, n int, rows []string) *SQLStore {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("v%d.db", n))
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append(append(slices.Clone(migrations[:n]), rows...), fmt.Sprintf("PRAGMA user_version = %d", n)) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	db.Close()
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresFromVersion is sqliteFromVersion on a throwaway PostgreSQL
// database.
func postgresFromVersion(t *testing.T, n int, rows []string) *SQLStore {
	t.Helper()
	url := pgtest.Database(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	for _, q := range append(append(append([]string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`}, pgMigrations[:n]...), rows...),
		fmt.Sprintf("INSERT INTO schema_version (version) VALUES (%d)", n)) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	db.Close()
	s, err := OpenPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
