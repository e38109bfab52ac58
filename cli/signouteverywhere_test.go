package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/internal/sessiontest"
	"onramp.dev/onramp/portal"
)

// signout --everywhere ends the account's sessions on every machine: one
// opened elsewhere stops working too. With the service unreachable it
// fails, and forgets nothing, so that it can be run again.
func TestSignOutEverywhere(t *testing.T) {
	sessiontest.RequireBus(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Everywhere", ManagerEmail: "eve@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 10}}, Plan: portal.PlanAdvanced}, "test"); err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "eve@acme.example")
	cfg := filepath.Join(t.TempDir(), "config")
	run := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", filepath.Join(cfg, "config.json")}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	pass := "a long and private passphrase"
	if r := run(temp+"\n"+pass+"\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("sign-in: exit %d %s", r.code, r.stderr)
	}
	// The same account on another machine.
	other, err := account.NewWithTokens(srv.URL, account.NewMemoryTokenStore())
	if err != nil {
		t.Fatal(err)
	}
	if err := other.SignIn(ctx, uid, pass); err != nil {
		t.Fatal(err)
	}
	if _, err := other.WhoAmI(ctx); err != nil {
		t.Fatal(err)
	}

	r := run("", "signout", "--everywhere", "--json")
	var out struct {
		SignedOut  bool   `json:"signed_out"`
		Everywhere bool   `json:"everywhere"`
		User       string `json:"user"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || !out.SignedOut || !out.Everywhere || out.User != uid {
		t.Fatalf("signout --everywhere --json: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	if _, err := other.WhoAmI(ctx); !errors.Is(err, account.ErrAuth) {
		t.Errorf("the other machine's session after signing out everywhere: %v, want %v", err, account.ErrAuth)
	}
	if r := run("", "whoami"); r.code != exitAuth {
		t.Errorf("whoami after signing out everywhere: exit %d, want %d", r.code, exitAuth)
	}

	// The service unreachable: nothing is forgotten.
	if r := run(pass+"\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("sign-in again: exit %d %s", r.code, r.stderr)
	}
	srv.Close()
	if r := run("", "signout", "--everywhere"); r.code == 0 || !strings.Contains(r.stderr, "could not be ended") {
		t.Errorf("signout --everywhere with the service down: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(cfg, "session.json")); err != nil {
		t.Errorf("the session file after a failed signout --everywhere: %v", err)
	}
}
