package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

func TestDemoService(t *testing.T) {
	signed, c := testCatalog(t)
	d, err := StartDemo(context.Background(), DemoOptions{Dir: t.TempDir(), SignedCatalog: signed, Catalog: c,
		Packages: func(string) (io.ReadSeeker, time.Time, bool) { return strings.NewReader("bytes"), time.Time{}, true }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !strings.HasPrefix(d.URL, "http://127.0.0.1:") || !strings.Contains(d.StartEmail, d.ManagerID) {
		t.Fatalf("demo: url %q, start email %q", d.URL, d.StartEmail)
	}
	var s portal.Session
	if code := callWith(http.DefaultClient, "POST", d.URL+"/api/v1/session", "", map[string]string{"login": d.ManagerID, "password": d.TempPassword}, &s); code != 200 || !s.MustChangePassword {
		t.Fatalf("sign-in with the demo's temporary password: %d %+v", code, s)
	}
	if code := callWith(http.DefaultClient, "POST", d.URL+"/api/v1/password", s.AccessToken, map[string]string{"current_password": d.TempPassword, "new_password": "correct horse battery"}, nil); code != 204 && code != 200 {
		t.Fatalf("password change: %d", code)
	}
	code := callWith(http.DefaultClient, "POST", d.URL+"/api/v1/session", "", map[string]string{"login": d.ManagerID, "password": "correct horse battery"}, &s)
	if code != 200 {
		t.Fatalf("sign-in: %d", code)
	}
	var users []portal.User
	if code := callWith(http.DefaultClient, "GET", d.URL+"/api/v1/users", s.AccessToken, nil, &users); code != 200 || len(users) != 4 {
		t.Fatalf("users: %d, %d users, want the manager and 3 imported", code, len(users))
	}
	var me portal.Me
	callWith(http.DefaultClient, "GET", d.URL+"/api/v1/me", s.AccessToken, nil, &me)
	if me.Contract.Plan != portal.PlanAdvanced || len(me.Contract.Products) != len(c.Products) {
		t.Fatalf("demo contract: %+v", me.Contract)
	}
}
