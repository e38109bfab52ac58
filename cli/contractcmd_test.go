package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// contractCLI signs a contract's manager in through the CLI, with its own
// configuration folder, and returns how to run commands as them.
func contractCLI(t *testing.T, srv string, store *portal.SQLite, email string) (cli func(args ...string) result, cfg string) {
	t.Helper()
	ctx := context.Background()
	uid, temp := startEmail(t, store, email)
	cfg = filepath.Join(t.TempDir(), "config.json")
	cli = func(args ...string) result {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--config", cfg}, args...), strings.NewReader(""), &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--config", cfg, "signin", "--server", srv, "--user", uid}, strings.NewReader(temp+"\nthe first manager's passphrase\n"), &out, &errb); code != 0 {
		t.Fatalf("sign-in: %d %s", code, errb.String())
	}
	t.Cleanup(func() { cli("signout") })
	return cli, cfg
}

// savedContract is the contract the session file remembers.
func savedContract(t *testing.T, cfg string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(cfg), "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s sessionFile
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.Contract
}

// choiceDoc is the --json document of a contract that could not be
// chosen.
type choiceDoc struct {
	Error struct {
		Code        int    `json:"code"`
		Reason      string `json:"reason"`
		Contract    string `json:"contract"`
		Memberships []struct {
			ContractID string `json:"contract_id"`
			Company    string `json:"company"`
		} `json:"memberships"`
	} `json:"error"`
}

// A person in one contract: --contract with their own contract works and
// is remembered; one that is not theirs stops the command with a usage
// error listing their contract (text and --json); a remembered contract
// that is no longer theirs is forgotten, saying so; commands without a
// choice act on their one contract.
func TestContractFlagOneMembership(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	k, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	cli, cfg := contractCLI(t, srv.URL, store, "ana@acme.example")

	if r := cli("seats", "list"); r.code != 0 {
		t.Fatalf("seats list, no contract chosen, one membership: %d %s", r.code, r.stderr)
	}
	if got := savedContract(t, cfg); got != "" {
		t.Fatalf("a contract remembered without a choice: %q", got)
	}

	r := cli("--contract", "C-NOT-HERS", "seats", "list", "--json")
	var doc choiceDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if r.code != exitUsage || doc.Error.Code != exitUsage || doc.Error.Reason != "not_a_member" || doc.Error.Contract != "C-NOT-HERS" ||
		len(doc.Error.Memberships) != 1 || doc.Error.Memberships[0].ContractID != k.ID || doc.Error.Memberships[0].Company != "Acme" {
		t.Fatalf("another contract: exit %d %+v", r.code, doc)
	}
	r = cli("seats", "list", "--contract", "C-NOT-HERS")
	if r.code != exitUsage || !strings.Contains(r.stderr, "C-NOT-HERS is not one of yours") || !strings.Contains(r.stderr, k.ID+"  Acme (contract manager)") {
		t.Fatalf("another contract, text: exit %d %s", r.code, r.stderr)
	}
	if got := savedContract(t, cfg); got != "" {
		t.Fatalf("a refused contract was remembered: %q", got)
	}

	if r := cli("seats", "list", "--contract", k.ID); r.code != 0 {
		t.Fatalf("her own contract: %d %s", r.code, r.stderr)
	}
	if got := savedContract(t, cfg); got != k.ID {
		t.Fatalf("remembered %q, want %s", got, k.ID)
	}
	r = cli("whoami", "--json")
	var me struct {
		ChosenBy    string `json:"chosen_by"`
		Memberships []struct {
			ContractID string `json:"contract_id"`
			Chosen     bool   `json:"chosen"`
		} `json:"memberships"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &me); err != nil || r.code != 0 {
		t.Fatalf("whoami --json: %d %v %s", r.code, err, r.stderr)
	}
	if me.ChosenBy != "remembered" || len(me.Memberships) != 1 || me.Memberships[0].ContractID != k.ID || !me.Memberships[0].Chosen {
		t.Fatalf("whoami --json: %+v", me)
	}

	// The remembered contract is no longer hers (here: a session file
	// naming another one): forgotten, and the command says so.
	b, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "session.json"))
	os.WriteFile(filepath.Join(filepath.Dir(cfg), "session.json"), bytes.Replace(b, []byte(k.ID), []byte("C-GONE"), 1), 0o600)
	r = cli("support")
	if r.code != exitUsage || !strings.Contains(r.stderr, "C-GONE, the one chosen last on this machine, is no longer one of yours") || !strings.Contains(r.stderr, k.ID) {
		t.Fatalf("a remembered contract no longer hers: exit %d %s", r.code, r.stderr)
	}
	if got := savedContract(t, cfg); got != "" {
		t.Fatalf("the contract no longer hers is still remembered: %q", got)
	}
	if r := cli("support"); r.code != 0 {
		t.Fatalf("after forgetting: %d %s", r.code, r.stderr)
	}

	// contracts use remembers; contracts list marks it.
	if r := cli("contracts", "use", k.ID); r.code != 0 || !strings.Contains(r.stdout, "Commands act on contract "+k.ID+" (Acme)") {
		t.Fatalf("contracts use: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if got := savedContract(t, cfg); got != k.ID {
		t.Fatalf("contracts use remembered %q", got)
	}
	if r := cli("contracts", "list"); r.code != 0 || !strings.Contains(r.stdout, "*  "+k.ID) {
		t.Fatalf("contracts list: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// A new sign-in of the same person keeps the choice.
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--config", cfg, "signin"}, strings.NewReader("the first manager's passphrase\n"), &out, &errb); code != 0 {
		t.Fatalf("second sign-in: %d %s", code, errb.String())
	}
	if got := savedContract(t, cfg); got != k.ID {
		t.Fatalf("a new sign-in of the same person forgot the choice: %q", got)
	}
}
