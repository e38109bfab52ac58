package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/internal/smtptest"
	"onramp.dev/onramp/portal"
)

var resetLinkRe = regexp.MustCompile(`(https?://\S+/reset\?t=\S+)`)

// newLoggedPortal is newTestPortal with the security log kept.
func newLoggedPortal(t testing.TB) (*testPortal, *lockedBuffer) {
	t.Helper()
	store, db := openTestStore(t)
	signed, c := testCatalog(t)
	var log lockedBuffer
	svc := portal.NewService(store, signed, c, "https://127.0.0.1/signin", portal.WithProfile(demoProfile),
		portal.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	srv := httptest.NewServer(NewHandler(svc, func(string) (io.ReadSeeker, time.Time, bool) { return nil, time.Time{}, false }))
	t.Cleanup(srv.Close)
	return &testPortal{Server: srv, svc: svc, store: store, db: db}, &log
}

// askReset posts a lost-password request and returns the status and the
// raw answer.
func askReset(t testing.TB, p *testPortal, login string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/password-resets", strings.NewReader(`{"login": "`+login+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postReset posts the lost-password page's form as a browser on the
// page itself would (origin the test server).
func postReset(t testing.TB, p *testPortal, origin string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.URL+"/reset?lang=en", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A lost password, walked: the request, the email over SMTP, the page and
// its form; the new password works, the old one and every old session do
// not, the link works once, and a request for an unknown account answers
// the same, byte for byte, and sends nothing.
func TestPasswordResetWalk(t *testing.T) {
	smtpAddr, maildir := smtptest.Start(t)
	p, log := newLoggedPortal(t)
	ctx := context.Background()
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	p.activate(t, uid, temp)
	var old portal.Session
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, &old); code != 200 {
		t.Fatalf("sign-in: %d", code)
	}

	code, known := askReset(t, p, "Ana@Acme.example")
	if code != 202 || !strings.Contains(known, portal.PasswordResetAnswer) {
		t.Fatalf("request: %d %s", code, known)
	}
	for _, login := range []string{"nobody@acme.example", "UNOSUCHXX"} {
		if code, unknown := askReset(t, p, login); code != 202 || unknown != known {
			t.Errorf("request for %s: %d %q, want the answer for an account: %q", login, code, unknown, known)
		}
	}
	p.svc.WaitPasswordResets()
	if n := outboxTo(t, p, "nobody@acme.example", "password_reset"); n != 0 {
		t.Errorf("%d emails to an address with no account", n)
	}
	if _, err := (&portal.Mailer{Addr: smtpAddr, From: "onramp@acme.example"}).Deliver(ctx, p.store); err != nil {
		t.Fatal(err)
	}
	body := smtptest.Body(t, maildir, "Choose a new Onramp password")
	m := resetLinkRe.FindStringSubmatch(body)
	// The email is in the user's language (English here; both languages
	// are checked by TestEveryEmailInBothLanguages).
	if m == nil || !strings.Contains(body, uid) || !strings.Contains(body, "choose a new password") {
		t.Fatalf("the email lacks the link, the user ID or its words:\n%s", body)
	}
	rest, ok := strings.CutPrefix(m[1], p.svc.PublicURL+"/")
	if !ok {
		t.Fatalf("link %q not under the public URL", m[1])
	}
	link := p.URL + "/" + rest
	token := strings.TrimPrefix(rest, "reset?t=")
	// Delivered, the link is no longer in the database.
	out, _ := p.store.Outbox(ctx, false)
	for _, e := range out {
		if strings.Contains(e.Body, token) {
			t.Errorf("the outbox keeps the delivered link: %+v", e)
		}
	}

	status, h, page := getPage(t, link, "fr-FR")
	if status != 200 || !strings.Contains(page, `id="reset-form"`) || !strings.Contains(page, uid) || !strings.Contains(page, "Choisir un nouveau mot de passe") {
		t.Fatalf("the page: %d\n%s", status, page)
	}
	if h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "form-action 'self'") || h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the page's headers: %v", h)
	}

	form := func(pw, confirm string) url.Values {
		return url.Values{"t": {token}, "password": {pw}, "confirm": {confirm}}
	}
	for _, tt := range []struct {
		name, origin string
		form         url.Values
		code         int
		want         string
	}{
		{"other-site", "https://evil.example", form("a brand new passphrase", "a brand new passphrase"), 403, `id="reset-error"`},
		{"mismatch", p.URL, form("a brand new passphrase", "another new passphrase"), 422, "The two passwords differ"},
		{"short", p.URL, form("short", "short"), 422, "Use 12 to 256 characters"},
		{"user-id", p.URL, form("my id is "+uid, "my id is "+uid), 422, "Do not use your user ID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, page := postReset(t, p, tt.origin, tt.form); code != tt.code || !strings.Contains(page, tt.want) || !strings.Contains(page, `id="reset-form"`) {
				t.Errorf("%d, want %d with %q and the form again:\n%s", code, tt.code, tt.want, page)
			}
		})
	}
	if code, page := postReset(t, p, p.URL, form("a brand new passphrase", "a brand new passphrase")); code != 200 || !strings.Contains(page, `id="reset-done"`) {
		t.Fatalf("set the new password: %d\n%s", code, page)
	}

	if code, _, _ := signIn(p, uid, "a brand new passphrase"); code != 200 {
		t.Errorf("the new password: %d", code)
	}
	if code, _, prob := signIn(p, uid, "a long enough passphrase"); code != 401 || prob.Code != "bad_credentials" {
		t.Errorf("the old password: %d %+v", code, prob)
	}
	if code := p.call(t, "GET", "/api/v1/me", old.AccessToken, nil, nil); code != 401 {
		t.Errorf("an old session's access token: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": old.RefreshToken}, nil); code != 401 {
		t.Errorf("an old session's refresh token: %d", code)
	}
	if code, page := postReset(t, p, p.URL, form("yet another passphrase", "yet another passphrase")); code != 404 || !strings.Contains(page, `id="bad-link"`) {
		t.Errorf("the link a second time: %d\n%s", code, page)
	}
	if status, _, page := getPage(t, link, ""); status != 404 || strings.Contains(page, token) {
		t.Errorf("the used link's page: %d", status)
	}
	if code, _, _ := signIn(p, uid, "yet another passphrase"); code != 401 {
		t.Errorf("the password of the link's second use works: %d", code)
	}

	logged := log.String()
	for _, want := range []string{"event=password_reset_requested", "event=password_reset_unknown", "event=password_reset_done", "event=password_reset_bad_link", "event=password_reset_foreign"} {
		if !strings.Contains(logged, want) {
			t.Errorf("the security log lacks %s:\n%s", want, logged)
		}
	}
	if strings.Contains(logged, token) {
		t.Errorf("the security log holds the token:\n%s", logged)
	}
}

// A user still on a temporary password (one refused new password used it
// up) sets their own through a lost-password link: it works, and the
// temporary password is gone.
func TestPasswordResetClearsTemporaryPassword(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	if code, _, _ := signIn(p, uid, temp); code != 200 {
		t.Fatalf("first sign-in: %d", code)
	}
	if code, _ := askReset(t, p, uid); code != 202 {
		t.Fatalf("request: %d", code)
	}
	p.svc.WaitPasswordResets()
	token := latestResetToken(t, p, "ana@acme.example")
	if _, err := p.svc.ResetPassword(context.Background(), token, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	code, s, _ := signIn(p, uid, "a brand new passphrase")
	if code != 200 || s.MustChangePassword || s.RefreshToken == "" {
		t.Errorf("the new password: %d %+v", code, s)
	}
	if u := mustUser(t, p, uid); u.MustChangePassword || !u.TemporaryPasswordExpires().IsZero() {
		t.Errorf("the temporary password stays: %+v", u)
	}
}

func latestResetToken(t testing.TB, p *testPortal, email string) string {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	token := ""
	for _, e := range out {
		if e.To == email && e.Kind == "password_reset" {
			m := resetLinkRe.FindStringSubmatch(e.Body)
			if m == nil {
				t.Fatalf("no link in %s", e.Body)
			}
			_, token, _ = strings.Cut(m[1], "?t=")
		}
	}
	if token == "" {
		t.Fatalf("no password reset email to %s", email)
	}
	return token
}

// Only the newest link works; a link expires after PasswordResetTTL;
// requests are limited per account (the answer stays the same, no email
// follows) and per client address (429).
func TestPasswordResetLimits(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := newTestPortal(t)
	clk := p.withClock(start)
	ctx := context.Background()
	uid, _ := p.newContract(t, "ana@acme.example", "atlas")
	askReset(t, p, uid)
	p.svc.WaitPasswordResets()
	first := latestResetToken(t, p, "ana@acme.example")
	askReset(t, p, uid)
	p.svc.WaitPasswordResets()
	second := latestResetToken(t, p, "ana@acme.example")
	if _, err := p.svc.ResetPassword(ctx, first, "a brand new passphrase"); err != portal.ErrResetLinkInvalid {
		t.Errorf("a replaced link: %v", err)
	}
	clk.t = start.Add(portal.PasswordResetTTL)
	if _, err := p.svc.ResetPassword(ctx, second, "a brand new passphrase"); err != portal.ErrResetLinkInvalid {
		t.Errorf("an expired link: %v", err)
	}
	code, answer := askReset(t, p, uid) // the third in the hour
	p.svc.WaitPasswordResets()
	code4, answer4 := askReset(t, p, uid) // one too many
	p.svc.WaitPasswordResets()
	if code != 202 || code4 != 202 || answer4 != answer {
		t.Errorf("over the account's limit: %d %q, want %d %q", code4, answer4, code, answer)
	}
	if n := outboxTo(t, p, "ana@acme.example", "password_reset"); n != resetAccountRequests {
		t.Errorf("%d emails for %d requests, want %d", n, resetAccountRequests+1, resetAccountRequests)
	}
	for i := 4; i < resetAddressRequests; i++ {
		if code, _ := askReset(t, p, "someone@acme.example"); code != 202 {
			t.Fatalf("request %d from one address: %d", i+1, code)
		}
	}
	if code, body := askReset(t, p, "someone@acme.example"); code != 429 || !strings.Contains(body, "lost-password requests") || strings.Contains(body, "sign-in") {
		t.Errorf("request %d from one address: %d %s, want 429 saying what was limited", resetAddressRequests+1, code, body)
	}
	p.svc.WaitPasswordResets()
	clk.t = clk.t.Add(resetAccountWindow)
	if code, _ := askReset(t, p, uid); code != 202 {
		t.Errorf("an hour later: %d", code)
	}
	p.svc.WaitPasswordResets()
	if n := outboxTo(t, p, "ana@acme.example", "password_reset"); n != resetAccountRequests+1 {
		t.Errorf("an hour later, %d emails", n)
	}
}
