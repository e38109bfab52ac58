package portal

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestContractValidation(t *testing.T) {
	p := newTestPortal(t)
	_, _, err := p.svc.CreateContract(context.Background(), ContractRequest{Company: "", ManagerEmail: "not-an-email",
		Products: []Seats{{Product: "nope", Seats: 0}}, Plan: "gold"}, "test")
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 5 {
		t.Fatalf("got %v", err)
	}
	if out, _ := p.store.Outbox(context.Background(), false); len(out) != 0 {
		t.Error("a refused order queued emails")
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	for range 2 {
		s, err := OpenSQLite(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("secret password 1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || !CheckPassword(h, "secret password 1") || CheckPassword(h, "secret password 2") {
		t.Errorf("hash %s", h)
	}
	h2, _ := HashPassword("secret password 1")
	if h == h2 {
		t.Error("no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=999999999,t=2,p=1$AAAA$AAAA", "$bcrypt$x"} {
		if CheckPassword(bad, "x") {
			t.Errorf("accepted %q", bad)
		}
	}
}
