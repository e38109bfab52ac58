package web

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
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
	sameMemberEmails(t, rawDB(t, p), 3)
}

// contractEmails checks a contract's users are want, in this order, in
// the list and page by page.
func contractEmails(t *testing.T, s *portal.SQLStore, contractID string, want ...string) {
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

// sameMemberEmails checks, in the database itself, that every membership
// carries its account's address.
func sameMemberEmails(t *testing.T, db *sql.DB, memberships int) {
	t.Helper()
	var n, same int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*), count(*) FILTER (WHERE m.email = u.email)
		FROM memberships m JOIN users u ON u.id = m.user_id`).Scan(&n, &same); err != nil {
		t.Fatal(err)
	}
	if n != memberships || same != n {
		t.Errorf("%d memberships carry their account's address, of %d; want %d", same, n, memberships)
	}
}
