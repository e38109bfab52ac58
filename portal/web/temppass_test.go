package web

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// clock is a settable time for the service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func (p *testPortal) withClock(start time.Time) *clock {
	c := &clock{t: start}
	portal.WithClock(c.now)(p.svc)
	return c
}

func signIn(p *testPortal, login, password string) (int, portal.Session, Problem) {
	var s portal.Session
	var prob Problem
	code := callWith(http.DefaultClient, "POST", p.URL+"/api/v1/session", "", map[string]string{"login": login, "password": password}, &struct {
		*portal.Session
		*Problem
	}{&s, &prob})
	return code, s, prob
}

// A temporary password opens one session, good only to choose a password;
// the second sign-in with it is refused with a code that says what to do.
func TestTemporaryPasswordWorksOnce(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	code, first, _ := signIn(p, uid, temp)
	if code != 200 || !first.MustChangePassword || first.RefreshToken != "" {
		t.Fatalf("first sign-in: %d %+v", code, first)
	}
	for _, login := range []string{uid, "ana@acme.example"} {
		if code, _, prob := signIn(p, login, temp); code != 401 || prob.Code != "temporary_password_used" {
			t.Fatalf("second sign-in as %s: %d %+v", login, code, prob)
		}
	}
	if _, err := p.svc.SignIn(context.Background(), uid, temp, "127.0.0.1"); !errors.Is(err, portal.ErrTemporaryPasswordUsed) {
		t.Fatalf("service: %v", err)
	}
	// The first session still chooses the password.
	if code := p.call(t, "POST", "/api/v1/password", first.AccessToken, map[string]string{"current_password": temp, "new_password": "a long enough passphrase"}, nil); code != 204 {
		t.Fatalf("password change with the first session: %d", code)
	}
	if code, s, _ := signIn(p, uid, "a long enough passphrase"); code != 200 || s.RefreshToken == "" {
		t.Fatalf("sign-in with the new password: %d", code)
	}
	if code, _, prob := signIn(p, uid, temp); code != 401 || prob.Code != "bad_credentials" {
		t.Fatalf("the temporary password after the change: %d %+v", code, prob)
	}
}

// A temporary password expires 7 days after its start email; past that the
// right password says so, and a wrong one still says only "wrong".
func TestTemporaryPasswordExpires(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		after    time.Duration
		password string // "" the right one
		code     int
		problem  string
		err      error
	}{
		{"fresh", time.Minute, "", 200, "", nil},
		{"last-minute", portal.TemporaryPasswordTTL - time.Minute, "", 200, "", nil},
		{"expired", portal.TemporaryPasswordTTL, "", 401, "temporary_password_expired", portal.ErrTemporaryPasswordExpired},
		{"long-expired", 90 * 24 * time.Hour, "", 401, "temporary_password_expired", portal.ErrTemporaryPasswordExpired},
		{"expired-wrong-password", portal.TemporaryPasswordTTL, "wrong-wrong-wrong", 401, "bad_credentials", portal.ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPortal(t)
			clk := p.withClock(start)
			uid, temp := p.newContract(t, "ana@acme.example", "atlas")
			clk.t = start.Add(tt.after)
			pw := temp
			if tt.password != "" {
				pw = tt.password
			}
			code, _, prob := signIn(p, uid, pw)
			if code != tt.code || prob.Code != tt.problem {
				t.Fatalf("sign-in: %d %+v, want %d %s", code, prob, tt.code, tt.problem)
			}
			if tt.err != nil {
				clk.t = clk.t.Add(time.Second)
				if _, err := p.svc.SignIn(context.Background(), uid, pw, "127.0.0.1"); !errors.Is(err, tt.err) {
					t.Fatalf("service: %v, want %v", err, tt.err)
				}
			}
		})
	}
}

