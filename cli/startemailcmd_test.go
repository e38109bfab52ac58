package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/portal"
)

// A temporary password works once; an admin sends a new start email with
// `users resend-start`, and its password lets the user in.
func TestUsersResendStart(t *testing.T) {
	sessiontest.RequireBus(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
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
	if r := cli("ana", "", "users", "add", "--email", "bo@acme.example"); r.code != 0 {
		t.Fatalf("add: %s", r.stderr)
	}
	bo, first := startEmail(t, store, "bo@acme.example")
	// Bo's first sign-in stops before a new password is given: the
	// temporary password is used up all the same.
	cli("bo", first+"\n", "signin", "--server", srv.URL, "--user", bo)
	if r := cli("bo", first+"\nbo's own long passphrase\n", "signin", "--server", srv.URL, "--user", bo); r.code != exitAuth || !strings.Contains(r.stderr, "new start email") {
		t.Fatalf("the used temporary password: exit %d %s", r.code, r.stderr)
	}
	steps := []struct {
		name string
		cfg  string
		args []string
		code int
		want string
	}{
		{"no-user", "ana", []string{"users", "resend-start"}, exitUsage, ""},
		{"unknown-user", "ana", []string{"users", "resend-start", "--user", "UNOSUCHXX"}, exitFailed, ""},
		{"text", "ana", []string{"users", "resend-start", "--user", bo}, 0, "new start email to bo@acme.example"},
		{"json", "ana", []string{"users", "resend-start", "--user", bo, "--json"}, 0, `"user_id": "` + bo + `"`},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if r := cli(s.cfg, "", s.args...); r.code != s.code || !strings.Contains(r.stdout, s.want) {
				t.Fatalf("%v: exit %d\n%s\n%s", s.args, r.code, r.stdout, r.stderr)
			}
		})
	}
	_, second := startEmail(t, store, "bo@acme.example")
	if second == first {
		t.Fatal("the new start email has the old password")
	}
	if r := cli("bo", second+"\nbo's own long passphrase\n", "signin", "--server", srv.URL, "--user", bo); r.code != 0 {
		t.Fatalf("signin with the new start email: %s", r.stderr)
	}
	if r := cli("bo", "", "users", "resend-start", "--user", uid); r.code != exitEntitlement {
		t.Fatalf("a plain user sends a start email: exit %d %s", r.code, r.stderr)
	}
	// Bo has chosen his own password: a resend replaces it and ends his
	// sessions, and is sent only when the admin says so.
	if r := cli("ana", "", "users", "resend-start", "--user", bo); r.code != exitFailed || !strings.Contains(r.stderr, "--end-sessions") ||
		!strings.Contains(r.stderr, "ends every session") {
		t.Fatalf("resend to an active user without --end-sessions: exit %d %s", r.code, r.stderr)
	}
	if r := cli("bo", "", "whoami"); r.code != 0 {
		t.Fatalf("the refused resend ended bo's session: exit %d %s", r.code, r.stderr)
	}
	if r := cli("ana", "", "users", "resend-start", "--user", bo, "--end-sessions"); r.code != 0 {
		t.Fatalf("resend with --end-sessions: exit %d %s", r.code, r.stderr)
	}
	if r := cli("bo", "", "whoami"); r.code != exitAuth {
		t.Fatalf("bo's session after the confirmed resend: exit %d %s", r.code, r.stderr)
	}
}

// `password reset` asks the service for a lost-password link: the answer
// is the same for an account and for no account, and only the account
// gets an email.
func TestPasswordReset(t *testing.T) {
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cli := func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", filepath.Join(dir, "config.json")}, args...), strings.NewReader(""), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	known := cli("password", "reset", "--server", srv.URL, "--user", "ana@acme.example")
	unknown := cli("password", "reset", "--server", srv.URL, "--user", "nobody@acme.example")
	if known.code != 0 || unknown.code != 0 || known.stdout != unknown.stdout || !strings.Contains(known.stdout, "link") {
		t.Fatalf("password reset: %+v, for no account %+v", known, unknown)
	}
	if r := cli("password", "reset", "--server", srv.URL, "--user", "ana@acme.example", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"requested": true`) {
		t.Errorf("--json: %+v", r)
	}
	if r := cli("password", "reset", "--user", "ana@acme.example"); r.code != exitUsage {
		t.Errorf("no server: %+v", r)
	}
	svc.WaitPasswordResets()
	out, _ := store.Outbox(ctx, true)
	n := map[string]int{}
	for _, e := range out {
		if e.Kind == "password_reset" {
			n[e.To]++
		}
	}
	if n["ana@acme.example"] != 2 || len(n) != 1 {
		t.Errorf("password reset emails: %v", n)
	}
}
