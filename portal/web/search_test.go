package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// A search folds case and accents on both engines: "élodie" finds
// "Élodie" and "ELODIE", "helene dupre" finds "Hélène Dupré"; it pages,
// follows a change of name. (That it finds the users a database held
// before it had search keys is TestSearchTermsFilledForOlderUsers, in
// package portal.)
func TestSearchFoldsCaseAndAccents(t *testing.T) {
	p := newTestPortal(t)
	token, admin := p.admin(t, "boss@example.com", "atlas")
	csv := "email,name\n" +
		"u1@example.com,Élodie Martin\n" +
		"u2@example.com,ELODIE PETIT\n" +
		"u3@example.com,Hélène Dupré\n" +
		"u4@example.com,Zoë Ångström\n" +
		"bo.five@example.com,Bo\n"
	if code, out := p.importCSV(t, token, csv, false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	u4, err := p.store.UserByLogin(context.Background(), "u4@example.com")
	if err != nil {
		t.Fatal(err)
	}
	search := func(t *testing.T, q string, query string) portal.UserPage {
		t.Helper()
		var page portal.UserPage
		if code := p.call(t, "GET", "/api/v1/users?q="+url.QueryEscape(q)+query, token, nil, &page); code != 200 {
			t.Fatalf("q=%q: status %d", q, code)
		}
		return page
	}
	check := func(t *testing.T, q string, want ...string) {
		t.Helper()
		page := search(t, q, "")
		var got []string
		for _, u := range page.Users {
			got = append(got, u.Email)
		}
		if page.Total != len(want) || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("q=%q: total %d, %v; want %v", q, page.Total, got, want)
		}
	}
	check(t, "élodie", "u1@example.com", "u2@example.com")
	check(t, "ELODIE", "u1@example.com", "u2@example.com")
	check(t, "helene dupre", "u3@example.com")
	check(t, "  HÉLÈNE   Dupré ", "u3@example.com")
	check(t, "dupré", "u3@example.com")
	check(t, "hel dup", "u3@example.com")
	check(t, "angstrom", "u4@example.com")
	check(t, strings.ToLower(u4.ID), "u4@example.com")
	check(t, "five@", "bo.five@example.com")
	check(t, "martin petit") // the words of two users are not one user's
	if page := search(t, "example.com", "&offset=2&limit=2"); page.Total != 6 || len(page.Users) != 2 || page.Users[0].Email != "u1@example.com" {
		t.Errorf("a page of a search: total %d, %d users", page.Total, len(page.Users))
	}
	if page := search(t, "example.com", "&offset=10&limit=2"); page.Total != 6 || len(page.Users) != 0 {
		t.Errorf("past the last page of a search: total %d, %d users", page.Total, len(page.Users))
	}
	// A new name is found by its new key, the old one no longer. (An
	// import never renames a member: the rename is the store's update.)
	if err := p.store.ChangeUsers(context.Background(), admin.ContractID, func(_ *portal.Contract, users []*portal.User) ([]portal.UserChange, []portal.Email, error) {
		for _, u := range users {
			if u.Email == "bo.five@example.com" {
				next := *u
				next.Name = "Bérénice"
				return []portal.UserChange{{Kind: "update", User: &next}}, nil, nil
			}
		}
		return nil, nil, portal.ErrNotFound
	}, "test"); err != nil {
		t.Fatalf("rename: %v", err)
	}
	check(t, "berenice", "bo.five@example.com")
	var me portal.User
	bo := p.activateUser(t, "u3@example.com")
	if code := p.call(t, "PATCH", "/api/v1/me", bo, map[string]string{"name": "Hélène Durand"}, &me); code != 200 {
		t.Fatalf("profile: %d", code)
	}
	check(t, "helene durand", "u3@example.com")
	check(t, "dupre")
}

// activateUser signs a user of an import in for the first time, from the
// start email, and returns a full session's token.
func (p *testPortal) activateUser(t *testing.T, email string) string {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out {
		if e.To == email && e.Kind == "start" {
			uid, pw := userIDRe.FindStringSubmatch(e.Body), tempPassRe.FindStringSubmatch(e.Body)
			if uid != nil && pw != nil {
				return p.activate(t, uid[1], pw[1])
			}
		}
	}
	t.Fatalf("no start email for %s", email)
	return ""
}