// An admin sends a new start email: a new temporary password, valid 7 days
// from now; the old one no longer works, unsent copies of the old email
// are gone, and the user's sessions end.
func TestSendStartEmail(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := newTestPortal(t)
	clk := p.withClock(start)
	ctx := context.Background()
	mgr, m := p.admin(t, "mgr@acme.example", "atlas")
	var added portal.Change
	if code := p.call(t, "POST", "/api/v1/users", mgr, portal.NewUser{Email: "bo@acme.example", Name: "Bo", Products: []string{"atlas"}}, &added); code != 201 {
		t.Fatalf("add: %d", code)
	}
	_, oldTemp := p.newStartEmail(t, "bo@acme.example")

	clk.t = start.Add(10 * 24 * time.Hour) // the first start email has expired
	_, ms, _ := signIn(p, m.ID, "a long enough passphrase")
	mgr = ms.AccessToken
	p.call(t, "POST", "/api/v1/users", mgr, portal.NewUser{Email: "cy@acme.example", Role: portal.RoleCoordinator}, nil)
	cyUID, cyTemp := p.newStartEmail(t, "cy@acme.example")
	coord := p.activate(t, cyUID, cyTemp)
	otherMgr, _ := p.admin(t, "mgr@other.example", "atlas")
	if code, _, prob := signIn(p, added.UserID, oldTemp); prob.Code != "temporary_password_expired" {
		t.Fatalf("old start email after 10 days: %d %+v", code, prob)
	}
	var sent struct {
		UserID  string    `json:"user_id"`
		Expires time.Time `json:"expires"`
	}
	if code := p.call(t, "POST", "/api/v1/users/"+added.UserID+"/start-email", mgr, nil, &sent); code != 202 ||
		sent.UserID != added.UserID || !sent.Expires.Equal(clk.t.Add(portal.TemporaryPasswordTTL)) {
		t.Fatalf("send start email: %d %+v", code, sent)
	}
	uid, newTemp := p.newStartEmail(t, "bo@acme.example")
	if uid != added.UserID || newTemp == oldTemp {
		t.Fatalf("new start email: %s %s", uid, newTemp)
	}
	if code, _, prob := signIn(p, uid, oldTemp); code != 401 || prob.Code != "bad_credentials" {
		t.Errorf("the old temporary password: %d %+v", code, prob)
	}
	code, s, _ := signIn(p, uid, newTemp)
	if code != 200 || !s.MustChangePassword {
		t.Fatalf("the new temporary password: %d", code)
	}
	// Another one ends the session the last one opened.
	if code := p.call(t, "POST", "/api/v1/users/"+uid+"/start-email", coord, nil, nil); code != 202 {
		t.Fatalf("a coordinator sends one: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": newTemp, "new_password": "a long enough passphrase"}, nil); code != 401 {
		t.Errorf("a session of the replaced temporary password: %d", code)
	}
	unsent, _ := p.store.Outbox(ctx, true)
	n := 0
	for _, e := range unsent {
		if e.To == "bo@acme.example" && e.Kind == "start" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d unsent start emails to bo, want only the newest", n)
	}

	mgrID := m.ID
	boTemp := p.activate(t, uid, mustLatestTemp(t, p, "bo@acme.example"))
	for _, tt := range []struct {
		name, token, user string
		code              int
		problem           string
	}{
		{"plain-user", boTemp, uid, 403, "forbidden"},
		{"other-contract", otherMgr, uid, 404, "not_found"},
		{"unknown-user", mgr, "UNOSUCHXX", 404, "not_found"},
		{"coordinator-on-manager", coord, mgrID, 403, "manager_protected"},
		{"unsigned", "", uid, 401, "unauthenticated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var prob Problem
			if code := p.call(t, "POST", "/api/v1/users/"+tt.user+"/start-email", tt.token, nil, &prob); code != tt.code || prob.Code != tt.problem {
				t.Errorf("%d %+v, want %d %s", code, prob, tt.code, tt.problem)
			}
		})
	}
}

// newStartEmail reads the newest start email to email.
func (p *testPortal) newStartEmail(t *testing.T, email string) (uid, temp string) {
	t.Helper()
	out, err := p.store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].To == email && out[i].Kind == "start" {
			uid, pw := userIDRe.FindStringSubmatch(out[i].Body), tempPassRe.FindStringSubmatch(out[i].Body)
			if uid == nil || pw == nil {
				t.Fatalf("start email without credentials: %s", out[i].Body)
			}
			return uid[1], pw[1]
		}
	}
	t.Fatalf("no start email to %s", email)
	return "", ""
}

func mustLatestTemp(t *testing.T, p *testPortal, email string) string {
	_, temp := p.newStartEmail(t, email)
	return temp
}

// Sign-ins racing with one temporary password open one session between
// them: the password is used up in the same statement that checks it is
// unused.
func TestTemporaryPasswordRace(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	const racers = 6
	codes := make(chan int, racers)
	start := make(chan struct{})
	for range racers {
		go func() {
			<-start
			code, _, _ := signIn(p, uid, temp)
			codes <- code
		}()
	}
	close(start)
	ok := 0
	for range racers {
		if <-codes == 200 {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d sessions from one temporary password, want 1", ok)
	}
}
