package web

import (
	"context"
	"testing"

	"onramp.dev/onramp/api"
)

// A contract's list stays in address order when addresses change: an
// admin's correction of a user's address, and a person's own change.
func TestUserListFollowsEmailChanges(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	token, admin := p.admin(t, "mgr@b.example", "atlas")
	if code, out := p.importCSV(t, token, "email,name,role,products,benefits\nann@b.example,Ann,user,,\nzed@b.example,Zed,user,,\n", false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	contractEmails(t, p.store, admin.ContractID, "ann@b.example", "mgr@b.example", "zed@b.example")
	users, err := p.store.ListUsers(ctx, admin.ContractID)
	if err != nil {
		t.Fatal(err)
	}
	email := "aaa@b.example"
	if _, err := p.svc.UpdateUser(ctx, admin, users[2].ID, api.UserUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	contractEmails(t, p.store, admin.ContractID, "aaa@b.example", "ann@b.example", "mgr@b.example")
	if code := p.call(t, "POST", "/api/v1/me/email", token, api.EmailChange{Email: "abe@b.example"}, nil); code != 202 {
		t.Fatalf("change request: %d", code)
	}
	if code, body := p.postEmailChange(t, emailChangeToken(t, p.emailsTo(t, "abe@b.example", "email_change")[0].Body)); code != 200 {
		t.Fatalf("the form: %d\n%s", code, body)
	}
	contractEmails(t, p.store, admin.ContractID, "aaa@b.example", "abe@b.example", "ann@b.example")
	sameMemberEmails(t, p.store, 3)
}
