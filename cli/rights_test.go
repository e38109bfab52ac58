package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// Rights through the command line, against a real service: a coordinator
// without benefits downloads by role; a user without the install benefit
// is told so before anything is downloaded (exit 6); whoami shows the
// services a person can use; an admin changes a role and corrects an
// address without re-creating the person.
func TestRightsAndUserChangesCommands(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "quill", Seats: 10}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cli := func(who, stdin string, args ...string) result {
		t.Helper()
		config := filepath.Join(dir, who, "config.json")
		if _, err := os.Stat(config); err != nil {
			trustDemoKey(t, config)
		}
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", config}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	signin := func(who, email string) {
		t.Helper()
		uid, temp := startEmail(t, store, email)
		if r := cli(who, temp+"\nthe passphrase of "+who+"\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
			t.Fatalf("signin %s: %s", who, r.stderr)
		}
		t.Cleanup(func() { cli(who, "", "signout") })
	}
	signin("ana", "ana@acme.example")
	// A standard-plan manager holds every benefit but cannot call.
	if r := cli("ana", "", "whoami"); r.code != 0 || !strings.Contains(r.stdout, "Services: download, install, web support\n") {
		t.Errorf("whoami of a standard-plan manager: %d %q", r.code, r.stdout)
	}
	for _, add := range [][]string{
		{"--email", "co@acme.example", "--role", "software_coordinator", "--product", "quill"},
		{"--email", "dl@acme.example", "--product", "quill", "--benefit", "download"},
		{"--email", "typo@acme.exmaple", "--product", "quill"},
	} {
		if r := cli("ana", "", append([]string{"users", "add"}, add...)...); r.code != 0 {
			t.Fatalf("users add %v: %s", add, r.stderr)
		}
	}
	signin("co", "co@acme.example")
	signin("dl", "dl@acme.example")
	cache := filepath.Join(dir, "cache")
	if r := cli("co", "", "download", "--product", "quill", "--platform", "darwin/arm64", "--cache", cache); r.code != 0 {
		t.Errorf("a coordinator without benefits downloads by role: exit %d: %s", r.code, r.stderr)
	}
	if r := cli("co", "", "whoami"); !strings.Contains(r.stdout, "Services: download\n") {
		t.Errorf("whoami of a coordinator without benefits: %q", r.stdout)
	}
	cache2 := filepath.Join(dir, "cache2")
	r := cli("dl", "", "install", "--product", "quill", "--target", filepath.Join(dir, "target"), "--cache", cache2)
	if r.code != exitEntitlement || !strings.Contains(r.stderr, "install benefit") || !strings.Contains(r.stderr, "Nothing was downloaded") {
		t.Errorf("install without the install benefit: exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(cache2); len(entries) != 0 {
		t.Errorf("the refused install downloaded %d files first", len(entries))
	}
	// The same refusal's hint in French, for a person who asked for it;
	// the --json document's hint stays English for scripts.
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "fr_FR.UTF-8")
	r = cli("dl", "", "install", "--product", "quill", "--target", filepath.Join(dir, "target"), "--cache", cache2)
	if r.code != exitEntitlement || !strings.Contains(r.stderr, "Rien n’a été téléchargé") || !strings.Contains(r.stderr, "droit d’installation :") {
		t.Errorf("LANG=fr_FR.UTF-8, install without the install benefit: exit %d: %s", r.code, r.stderr)
	}
	r = cli("dl", "", "install", "--product", "quill", "--target", filepath.Join(dir, "target"), "--cache", cache2, "--json")
	if r.code != exitEntitlement || !strings.Contains(r.stdout, "Nothing was downloaded") {
		t.Errorf("LANG=fr_FR.UTF-8, install --json: exit %d: %s", r.code, r.stdout)
	}
	t.Setenv("LANG", "C")

	// A seat key needs the install benefit: said before the deployment's
	// packages are downloaded.
	out := filepath.Join(dir, "deployment")
	r = cli("co", "", "deploy", "create", "--product", "quill", "--platform", "darwin/arm64", "--out", out, "--register")
	if r.code != exitEntitlement || !strings.Contains(r.stderr, "install benefit") {
		t.Errorf("deploy create --register without install: exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the refused deployment downloaded %d files first", len(entries))
	}

	// Role changes: by ID, the person stays; a coordinator names no
	// manager; the contract keeps its manager.
	coID, _ := startEmail(t, store, "co@acme.example")
	anaID, _ := startEmail(t, store, "ana@acme.example")
	dlID, _ := startEmail(t, store, "dl@acme.example")
	var res api.UserUpdated
	if r := cli("ana", "", "users", "set-role", dlID, "coordinator", "--json"); r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil ||
		res.User.ID != dlID || res.User.Role != api.RoleCoordinator || len(res.User.Products) != 1 {
		t.Errorf("set-role: %d %s %s", r.code, r.stdout, r.stderr)
	}
	steps := []struct {
		name, who string
		args      []string
		code      int
		says      string
	}{
		{"coordinator-names-a-manager", "co", []string{"users", "set-role", dlID, "manager"}, exitEntitlement, "only a contract manager may name another"},
		{"coordinator-demotes-the-manager", "co", []string{"users", "set-role", anaID, "user"}, exitEntitlement, "cannot change contract managers"},
		{"last-manager", "ana", []string{"users", "set-role", anaID, "user"}, exitFailed, "at least one contract manager"},
		{"bad-role", "ana", []string{"users", "set-role", coID, "boss"}, exitUsage, "want manager, coordinator or user"},
		{"user-sets-a-role", "dl", []string{"users", "set-role", coID, "user"}, 0, "is now user"}, // dl is a coordinator now
		{"email-after-sign-in", "ana", []string{"users", "set-email", coID, "co2@acme.example"}, exitFailed, "signed in"},
	}
	for _, s := range steps {
		if r := cli(s.who, "", s.args...); r.code != s.code || !strings.Contains(r.stdout+r.stderr, s.says) {
			t.Errorf("%s: exit %d, want %d saying %q: %s%s", s.name, r.code, s.code, s.says, r.stdout, r.stderr)
		}
	}
	t.Setenv("LANG", "fr_FR.UTF-8")
	if r := cli("dl", "", "users", "set-role", coID, "user"); r.code != 0 || !strings.Contains(r.stdout, "est désormais user") {
		t.Errorf("LANG=fr_FR.UTF-8, set-role: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := cli("ana", "", "users", "set-role", coID, "boss"); r.code != exitUsage || !strings.Contains(r.stderr, `rôle "boss" : manager, coordinator ou user attendu`) {
		t.Errorf("LANG=fr_FR.UTF-8, bad role: exit %d: %s", r.code, r.stderr)
	}
	if r := cli("ana", "", "users", "set-role", coID, "boss", "--json"); r.code != exitUsage || !strings.Contains(r.stdout, "want manager, coordinator or user") {
		t.Errorf("LANG=fr_FR.UTF-8, bad role --json: exit %d: %s", r.code, r.stdout)
	}
	t.Setenv("LANG", "C")

	// An address corrected before the first sign-in: a new start email
	// to it; the old one's temporary password stops working.
	typoID, oldTemp := startEmail(t, store, "typo@acme.exmaple")
	if r := cli("ana", "", "users", "set-email", typoID, "typo@acme.example"); r.code != 0 || !strings.Contains(r.stdout, "a new start email is on its way") {
		t.Fatalf("set-email: %d %s %s", r.code, r.stdout, r.stderr)
	}
	newID, newTemp := startEmail(t, store, "typo@acme.example")
	if newID != typoID || newTemp == oldTemp {
		t.Errorf("start email to the corrected address: %s %q (was %s)", newID, newTemp, typoID)
	}
	if r := cli("typo-old", oldTemp+"\nx the passphrase\n", "signin", "--server", srv.URL, "--user", typoID); r.code != exitAuth {
		t.Errorf("the old address's temporary password still signs in: %d", r.code)
	}
	t.Setenv("LANG", "fr_FR.UTF-8")
	if r := cli("ana", "", "users", "set-email", typoID, "typo2@acme.example"); r.code != 0 || !strings.Contains(r.stdout, "L’adresse de "+typoID+" est désormais typo2@acme.example ; un nouvel email de démarrage") {
		t.Errorf("LANG=fr_FR.UTF-8, set-email: %d %s %s", r.code, r.stdout, r.stderr)
	}
}
