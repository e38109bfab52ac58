package portal

import (
	"context"
	"errors"
	"testing"
)

// The database itself refuses a second account for an address, whatever
// the service checked before (two admins adding the same address at once).
func TestUniqueEmailIndex(t *testing.T) {
	p := newTestPortal(t)
	_, am := p.admin(t, "ana@acme.example", "atlas")
	_, bm := p.admin(t, "cy@other.example", "atlas")
	ctx := context.Background()
	add := func(contractID, email string) error {
		return p.store.ChangeUsers(ctx, contractID, func(c *Contract, _ []*User) ([]UserChange, []Email, error) {
			u := &User{ID: newUserID(), ContractID: c.ID, Email: email, Role: RoleUser, MustChangePassword: true}
			return []UserChange{{Kind: "create", User: u, PasswordHash: hashTemporary("x")}}, nil, nil
		}, "test")
	}
	if err := add(am.ContractID, "dup@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := add(bm.ContractID, "Dup@Example.com"); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("the same address on a second contract: %v", err)
	}
}
