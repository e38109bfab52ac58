package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
)

// startPortal runs the real account service on loopback with a real SQLite
// file and the demo catalog.
func startPortal(t *testing.T) (*httptest.Server, *portal.Service, *portal.SQLite, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "portal.db")
	store, err := portal.OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	svc := portal.NewService(store, assets.DemoSignedCatalog(), c, "http://"+srv.Listener.Addr().String())
	srv.Config.Handler = svc.Handler(func(name string) (io.ReadSeeker, time.Time, bool) {
		b, ok := assets.DemoPackage(name)
		return bytes.NewReader(b), time.Time{}, ok
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, svc, store, db
}

// The acceptance path, through the CLI: create a contract, read the
// start email, sign in, change the password; the refresh token is found by
// secret-tool in the Secret Service, and in no file.
func TestSignInWhoAmISignOut(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("no D-Bus session: run the tests through .ci/with-session (D-Bus + gnome-keyring)")
	}
	srv, svc, store, db := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 10}}, Plan: portal.PlanAdvanced}, "test"); err != nil {
		t.Fatal(err)
	}
	emails, _ := store.Outbox(ctx, true)
	body := emails[len(emails)-1].Body
	uid := regexp.MustCompile(`User ID: (\S+)`).FindStringSubmatch(body)[1]
	temp := regexp.MustCompile(`Temporary password: (\S+)`).FindStringSubmatch(body)[1]

	home := t.TempDir()
	cfg := filepath.Join(home, "config")
	run := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", filepath.Join(cfg, "config.json")}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	if r := run("wrong\n", "signin", "--server", srv.URL, "--user", uid); r.code != exitAuth {
		t.Fatalf("wrong password: exit %d %s", r.code, r.stderr)
	}
	if r := run(temp+"\nshort\n", "signin", "--server", srv.URL, "--user", uid); r.code == 0 || !strings.Contains(r.stderr, "12 characters") {
		t.Fatalf("weak new password: exit %d %s", r.code, r.stderr)
	}
	newPass := "a long and private passphrase"
	if r := run(temp+"\n"+newPass+"\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("first sign-in: exit %d %s", r.code, r.stderr)
	}
	r := run("", "whoami")
	if r.code != 0 || !strings.Contains(r.stdout, uid) || !strings.Contains(r.stdout, "Acme") || !strings.Contains(r.stdout, "atlas") {
		t.Fatalf("whoami: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	// The refresh token is in the Secret Service...
	out, err := exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", uid+"@"+strings.TrimPrefix(srv.URL, "http://")).Output()
	token := strings.TrimSpace(string(out))
	if err != nil || len(token) < 40 {
		t.Fatalf("secret-tool found %q, %v", token, err)
	}
	// ...and in no file: not in the configuration, not in the database.
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(token)) {
				t.Errorf("%s holds the refresh token", p)
			}
		}
		return nil
	})
	for _, f := range []string{db, db + "-wal"} {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the refresh token", f)
		}
	}
	// Each use rotates it.
	if r := run("", "whoami"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out, _ = exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", uid+"@"+strings.TrimPrefix(srv.URL, "http://")).Output()
	if strings.TrimSpace(string(out)) == token {
		t.Error("the refresh token was not rotated")
	}
	if r := run("", "signout"); r.code != 0 {
		t.Fatalf("signout: %d %s", r.code, r.stderr)
	}
	if r := run("", "whoami"); r.code != exitAuth {
		t.Fatalf("whoami after signout: %d", r.code)
	}
	if out, _ := exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", uid+"@"+strings.TrimPrefix(srv.URL, "http://")).Output(); len(out) > 0 {
		t.Error("the keyring still holds the session after signout")
	}
}
