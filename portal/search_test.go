package portal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/internal/pgtest"
)

// A database of schema version 7 gets its users' search terms as it
// migrates, on both engines.
func TestMigrationGivesSearchTerms(t *testing.T) {
	ctx := context.Background()
	rows := []string{
		`INSERT INTO contracts (id, company, plan, caller_cap, starts, ends, created) VALUES ('CA', 'A', 'standard', 0, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO users (id, contract_id, email, name, role, created) VALUES ('UA', 'CA', 'e.martin@a.example', 'Élodie Martin', 'user', '2026-01-01T00:00:00Z')`,
		`INSERT INTO users (id, contract_id, email, name, role, created) VALUES ('UB', 'CA', 'h.dupre@a.example', 'Hélène Dupré', 'user', '2026-01-01T00:00:00Z')`,
	}
	found := func(t *testing.T, s *SQLStore) {
		t.Helper()
		for q, want := range map[string]string{"elodie": "UA", "HELENE dupre": "UB", "dupré": "UB", "a.example martin": "UA"} {
			users, total, err := s.SearchUsersPage(ctx, "CA", searchWords(q), 0, 10)
			if err != nil || total != 1 || len(users) != 1 || users[0].ID != want {
				t.Errorf("q=%q: %d found (%v), want %s", q, total, err, want)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range append(append(migrations[:7:7], rows...), `PRAGMA user_version = 7`) {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		found(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Database(t)
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range append(append(pgMigrations[:7:7], rows...),
			`CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (7)`) {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		s, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		found(t, s)
	})
}

// Ligatures are spelled out ("coeur" finds "Cœur"), and a database whose
// terms were folded without that gets them rebuilt as it migrates, on both
// engines.
func TestSearchSpellsOutLigatures(t *testing.T) {
	terms := searchTerms("UL", "l.coeur@a.example", "Lætitia Cœur")
	for _, want := range []string{"laetitia", "coeur"} {
		if !slices.Contains(terms, want) {
			t.Errorf("terms %q lack %q", terms, want)
		}
	}
	ctx := context.Background()
	rows := []string{
		`INSERT INTO contracts (id, company, plan, caller_cap, starts, ends, created) VALUES ('CA', 'A', 'standard', 0, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO users (id, contract_id, email, name, role, created) VALUES ('UL', 'CA', 'l.c@a.example', 'Lætitia Cœur', 'user', '2026-01-01T00:00:00Z')`,
		// The terms as the folding without ligatures made them.
		`INSERT INTO user_terms (contract_id, term, user_id, email) VALUES ('CA', 'lætitia', 'UL', 'l.c@a.example'), ('CA', 'cœur', 'UL', 'l.c@a.example')`,
	}
	found := func(t *testing.T, s *SQLStore) {
		t.Helper()
		for _, q := range []string{"laetitia coeur", "Lætitia", "COEUR"} {
			users, total, err := s.SearchUsersPage(ctx, "CA", searchWords(q), 0, 10)
			if err != nil || total != 1 || len(users) != 1 || users[0].ID != "UL" {
				t.Errorf("q=%q: %d found (%v)", q, total, err)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		before := slices.Index(migrations, migrationRefoldTerms)
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range append(append(slices.Clone(migrations[:before]), rows...), fmt.Sprintf(`PRAGMA user_version = %d`, before)) {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		found(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		before := slices.Index(pgMigrations, migrationRefoldTerms)
		url := pgtest.Database(t)
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range append(append(slices.Clone(pgMigrations[:before]), rows...),
			`CREATE TABLE schema_version (version INTEGER NOT NULL)`, fmt.Sprintf(`INSERT INTO schema_version VALUES (%d)`, before)) {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db.Close()
		s, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		found(t, s)
	})
}

// BenchmarkSearchUsers100k searches a contract of 100,000 users for one
// user, for a name 5,000 of them share (a page of 50) and for nothing, on
// the engine ONRAMP_TEST_ENGINE names.
func BenchmarkSearchUsers100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	store, _ := openTestStore(b)
	signed, c := testCatalog(b)
	svc := NewService(store, signed, c, "https://127.0.0.1/signin")
	_, admin, err := svc.CreateContract(ctx, ContractRequest{Company: "Big", ManagerEmail: "boss@example.com",
		Products: []Seats{{Product: "atlas", Seats: 5}}, Plan: PlanStandard}, "test")
	if err != nil {
		b.Fatal(err)
	}
	firsts := []string{"Élodie", "Hélène", "Jean", "Zoë", "Noël", "Anaïs", "Léa", "Chloé", "Jérôme", "François",
		"Amélie", "Gaëlle", "Mathis", "Inès", "Maël", "Camille", "Loïc", "Rémi", "Oriane", "Sébastien"}
	lasts := []string{"Dupré", "Martin", "Lefèvre", "Bérard", "Moreau", "Girard", "Rousseau", "Mercier", "Fontaine", "Chevalier"}
	tx, err := store.w.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	// Rows go in by the thousand, well within both engines' bound on a
	// statement's parameters.
	insert := func(table string, cols int, rows [][]any) {
		row := "(?" + strings.Repeat(", ?", cols-1) + ")"
		for start := 0; start < len(rows); start += 1000 {
			chunk := rows[start:min(start+1000, len(rows))]
			args := make([]any, 0, cols*len(chunk))
			for _, r := range chunk {
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` VALUES `+row+strings.Repeat(", "+row, len(chunk)-1), args...); err != nil {
				b.Fatal(err)
			}
		}
	}
	created := ts(time.Now())
	var users, terms [][]any
	for i := range n {
		id, email := fmt.Sprintf("U%08d", i), fmt.Sprintf("u%06d@example.com", i)
		name := firsts[i%len(firsts)] + " " + lasts[(i/len(firsts))%len(lasts)]
		users = append(users, []any{id, admin.ContractID, email, name, RoleUser, "", 0, created, "", "", 0})
		for _, t := range searchTerms(id, email, name) {
			terms = append(terms, []any{admin.ContractID, t, id, email})
		}
	}
	insert("users (id, contract_id, email, name, role, password_hash, must_change_password, created, phone, temp_expires, temp_used)", 11, users)
	insert("user_terms (contract_id, term, user_id, email)", 4, terms)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if store.engine == enginePostgres {
		// What autovacuum does after a bulk load: statistics, and the
		// visibility map that lets the terms' index answer alone.
		if _, err := store.w.ExecContext(ctx, `VACUUM ANALYZE users, user_terms`); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, q string
		total   int
	}{
		{"one-user", "u042424@", 1},
		{"5000-users", "élodie", n / len(firsts)},
		{"none", "zzzz", 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				page, err := svc.UsersPage(ctx, admin, tc.q, 0, 50)
				if err != nil || page.Total != tc.total || len(page.Users) != min(tc.total, 50) {
					b.Fatalf("q=%q: %v, %+v", tc.q, err, page)
				}
			}
		})
	}
}

// Users stored before search terms existed get theirs as the migration
// that adds them runs.
func TestSearchTermsFilledForOlderUsers(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	_, admin := p.admin(t, "boss@example.com", "atlas")
	csv := "email,name\n" +
		"u1@example.com,Élodie Martin\n" +
		"u2@example.com,ELODIE PETIT\n" +
		"u3@example.com,Hélène Dupré\n"
	if _, err := p.svc.ImportUsers(ctx, admin, []byte(csv), false); err != nil {
		t.Fatalf("import: %v", err)
	}
	check := func(t *testing.T, q string, want ...string) {
		t.Helper()
		page, err := p.svc.UsersPage(ctx, admin, q, 0, 0)
		if err != nil {
			t.Fatalf("q=%q: %v", q, err)
		}
		var got []string
		for _, u := range page.Users {
			got = append(got, u.Email)
		}
		if page.Total != len(want) || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("q=%q: total %d, %v; want %v", q, page.Total, got, want)
		}
	}
	check(t, "élodie", "u1@example.com", "u2@example.com")
	if _, err := p.store.w.ExecContext(ctx, `DELETE FROM user_terms WHERE contract_id = ?`, admin.ContractID); err != nil {
		t.Fatal(err)
	}
	check(t, "élodie")
	tx, err := p.store.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_terms`); err != nil {
		t.Fatal(err)
	}
	if err := fillSearchTermsFrom(ctx, tx, membersTermsQuery); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	check(t, "élodie", "u1@example.com", "u2@example.com")
}
