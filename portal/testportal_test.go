package portal

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

// The tests here drive Service and SQLStore directly; those that go over
// HTTP live in package web, with their own helpers.

// testCatalog is a small signed catalog: atlas and quill, one package each.
func testCatalog(t testing.TB) ([]byte, *catalog.Catalog) {
	t.Helper()
	payload := []byte(`{"schema": 1, "publisher": "Test", "products": [
	  {"id": "atlas", "name": "Atlas CAD", "description": "d", "releases": [{"version": "1.0.0", "date": "2026-01-01",
	    "packages": {"linux/amd64": {"url": "packages/atlas-1.0.0.tar.gz", "size": 5, "sha256": "` + strings.Repeat("a", 64) + `", "format": "tar.gz"}}}]},
	  {"id": "quill", "name": "Quill Notes", "description": "d", "releases": [{"version": "1.0.0", "date": "2026-01-01",
	    "packages": {"linux/amd64": {"url": "packages/quill-1.0.0.tar.gz", "size": 5, "sha256": "` + strings.Repeat("b", 64) + `", "format": "tar.gz"}}}]}]}`)
	c, err := catalog.Parse(payload)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"signed": "for tests the envelope is opaque"}`), c
}

// testPortal is a service on a store of its own, and the store's file.
type testPortal struct {
	svc   *Service
	store *SQLStore
	db    string
}

var (
	userIDRe   = regexp.MustCompile(`User ID: (U[0-9A-Z]{8})`)
	tempPassRe = regexp.MustCompile(`Temporary password: (\S+)`)
)

// newContract orders a contract and reads the start email from the outbox.
func (p *testPortal) newContract(t testing.TB, email string, products ...string) (userID, temp string) {
	t.Helper()
	var seats []Seats
	for _, pr := range products {
		seats = append(seats, Seats{Product: pr, Seats: 5})
	}
	_, m, err := p.svc.CreateContract(context.Background(), ContractRequest{Company: "Example " + email, ManagerEmail: email, Products: seats, Plan: PlanAdvanced}, "test")
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.store.Outbox(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out {
		if e.To == email && e.Kind == "start" {
			uid, pw := userIDRe.FindStringSubmatch(e.Body), tempPassRe.FindStringSubmatch(e.Body)
			if uid == nil || pw == nil || uid[1] != m.ID {
				t.Fatalf("start email lacks the user ID or password:\n%s", e.Body)
			}
			return uid[1], pw[1]
		}
	}
	t.Fatalf("no start email for %s in %+v", email, out)
	return "", ""
}

// newTestPortal is a service on an empty store of its own, with a
// publisher's profile.
func newTestPortal(t testing.TB) *testPortal {
	t.Helper()
	store, db := openTestStore(t)
	signed, c := testCatalog(t)
	svc := NewService(store, signed, c, "https://127.0.0.1/signin", WithProfile(testProfile))
	return &testPortal{svc: svc, store: store, db: db}
}

// activate does the first sign-in and the password change, to "a long
// enough passphrase", and returns a full session's access token.
func (p *testPortal) activate(t testing.TB, uid, temp string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := p.svc.SignIn(ctx, uid, temp, "127.0.0.1"); err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	if err := p.svc.ChangePassword(ctx, mustUser(t, p, uid), temp, "a long enough passphrase", "127.0.0.1"); err != nil {
		t.Fatalf("password change: %v", err)
	}
	s, err := p.svc.SignIn(ctx, uid, "a long enough passphrase", "127.0.0.1")
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	return s.AccessToken
}

// admin is a new contract's manager, past the password change, with a
// session's access token.
func (p *testPortal) admin(t testing.TB, email string, products ...string) (string, *User) {
	t.Helper()
	uid, temp := p.newContract(t, email, products...)
	return p.activate(t, uid, temp), mustUser(t, p, uid)
}

func mustUser(t testing.TB, p *testPortal, id string) *User {
	t.Helper()
	u, err := p.store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// emailsTo are the emails of kind queued or sent to to.
func (p *testPortal) emailsTo(t testing.TB, to, kind string) []Email {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []Email
	for _, e := range out {
		if e.To == to && e.Kind == kind {
			got = append(got, e)
		}
	}
	return got
}

// testProfile is a publisher's profile with every contact, for the
// emails that name them.
var testProfile = Profile{Publisher: "Demo Publisher", Support: ProfileSupport{Web: "https://support.example.com",
	Email: "support@example.com", Phone: "+1 555 0100", Hours: "Monday to Friday, 8:00 to 18:00 CET"}}
