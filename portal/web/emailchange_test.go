package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onramp.dev/onramp/api"
)

var emailChangeRe = regexp.MustCompile(`/email-change\?t=([A-Za-z0-9_-]{43})`)

// emailChangeToken is the token of the link an email change sent.
func emailChangeToken(t testing.TB, body string) string {
	t.Helper()
	m := emailChangeRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no email change link in:\n%s", body)
	}
	return m[1]
}

// postEmailChange sends the page's form, as its browser would.
func (p *testPortal) postEmailChange(t testing.TB, token string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(p.URL+"/email-change", url.Values{"t": {token}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A person changes their own address: the link goes to the new address,
// nothing changes until it is opened and its form sent, once; the old
// address is told; only the newest link works; an address with an
// account is refused on the page only, to the one who reads it.
func TestOwnEmailChange(t *testing.T) {
	p := newTestPortal(t)
	p.admin(t, "mgr@a.example", "atlas")
	b, _ := p.admin(t, "mgr@b.example", "atlas")
	ctx := context.Background()
	me := func() api.Me {
		var m api.Me
		if code := p.call(t, "GET", "/api/v1/me", b, nil, &m); code != 200 {
			t.Fatalf("me: %d", code)
		}
		return m
	}
	var sent api.EmailChangeRequested
	if code := p.call(t, "POST", "/api/v1/me/email", b, api.EmailChange{Email: "Boss@B.example"}, &sent); code != 202 || sent.Email != "boss@b.example" {
		t.Fatalf("change request: %d %+v", code, sent)
	}
	if got := me().User.Email; got != "mgr@b.example" {
		t.Fatalf("the address changed before the link was opened: %s", got)
	}
	links := p.emailsTo(t, "boss@b.example", "email_change")
	if len(links) != 1 {
		t.Fatalf("links to the new address: %d", len(links))
	}
	first := emailChangeToken(t, links[0].Body)
	// A second request: only its link works.
	p.call(t, "POST", "/api/v1/me/email", b, api.EmailChange{Email: "boss@b.example"}, nil)
	second := emailChangeToken(t, p.emailsTo(t, "boss@b.example", "email_change")[1].Body)
	if code, _ := p.postEmailChange(t, first); code != 404 {
		t.Errorf("the replaced link: %d", code)
	}
	resp, err := http.Get(p.URL + "/email-change?t=" + second)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "boss@b.example") {
		t.Fatalf("the page: %d\n%s", resp.StatusCode, page)
	}
	if got := me().User.Email; got != "mgr@b.example" {
		t.Fatalf("opening the page changed the address: %s", got)
	}
	if code, body := p.postEmailChange(t, second); code != 200 || !strings.Contains(body, `id="email-done"`) {
		t.Fatalf("the form: %d\n%s", code, body)
	}
	if got := me().User.Email; got != "boss@b.example" {
		t.Errorf("the address after the confirmation: %s", got)
	}
	if code, _ := p.postEmailChange(t, second); code != 404 {
		t.Errorf("the link used twice: %d", code)
	}
	if n := len(p.emailsTo(t, "mgr@b.example", "email_changed")); n != 1 {
		t.Errorf("notices to the old address: %d", n)
	}
	if code, _, _ := signIn(p, "boss@b.example", "a long enough passphrase"); code != 200 {
		t.Errorf("sign-in by the new address: %d", code)
	}
	if code, _, _ := signIn(p, "mgr@b.example", "a long enough passphrase"); code != 401 {
		t.Errorf("sign-in by the old address: %d", code)
	}

	// An address another account has: the same answer, refused on the page.
	if code := p.call(t, "POST", "/api/v1/me/email", b, api.EmailChange{Email: "mgr@a.example"}, &sent); code != 202 {
		t.Fatalf("a request for a taken address: %d", code)
	}
	taken := p.emailsTo(t, "mgr@a.example", "email_change")
	if code, body := p.postEmailChange(t, emailChangeToken(t, taken[0].Body)); code != 409 || !strings.Contains(body, `id="email-error"`) {
		t.Errorf("a taken address on the page: %d", code)
	}
	if u, err := p.store.UserByLogin(ctx, "boss@b.example"); err != nil || u.Email != "boss@b.example" {
		t.Errorf("the refused change moved the account: %+v %v", u, err)
	}

	// Bounded: a person sends a few links a day.
	var prob Problem
	code := 0
	for range maxEmailChangesPerDay {
		code = p.call(t, "POST", "/api/v1/me/email", b, api.EmailChange{Email: "x@b.example"}, &prob)
	}
	if code != 429 || prob.Code != "rate_limited" {
		t.Errorf("past the day's links: %d %+v", code, prob)
	}
	var inv Problem
	if code := p.call(t, "POST", "/api/v1/me/email", b, api.EmailChange{Email: "not an address"}, &inv); code != 422 {
		t.Errorf("a bad address: %d %+v", code, inv)
	}
}
