package portal

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// An email address belongs to one account across the service: adding it
// on another contract would make sign-in by email ambiguous for its owner.
func TestEmailsAreUniqueAcrossContracts(t *testing.T) {
	p := newTestPortal(t)
	a, am := p.admin(t, "ana@acme.example", "atlas")
	if code, out := p.importCSV(t, a, "email,name\nbo@acme.example,Bo\n", false); code != 200 {
		t.Fatalf("import on contract A: %d %v", code, out)
	}
	b, _ := p.admin(t, "cy@other.example", "atlas")
	contractA := am.ContractID

	tests := []struct {
		name string
		do   func() (int, Problem)
	}{
		{"add-same-email", func() (int, Problem) {
			var prob Problem
			return p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "bo@acme.example", "role": "user"}, &prob), prob
		}},
		{"add-other-case", func() (int, Problem) {
			var prob Problem
			return p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "Bo@ACME.example", "role": "user"}, &prob), prob
		}},
		{"add-manager-email", func() (int, Problem) {
			var prob Problem
			return p.call(t, "POST", "/api/v1/users", b, map[string]any{"email": "ana@acme.example", "role": "user"}, &prob), prob
		}},
		{"import", func() (int, Problem) {
			code, out := p.importCSV(t, b, "email,name\nnew@other.example,New\nBO@acme.example,Bo again\n", false)
			prob := Problem{Code: out["code"].(string), Detail: out["detail"].(string)}
			for _, r := range out["rows"].([]any) {
				row := r.(map[string]any)
				prob.Rows = append(prob.Rows, RowError{Line: int(row["line"].(float64)), Code: row["code"].(string), Reason: row["reason"].(string)})
			}
			return code, prob
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, prob := tc.do()
			if code != 409 || prob.Code != "email_taken" {
				t.Fatalf("%d %+v, want 409 email_taken", code, prob)
			}
			text := prob.Detail
			for _, r := range prob.Rows {
				text += " " + r.Reason
			}
			if strings.Contains(text, contractA) || strings.Contains(text, "Example ana") {
				t.Errorf("the answer names the contract holding the address: %s", text)
			}
		})
	}
	var users []*User
	p.call(t, "GET", "/api/v1/users", b, nil, &users)
	if len(users) != 1 {
		t.Errorf("contract B has %d users, want only its manager", len(users))
	}
	// Bo still signs in by email.
	if _, err := p.store.UserByLogin(context.Background(), "bo@acme.example"); err != nil {
		t.Errorf("bo's sign-in by email: %v", err)
	}
	// A new contract cannot take an address either.
	if _, _, err := p.svc.CreateContract(context.Background(), ContractRequest{Company: "Third", ManagerEmail: "BO@acme.example",
		Products: []Seats{{Product: "atlas", Seats: 1}}, Plan: PlanStandard}, "test"); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("a contract for a taken address: %v", err)
	}
}

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
