package portal

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// oldDatabase makes a database at schema version 3 (before unique emails
// and seat IDs) holding an address on two contracts, and a seat and a key.
func oldDatabase(t *testing.T, duplicate bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	second := "bo@b.example"
	if duplicate {
		second = "bo@a.example"
	}
	for _, q := range append(migrations[:3:3],
		`INSERT INTO contracts VALUES ('CA', 'A', 'standard', 0, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO contracts VALUES ('CB', 'B', 'standard', 0, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
		`INSERT INTO users (id, contract_id, email, role, created) VALUES ('UA', 'CA', 'bo@a.example', 'user', '2026-01-01T00:00:00Z')`,
		`INSERT INTO users (id, contract_id, email, role, created) VALUES ('UB', 'CB', '`+second+`', 'user', '2026-01-01T00:00:00Z')`,
		`INSERT INTO seats VALUES ('CA', 'atlas', 'machine-0001', 'pc', '2026-01-01T00:00:00Z')`,
		`INSERT INTO seat_keys (hash, contract_id, products, created_by, created, expires) VALUES ('0123456789abcdef', 'CA', 'atlas', 'UA', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')`,
		`PRAGMA user_version = 3`) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

func TestMigrationToUniqueEmails(t *testing.T) {
	t.Run("clean", func(t *testing.T) {
		s, err := OpenSQLite(context.Background(), oldDatabase(t, false))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		seats, err := s.Seats(context.Background(), "CA")
		if err != nil || len(seats) != 1 || seats[0].ID == "" {
			t.Errorf("seats after the migration: %+v %v", seats, err)
		}
		keys, err := s.SeatKeys(context.Background(), "CA")
		if err != nil || len(keys) != 1 || keys[0].ID != "0123456789ab" {
			t.Errorf("seat keys after the migration: %+v %v", keys, err)
		}
	})
	t.Run("an-address-on-two-contracts", func(t *testing.T) {
		_, err := OpenSQLite(context.Background(), oldDatabase(t, true))
		if !errors.Is(err, ErrDuplicateEmails) {
			t.Fatalf("got %v, want ErrDuplicateEmails", err)
		}
	})
}
