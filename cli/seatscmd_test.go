package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/portal"
)

// An admin lists and releases seats and lists and revokes seat keys; a
// revoked key registers nothing; a plain user is refused (exit 6).
func TestSeatsAndDeployKeysCommands(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	acme, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 2}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cli := func(who, stdin string, args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", filepath.Join(dir, who, "config.json")}, args...), strings.NewReader(stdin), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	uid, temp := startEmail(t, store, "ana@acme.example")
	if r := cli("ana", temp+"\nthe first admin's passphrase\n", "signin", "--server", srv.URL, "--user", uid); r.code != 0 {
		t.Fatalf("signin: %s", r.stderr)
	}
	defer cli("ana", "", "signout")
	if r := cli("ana", "", "users", "add", "--email", "bo@acme.example", "--product", "atlas"); r.code != 0 {
		t.Fatalf("users add: %s", r.stderr)
	}
	// The same address on another contract joins bo's account: one
	// person, no second account.
	bo, err := store.UserByLogin(ctx, "bo@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, m, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Other", ManagerEmail: "bo@ACME.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 1}}, Plan: portal.PlanStandard}, "test"); err != nil || m.ID != bo.ID {
		t.Errorf("a second account for bo: %v", err)
	}
	ana, err := store.User(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateSeatKey(ctx, ana, []string{"atlas"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"machine-0001", "machine-0002"} {
		if _, _, err := account.RegisterSeatWithKey(ctx, srv.URL, key, m, "pc-"+m, "atlas"); err != nil {
			t.Fatalf("register %s: %v", m, err)
		}
	}
	if r := cli("ana", "", "seats", "list"); r.code != 0 || !strings.Contains(r.stdout, "pc-machine-0001") || !strings.Contains(r.stdout, "pc-machine-0002") {
		t.Fatalf("seats list: %d %s %s", r.code, r.stdout, r.stderr)
	}
	var seats struct{ Seats []account.Seat }
	if r := cli("ana", "", "seats", "list", "--json"); json.Unmarshal([]byte(r.stdout), &seats) != nil || len(seats.Seats) != 2 {
		t.Fatalf("seats list --json: %s", r.stdout)
	}
	steps := []struct {
		name string
		args []string
		code int
	}{
		{"release", []string{"seats", "release", "--seat", seats.Seats[0].ID}, 0},
		{"release-again", []string{"seats", "release", "--seat", seats.Seats[0].ID}, exitFailed},
		{"release-without-id", []string{"seats", "release"}, exitUsage},
		{"revoke-without-id", []string{"deploy", "keys", "revoke"}, exitUsage},
	}
	for _, s := range steps {
		if r := cli("ana", "", s.args...); r.code != s.code {
			t.Errorf("%s: exit %d, want %d: %s", s.name, r.code, s.code, r.stderr)
		}
	}
	var keys struct{ Keys []account.SeatKey }
	if r := cli("ana", "", "deploy", "keys", "list", "--json"); json.Unmarshal([]byte(r.stdout), &keys) != nil || len(keys.Keys) != 1 || keys.Keys[0].Seats != 1 {
		t.Fatalf("deploy keys list --json: %s", r.stdout)
	}
	if strings.Contains(cli("ana", "", "deploy", "keys", "list").stdout, strings.TrimPrefix(key, portal.SeatKeyPrefix)) {
		t.Error("the key itself is listed")
	}
	if r := cli("ana", "", "deploy", "keys", "revoke", "--key", keys.Keys[0].ID); r.code != 0 {
		t.Fatalf("revoke: %s", r.stderr)
	}
	if r := cli("ana", "", "deploy", "keys", "list"); !strings.Contains(r.stdout, "revoked") {
		t.Errorf("deploy keys list after revoke: %s", r.stdout)
	}
	if _, _, err := account.RegisterSeatWithKey(ctx, srv.URL, key, "machine-0003", "pc", "atlas"); !errors.Is(err, account.ErrAuth) {
		t.Errorf("a revoked key registers: %v", err)
	}
	// A plain user (bo, on Acme): not entitled to any of it.
	buid, btemp := startEmail(t, store, "bo@acme.example")
	if r := cli("bo", btemp+"\nbo's long passphrase!\n", "signin", "--server", srv.URL, "--user", buid); r.code != 0 {
		t.Fatalf("bo signin: %s", r.stderr)
	}
	defer cli("bo", "", "signout")
	for _, args := range [][]string{{"seats", "list"}, {"seats", "release", "--seat", seats.Seats[1].ID}, {"deploy", "keys", "list"}, {"deploy", "keys", "revoke", "--key", keys.Keys[0].ID}} {
		if r := cli("bo", "", append([]string{"--contract", acme.ID}, args...)...); r.code != exitEntitlement || !strings.Contains(r.stderr, "only contract managers and software coordinators") {
			t.Errorf("bo %v: exit %d %s", args, r.code, r.stderr)
		}
	}
}
