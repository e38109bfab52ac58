package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/portal/web"
)

// startPortal runs the real account service on loopback with a real SQLite
// file and the demo catalog.
func startPortal(t *testing.T) (*httptest.Server, *portal.Service, *portal.SQLStore, string) {
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
	svc := portal.NewService(store, assets.DemoSignedCatalog(), c, "http://"+srv.Listener.Addr().String(),
		portal.WithProfile(portal.Profile{Support: portal.ProfileSupport{Web: "https://support.example.com", Phone: "+1 555 0100"}}))
	srv.Config.Handler = web.NewHandler(svc, assets.DemoPackageSource)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, svc, store, db
}

// trustDemoKey writes a configuration that trusts the demo publisher's
// key, as an assistant trusts its publisher's.
func trustDemoKey(t *testing.T, config string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(config), 0o700)
	writeFile(t, filepath.Dir(config), filepath.Base(config), []byte(`{"trusted_keys": ["`+catalog.FormatPublicKey(assets.DemoPublicKey())+`"]}`))
}

var (
	userIDLine       = regexp.MustCompile(`User ID: (\S+)`)
	tempPasswordLine = regexp.MustCompile(`Temporary password: (\S+)`)
)

// startEmail reads the user ID and temporary password from the newest
// start email sent to email, as the user would.
func startEmail(t *testing.T, store *portal.SQLStore, email string) (uid, temp string) {
	t.Helper()
	out, err := store.Outbox(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].To == email && out[i].Kind == "start" {
			uid, temp := userIDLine.FindStringSubmatch(out[i].Body), tempPasswordLine.FindStringSubmatch(out[i].Body)
			if uid == nil || temp == nil {
				t.Fatalf("start email to %s lacks the user ID or password:\n%s", email, out[i].Body)
			}
			return uid[1], temp[1]
		}
	}
	t.Fatalf("no start email for %s", email)
	return "", ""
}

