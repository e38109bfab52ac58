package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// An admin changes a role without re-creating the person (same ID,
// products, benefits, designation), under the rules of roles.
func TestUpdateUserRole(t *testing.T) {
	ctx := context.Background()
	p, _ := newLoggedPortal(t)
	_, admin := mailContract(t, p, "en", "elise@lefevre.example", time.Time{})
	add := func(email string, role portal.Role) *portal.User {
		t.Helper()
		ch, err := p.svc.AddUser(ctx, admin, portal.NewUser{Email: email, Name: email, Role: role, Products: []string{"quill"}, Benefits: []string{"download"}})
		if err != nil {
			t.Fatal(err)
		}
		u, err := p.store.User(ctx, ch.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	marc, coord := add("marc@lefevre.example", portal.RoleUser), add("coord@lefevre.example", portal.RoleCoordinator)
	role := func(r portal.Role) api.UserUpdate { return api.UserUpdate{Role: &r} }
	cases := []struct {
		name    string
		by      *portal.User
		target  string
		up      api.UserUpdate
		wantErr func(error) bool
		want    portal.Role
	}{
		{"user-to-coordinator", admin, marc.ID, role(portal.RoleCoordinator), nil, portal.RoleCoordinator},
		{"coordinator-back-to-user", admin, marc.ID, role(portal.RoleUser), nil, portal.RoleUser},
		{"coordinator-names-a-manager", coord, marc.ID, role(portal.RoleManager), func(err error) bool { return errors.Is(err, portal.ErrManagerProtected) }, portal.RoleUser},
		{"coordinator-demotes-a-manager", coord, admin.ID, role(portal.RoleUser), func(err error) bool { return errors.Is(err, portal.ErrManagerProtected) }, portal.RoleManager},
		{"last-manager", admin, admin.ID, role(portal.RoleCoordinator), fieldCode(api.FieldLastManager), portal.RoleManager},
		{"bad-role", admin, marc.ID, role("boss"), fieldCode(api.FieldBadRole), portal.RoleUser},
		{"nothing-to-change", admin, marc.ID, api.UserUpdate{}, fieldCode(api.FieldRequired), portal.RoleUser},
		{"a-user-changes-roles", marc, coord.ID, role(portal.RoleUser), func(err error) bool { return errors.Is(err, portal.ErrNotAdmin) }, portal.RoleCoordinator},
		{"unknown-user", admin, "U00000000", role(portal.RoleUser), func(err error) bool { return errors.Is(err, portal.ErrNotFound) }, ""},
		{"manager-names-a-manager", admin, marc.ID, role(portal.RoleManager), nil, portal.RoleManager},
		{"then-the-first-steps-down", admin, admin.ID, role(portal.RoleCoordinator), nil, portal.RoleCoordinator},
	}
	for _, c := range cases {
		before, _ := p.store.User(ctx, c.target)
		res, err := p.svc.UpdateUser(ctx, c.by, c.target, c.up)
		switch {
		case c.wantErr == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != nil && (err == nil || !c.wantErr(err)):
			t.Errorf("%s: %v (%+v), want a refusal", c.name, err, res)
		}
		if c.want == "" {
			continue
		}
		u, err := p.store.User(ctx, c.target)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if u.Role != c.want || strings.Join(u.Products, ",") != strings.Join(before.Products, ",") || len(u.Benefits) != len(before.Benefits) || u.Email != before.Email {
			t.Errorf("%s: %s is %s with %v %v, want %s with their products and benefits", c.name, u.ID, u.Role, u.Products, u.Benefits, c.want)
		}
	}
}

func fieldCode(code string) func(error) bool {
	return func(err error) bool {
		var inv *portal.InvalidError
		return errors.As(err, &inv) && len(inv.Problems) == 1 && inv.Problems[0].Code == code
	}
}

// An admin corrects an address before the first sign-in: a new start
// email to it, nothing left for the old one, its links ended; once the
// person has signed in, the address is theirs.
func TestUpdateUserEmail(t *testing.T) {
	ctx := context.Background()
	p, _ := newLoggedPortal(t)
	_, admin := mailContract(t, p, "en", "elise@lefevre.example", time.Time{})
	added, err := p.svc.AddUser(ctx, admin, portal.NewUser{Email: "marc@lefevre.exmaple", Name: "Marc", Products: []string{"quill"}, Benefits: []string{"download"}})
	if err != nil {
		t.Fatal(err)
	}
	askReset(t, p, "marc@lefevre.exmaple")
	p.svc.WaitPasswordResets()
	token := latestResetToken(t, p, "marc@lefevre.exmaple")
	email := "marc@lefevre.example"
	res, err := p.svc.UpdateUser(ctx, admin, strings.ToLower(added.UserID), api.UserUpdate{Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	if res.User.ID != added.UserID || res.User.Email != email || res.StartEmail == nil || res.StartEmail.Email != email || res.StartEmail.Expires.IsZero() {
		t.Errorf("answer %+v %+v", res.User, res.StartEmail)
	}
	if e := emailsTo(t, p, "marc@lefevre.exmaple", ""); len(e) != 0 {
		t.Errorf("emails still waiting for the old address: %+v", e)
	}
	if _, err := p.svc.ResetPassword(ctx, token, "a long and unusual passphrase 7"); !errors.Is(err, portal.ErrResetLinkInvalid) {
		t.Errorf("the old address's lost-password link: %v, want ErrResetLinkInvalid", err)
	}
	starts := emailsTo(t, p, email, "start")
	if len(starts) != 1 || !strings.Contains(starts[0].Body, added.UserID) {
		t.Fatalf("%d start emails to the corrected address, want 1 with the same user ID", len(starts))
	}
	// Taken addresses and non-addresses are refused as on creation.
	for _, bad := range []string{"elise@lefevre.example", "not an address"} {
		if _, err := p.svc.UpdateUser(ctx, admin, added.UserID, api.UserUpdate{Email: &bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Signed in once: the address is theirs now.
	temp := tempPassRe.FindStringSubmatch(starts[0].Body)
	if temp == nil {
		t.Fatalf("no temporary password in\n%s", starts[0].Body)
	}
	if _, err := p.svc.SignIn(ctx, added.UserID, temp[1], "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	other := "marc.dupre@lefevre.example"
	if _, err := p.svc.UpdateUser(ctx, admin, added.UserID, api.UserUpdate{Email: &other}); !fieldCode(api.FieldSignedIn)(err) {
		t.Errorf("correction after the first sign-in: %v, want %s", err, api.FieldSignedIn)
	}
}
