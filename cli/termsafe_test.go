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

func TestTermSafe(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Ana Müller", "Ana Müller"},
		{"osc-title", "\x1b]0;pwn\x07Eve", `\x1b]0;pwn\x07Eve`},
		{"csi-clear", "\x1b[2J", `\x1b[2J`},
		{"tab-and-newline", "a\tb\nc\r", `a\tb\nc\r`},
		{"nul-and-del", "a\x00b\x7f", `a\x00b\x7f`},
		{"c1-csi", "a\u009b31mred", `a\u009b31mred`},
		{"bidi-override", "txt.\u202eexe", `txt.\u202eexe`},
		{"bidi-isolate", "\u2066x\u2069", `\u2066x\u2069`},
		{"invalid-utf8", "a\xffb", `a\xffb`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := termSafe(tc.in); got != tc.want {
				t.Errorf("termSafe(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := termSafeText("line 1\nline\x1b 2"); got != "line 1\nline\\x1b 2" {
		t.Errorf("termSafeText keeps newlines only: %q", got)
	}
}

// Strings the service sends (a user's name, an error's detail) reach the
// terminal escaped: a name can neither retitle the window nor clear it.
func TestNoEscapesReachTheTerminal(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanAdvanced}, "test"); err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	cfg := filepath.Join(t.TempDir(), "config.json")
	trustDemoKey(t, cfg) // the service serves the demo catalog: products reads it
	cli := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", cfg}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	if r := cli(temp+"\nthe first admin's passphrase\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("signin: %s", r.stderr)
	}
	defer cli("", "signout")
	// Stored as an older service (or another implementation) might have.
	if err := store.SetProfile(ctx, uid, "\x1b]0;pwn\x07Eve\u202e", "\x1b[2J+33"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"users", "list"}, {"whoami"}, {"profile"}, {"support"}, {"callers", "list"}, {"products"}} {
		r := cli("", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		for _, s := range []string{r.stdout, r.stderr} {
			if strings.ContainsAny(s, "\x1b\x07\u202e") {
				t.Errorf("%v wrote a control character: %q", args, s)
			}
		}
	}
	if r := cli("", "users", "list"); !strings.Contains(r.stdout, `\x1b]0;pwn\x07Eve`) {
		t.Errorf("users list does not show the name escaped: %q", r.stdout)
	}
	// JSON keeps the name as it is, escaped by encoding/json.
	if r := cli("", "users", "list", "--json"); !strings.Contains(r.stdout, `\u001b]0;pwn\u0007Eve`) {
		t.Errorf("users list --json: %q", r.stdout)
	}
}

// requireSession stops a test that needs the Secret Service when there is
// no D-Bus session (a skip, or a failure in CI): run it through
// .ci/with-session.
func requireSession(t *testing.T) {
	t.Helper()
	sessiontest.RequireBus(t)
}