// An account's first steps, through the CLI: create a contract, read the
// start email, sign in, change the password; the refresh token is found by
// secret-tool in the Secret Service, and in no file.
func TestSignInWhoAmISignOut(t *testing.T) {
	sessiontest.RequireBus(t)
	srv, svc, store, db := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 10}}, Plan: portal.PlanAdvanced}, "test"); err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "ana@acme.example")

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
	// A refused new password is asked again: the sign-in used the
	// temporary password up.
	newPass := "a long and private passphrase"
	if r := run(temp+"\nshort\n"+newPass+"\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 || !strings.Contains(r.stderr, "12 characters") {
		t.Fatalf("first sign-in, a weak then a good new password: exit %d %s", r.code, r.stderr)
	}
	r := run("", "whoami")
	if r.code != 0 || !strings.Contains(r.stdout, uid) || !strings.Contains(r.stdout, "Acme") || !strings.Contains(r.stdout, "atlas") {
		t.Fatalf("whoami: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	// The refresh token is in the Secret Service...
	out, err := exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", uid+"@"+strings.TrimPrefix(srv.URL, "http://")).Output()
	var saved struct{ Refresh, Access string }
	if err != nil || json.Unmarshal(out, &saved) != nil || len(saved.Refresh) < 40 || len(saved.Access) < 40 {
		t.Fatalf("secret-tool found %q, %v", out, err)
	}
	token := saved.Refresh
	// ...and in no file: not in the configuration, not in the database.
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte(saved.Access)) {
				t.Errorf("%s holds a token", p)
			}
		}
		return nil
	})
	for _, f := range []string{db, db + "-wal"} {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the refresh token", f)
		}
	}
	// The access token saved beside it serves while it is current; once it
	// has expired, a use refreshes, which rotates the refresh token.
	if r := run("", "whoami"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if out2, _ := exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", uid+"@"+strings.TrimPrefix(srv.URL, "http://")).Output(); !bytes.Equal(out2, out) {
		t.Error("a current access token was refreshed")
	}
	expireCachedAccess(t, filepath.Join(cfg, "config.json"))
	if r := run("", "whoami"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out, _ = exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", uid+"@"+strings.TrimPrefix(srv.URL, "http://")).Output()
	if json.Unmarshal(out, &saved) != nil || saved.Refresh == token {
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

// An admin's path through the CLI, and a user refused the admin commands.
func TestAdminCommands(t *testing.T) {
	sessiontest.RequireBus(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}, {Product: "quill", Seats: 10}}, Plan: portal.PlanAdvanced}, "test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	trustDemoKey(t, filepath.Join(dir, "ana", "config.json")) // the service serves the demo catalog
	cli := func(cfg, stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", filepath.Join(dir, cfg, "config.json")}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	if r := cli("ana", temp+"\nthe first admin's passphrase\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("signin: %s", r.stderr)
	}
	csv := filepath.Join(dir, "users.csv")
	os.WriteFile(csv, []byte("email,name,role,products,benefits\nbo@acme.example,Bo,user,atlas;quill,download;phone_support\ncy@acme.example,Cy,software_coordinator,quill,download;install\n"), 0o644)
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"users", "import", csv, "--dry-run"}, 0, "would add bo@acme.example"},
		// As French Excel saves a CSV: ";", CRLF, Windows-1252.
		{[]string{"users", "import", filepath.Join("..", "portal", "testdata", "excel-fr", "csv-point-virgule.csv"), "--dry-run"}, 0, "would add zoe.obrien@acme.example"},
		{[]string{"users", "list"}, 0, "ana@acme.example"},
		{[]string{"users", "import", csv}, 0, "2 to add, 0 to change"},
		{[]string{"users", "import", csv}, 0, "0 to add, 0 to change, 2 unchanged"},
		{[]string{"users", "add", "--email", "di@acme.example", "--product", "quill", "--benefit", "download"}, 0, "add di@acme.example"},
		{[]string{"users", "add", "--email", "di@acme.example"}, 0, "0 to add, 0 to change, 1 unchanged"},
		{[]string{"users", "list"}, 0, "cy@acme.example"},
		{[]string{"callers", "list"}, 0, "0 of 2"},
		{[]string{"profile", "--name", "Ana Admin"}, 0, "Ana Admin"},
		{[]string{"support"}, 0, "phone support is for your contract's designated callers"},
		{[]string{"products"}, 0, "atlas"},
	}
	for _, s := range steps {
		if r := cli("ana", "", s.args...); r.code != s.code || !strings.Contains(r.stdout, s.want) {
			t.Fatalf("%v: exit %d\n%s\n%s", s.args, r.code, r.stdout, r.stderr)
		}
	}
	var users []account.User
	r := cli("ana", "", "users", "list", "--json")
	if err := jsonUnmarshal([]byte(r.stdout), &users); err != nil || len(users) != 4 {
		t.Fatalf("users list --json: %v %s", err, r.stdout)
	}
	ids := map[string]string{}
	for _, u := range users {
		ids[u.Email] = u.ID
	}
	if r := cli("ana", "", "users", "assign", "--user", ids["cy@acme.example"], "--user", ids["di@acme.example"], "--add-product", "atlas"); r.code != 0 || !strings.Contains(r.stdout, "2 to change") {
		t.Fatalf("assign: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// atlas has 4 seats: ana, bo, cy, di hold them all.
	if r := cli("ana", "", "users", "add", "--email", "ed@acme.example", "--product", "atlas"); r.code != exitFailed || !strings.Contains(r.stderr, "5 users for 4 seats") {
		t.Fatalf("over the seats: %d %s", r.code, r.stderr)
	}
	if r := cli("ana", "", "users", "import", filepath.Join("..", "portal", "testdata", "excel-fr", "texte-unicode.txt")); r.code != exitFailed || !strings.Contains(r.stderr, "UTF-16") || !strings.Contains(r.stderr, "CSV UTF-8") {
		t.Fatalf("a UTF-16 file: %d %s", r.code, r.stderr)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("email,products\nnot-an-email,atlas\nok@acme.example,photoshop\n"), 0o644)
	if r := cli("ana", "", "users", "import", bad); r.code != exitFailed || !strings.Contains(r.stderr, "line 2") || !strings.Contains(r.stderr, "line 3") {
		t.Fatalf("bad file: %d %s", r.code, r.stderr)
	}
	if r := cli("ana", "", "callers", "add", "--user", ids["bo@acme.example"]); r.code != 0 {
		t.Fatalf("callers add: %s", r.stderr)
	}
	// Bo signs in: a plain user is refused the admin commands (exit 6) and
	// sees the support phone as a designated caller with phone_support.
	buid, btemp := startEmail(t, store, "bo@acme.example")
	if r := cli("bo", btemp+"\nbo's long passphrase!\n", "signin", "--server", srv.URL, "--user", buid); r.code != 0 {
		t.Fatalf("bo signin: %s", r.stderr)
	}
	if r := cli("bo", "", "users", "list"); r.code != exitEntitlement {
		t.Fatalf("a user lists users: exit %d %s", r.code, r.stderr)
	}
	if r := cli("bo", "", "support"); r.code != 0 || !strings.Contains(r.stdout, "Phone:") {
		t.Fatalf("a caller's support: %s", r.stdout)
	}
	if r := cli("ana", "", "users", "remove", "--user", ids["di@acme.example"]); r.code != 0 {
		t.Fatalf("remove: %s", r.stderr)
	}
	cli("ana", "", "signout")
	cli("bo", "", "signout")
}

var jsonUnmarshal = func(b []byte, v any) error { return json.Unmarshal(b, v) }
