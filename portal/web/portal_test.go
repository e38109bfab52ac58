package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
)

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

type testPortal struct {
	*httptest.Server
	svc   *portal.Service
	store *portal.SQLStore
	db    string
}

func newTestPortal(t testing.TB) *testPortal {
	t.Helper()
	store, db := openTestStore(t)
	signed, c := testCatalog(t)
	svc := portal.NewService(store, signed, c, "https://127.0.0.1/signin", portal.WithProfile(demoProfile))
	packages := func(name string) (io.ReadSeeker, time.Time, bool) {
		return strings.NewReader("bytes"), time.Time{}, true
	}
	srv := httptest.NewServer(NewHandler(svc, packages))
	t.Cleanup(srv.Close)
	return &testPortal{Server: srv, svc: svc, store: store, db: db}
}

// call makes one API request and decodes the answer.
func (p *testPortal) call(t testing.TB, method, path, token string, body any, out any) int {
	t.Helper()
	return callWith(http.DefaultClient, method, p.URL+path, token, body, out)
}

func callWith(hc *http.Client, method, url, token string, body any, out any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		return -2 // an error without a problem document
	}
	if out != nil && len(data) > 0 {
		json.Unmarshal(data, out)
	}
	return resp.StatusCode
}

var (
	userIDRe   = regexp.MustCompile(`User ID: (U[0-9A-Z]{8})`)
	tempPassRe = regexp.MustCompile(`Temporary password: (\S+)`)
)

// newContract orders a contract and reads the start email from the outbox.
func (p *testPortal) newContract(t testing.TB, email string, products ...string) (userID, temp string) {
	t.Helper()
	var seats []portal.Seats
	for _, pr := range products {
		seats = append(seats, portal.Seats{Product: pr, Seats: 5})
	}
	_, m, err := p.svc.CreateContract(context.Background(), portal.ContractRequest{Company: "Example " + email, ManagerEmail: email, Products: seats, Plan: portal.PlanAdvanced}, "test")
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

func TestActivationAndSessions(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "mgr@example.com", "atlas")
	out, _ := p.store.Outbox(context.Background(), false)
	if len(out) != 2 || out[0].Kind != "order_confirmation" || out[1].Kind != "start" {
		t.Fatalf("outbox %+v", out)
	}

	// First sign-in: only the password change is allowed.
	var s portal.Session
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &s); code != 200 || !s.MustChangePassword || s.RefreshToken != "" {
		t.Fatalf("first sign-in: %d %+v", code, s)
	}
	var prob Problem
	if code := p.call(t, "GET", "/api/v1/me", s.AccessToken, nil, &prob); code != 403 || prob.Code != "password_change_required" {
		t.Fatalf("me before the change: %d %+v", code, prob)
	}
	if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": "short"}, &prob); code != 422 || prob.Code != "weak_password" {
		t.Fatalf("weak password: %d %+v", code, prob)
	}
	newPass := "correct horse battery staple"
	if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": newPass}, nil); code != 204 {
		t.Fatalf("change: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/me", s.AccessToken, nil, nil); code != 401 {
		t.Fatalf("the old session survived the password change: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, nil); code != 401 {
		t.Fatalf("the temporary password still works: %d", code)
	}

	// A full session, by email as well as by ID.
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": "MGR@example.com", "password": newPass}, &s); code != 200 || s.RefreshToken == "" {
		t.Fatalf("sign-in: %d %+v", code, s)
	}
	var me portal.Me
	if code := p.call(t, "GET", "/api/v1/me", s.AccessToken, nil, &me); code != 200 || me.User.ID != uid || me.Contract.Products[0].Product != "atlas" || me.User.Role != portal.RoleManager {
		t.Fatalf("me: %d %+v", code, me)
	}

	// Refresh rotates; a used refresh token closes the whole sign-in.
	var s2 portal.Session
	if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s.RefreshToken}, &s2); code != 200 || s2.RefreshToken == s.RefreshToken {
		t.Fatalf("refresh: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s.RefreshToken}, &prob); code != 401 {
		t.Fatalf("reused refresh token: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/me", s2.AccessToken, nil, nil); code != 401 {
		t.Fatalf("the family survived a reuse: %d", code)
	}

	// Sign-out ends the session.
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": newPass}, &s)
	if code := p.call(t, "DELETE", "/api/v1/session", s.AccessToken, nil, nil); code != 204 {
		t.Fatalf("sign-out: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s.RefreshToken}, nil); code != 401 {
		t.Fatalf("refresh after sign-out: %d", code)
	}

	// No token or password in the database file, only hashes.
	p.store.Close()
	for _, f := range []string{p.db, p.db + "-wal"} {
		b, _ := os.ReadFile(f)
		for _, secret := range []string{s.AccessToken, s.RefreshToken, s2.RefreshToken, newPass} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds a secret in plain text", filepath.Base(f))
			}
		}
	}
}

func TestSignInRateLimits(t *testing.T) {
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "a@example.com", "atlas")
	for i := range 5 {
		if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "wrong"}, nil); code != 401 {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	var prob Problem
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &prob); code != 429 || prob.RetryAfter <= 0 {
		t.Fatalf("after 5 failures, the right password: %d %+v", code, prob)
	}
	// Unknown users cost the same answer as wrong passwords.
	var p1, p2 Problem
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": "UNOSUCHXX", "password": "x"}, &p1)
	other, _ := p.newContract(t, "b@example.com", "atlas")
	p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": other, "password": "x"}, &p2)
	if p1.Detail != p2.Detail || p1.Code != "bad_credentials" {
		t.Errorf("unknown user %+v vs wrong password %+v", p1, p2)
	}
}

func TestPackagesNeedEntitlement(t *testing.T) {
	p := newTestPortal(t)
	login := func(email string, products ...string) string {
		uid, temp := p.newContract(t, email, products...)
		var s portal.Session
		p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &s)
		p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": "a much longer password"}, nil)
		p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a much longer password"}, &s)
		return s.AccessToken
	}
	atlasOnly := login("atlas@example.com", "atlas")
	if code := p.call(t, "GET", "/api/v1/packages/atlas-1.0.0.tar.gz", atlasOnly, nil, nil); code != 200 {
		t.Errorf("entitled download: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/packages/quill-1.0.0.tar.gz", atlasOnly, nil, nil); code != 403 {
		t.Errorf("another product's package: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/packages/atlas-1.0.0.tar.gz", "", nil, nil); code != 401 {
		t.Errorf("anonymous download: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/packages/nope.zip", atlasOnly, nil, nil); code != 404 {
		t.Errorf("unknown package: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/catalog", "", nil, nil); code != 200 {
		t.Errorf("the signed catalog is public: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/nothing", atlasOnly, nil, nil); code != 404 {
		t.Errorf("unknown route: %d", code)
	}
	var prob Problem
	if code := p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": "x", "password": "y", "admin": "true"}, &prob); code != 400 {
		t.Errorf("unknown field: %d %+v", code, prob)
	}
}

var jsonUnmarshal = json.Unmarshal
