package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// After the contract's end, the CLI says so with the date and exits 6;
// what stays (whoami) still works.
func TestContractEndedCLI(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	c, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard, Term: time.Nanosecond}, "test")
	if err != nil {
		t.Fatal(err)
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	cfg := filepath.Join(t.TempDir(), "config.json")
	cli := func(stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", cfg}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	if r := cli(temp+"\nthe first admin's passphrase\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("sign-in after the end: %s", r.stderr)
	}
	defer cli("", "signout")
	if r := cli("", "whoami"); r.code != 0 {
		t.Fatalf("whoami after the end: %d %s", r.code, r.stderr)
	}
	ends := c.Ends.Format(time.DateOnly)
	for _, args := range [][]string{
		{"users", "add", "--email", "bo@acme.example"},
		{"deploy", "keys", "list"}, // stays: listed as allowed
	} {
		r := cli("", args...)
		if args[0] == "deploy" {
			if r.code != 0 {
				t.Errorf("%v after the end: %d %s", args, r.code, r.stderr)
			}
			continue
		}
		if r.code != exitEntitlement || !strings.Contains(r.stderr, "ended on "+ends) {
			t.Errorf("%v: exit %d %q, want 6 naming %s", args, r.code, r.stderr, ends)
		}
	}
}
