package portal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

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
