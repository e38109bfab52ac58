package portal

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sqlitePortal is a test portal on SQLite whatever engine the suite runs
// on: the source of a migration.
func sqlitePortal(t *testing.T) *testPortal {
	t.Helper()
	db := filepath.Join(t.TempDir(), "portal.db")
	store, err := OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	signed, c := testCatalog(t)
	return &testPortal{svc: NewService(store, signed, c, "https://127.0.0.1/signin"), store: store, db: db}
}

// Both engines' migrations make the same tables with the same columns in
// the same order, which the copy and its checksums rely on.
func TestSchemasMatch(t *testing.T) {
	ctx := context.Background()
	lite, pg := sqlitePortal(t).store, openPostgres(t)
	for _, s := range []*SQLStore{lite, pg} {
		if err := s.checkTables(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range copyTables {
		a, err := lite.columns(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		b, err := pg.columns(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s: SQLite %v, PostgreSQL %v", table, a, b)
		}
	}
}

// portal migrate's core: every table copied from SQLite to PostgreSQL and
// verified; a second copy into the now full target refused; a changed row
// caught by the checksum; the copy a working store.
func TestCopyStoreSQLiteToPostgres(t *testing.T) {
	ctx := context.Background()
	src := sqlitePortal(t)
	uid, temp := src.newContract(t, "ana@acme.example", "atlas", "quill")
	if _, err := src.svc.SignIn(ctx, uid, temp, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := src.svc.ChangePassword(ctx, mustStoreUser(t, src.store, uid), temp, "a long enough passphrase", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("email,name,role,products,benefits\n")
	for i := range 300 {
		products := "" // atlas has 5 seats, the manager holds one
		if i < 4 {
			products = "atlas"
		}
		fmt.Fprintf(&csv, "u%03d@acme.example,User %d,user,%s,download\n", i, i, products)
	}
	if _, err := src.svc.ImportUsers(ctx, mustStoreUser(t, src.store, uid), []byte(csv.String()), false); err != nil {
		t.Fatal(err)
	}
	out, _ := src.store.Outbox(ctx, true)
	if err := src.store.MarkSent(ctx, out[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	dst := openPostgres(t)
	sums, err := CopyStore(ctx, src.store, dst)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, s := range sums {
		rows[s.Table] = s.Rows
	}
	if len(sums) != len(copyTables) || rows["users"] != 301 || rows["tokens"] == 0 || rows["outbox"] != len(out) || rows["audit"] == 0 {
		t.Errorf("copied %+v", sums)
	}

	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"target-not-empty", func() error { _, err := CopyStore(ctx, src.store, dst); return err }, ErrTargetNotEmpty},
		{"changed-row-caught", func() error {
			if _, err := dst.w.ExecContext(ctx, `UPDATE users SET name = 'Changed' WHERE id = ?`, uid); err != nil {
				t.Fatal(err)
			}
			_, err := VerifyCopy(ctx, src.store, dst)
			return err
		}, &ChecksumError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			var ce *ChecksumError
			if _, wantCE := tt.want.(*ChecksumError); wantCE {
				if !errors.As(err, &ce) || ce.Table != "users" {
					t.Errorf("got %v, want a checksum error on users", err)
				}
			} else if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}

	// The copy serves: the manager signs in on it, and new rows get IDs
	// after the copied ones.
	signed, c := testCatalog(t)
	svc := NewService(dst, signed, c, "https://127.0.0.1/signin")
	if _, err := svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1"); err != nil {
		t.Fatalf("sign-in on the copy: %v", err)
	}
	if _, _, err := svc.CreateContract(ctx, ContractRequest{Company: "Next", ManagerEmail: "next@acme.example", Products: []Seats{{Product: "atlas", Seats: 1}}, Plan: PlanStandard}, "test"); err != nil {
		t.Fatalf("a new contract on the copy: %v", err)
	}
}

func mustStoreUser(t *testing.T, s *SQLStore, id string) *User {
	t.Helper()
	u, err := s.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
