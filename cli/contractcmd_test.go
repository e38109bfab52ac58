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
func contractCLI(t *testing.T, srv string, store *portal.SQLStore, email string) (cli func(args ...string) result, cfg string) {
	t.Helper()
	ctx := context.Background()
	uid, temp := startEmail(t, store, email)
	cfg = filepath.Join(t.TempDir(), "config.json")
	trustDemoKey(t, cfg)
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
	for _, bad := range []string{"C-1\r\nX-Evil: 1", strings.Repeat("C", 65), "C 1"} {
		if r := cli("seats", "list", "--contract", bad); r.code != exitUsage || !strings.Contains(r.stderr, "a contract ID is 1 to 64 letters") {
			t.Errorf("--contract %q: exit %d %s", bad, r.code, r.stderr)
		}
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

// A person in two contracts, through the command line against the real
// service: Ana manages Acme (atlas); Globex's manager adds her to Globex
// (quill, download). Commands that act on a contract stop until she
// chooses one, listing both; each contract's products, downloads and
// admin rights are its own; the choice is remembered, and forgotten once
// Globex removes her.
func TestTwoContractsCLI(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	acme, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	globex, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Globex", ManagerEmail: "bo@globex.example",
		Products: []portal.Seats{{Product: "quill", Seats: 4}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	ana, anaCfg := contractCLI(t, srv.URL, store, "ana@acme.example")
	bo, _ := contractCLI(t, srv.URL, store, "bo@globex.example")
	var who struct {
		User struct{ ID string } `json:"user"`
	}
	if err := json.Unmarshal([]byte(ana("whoami", "--json").stdout), &who); err != nil || who.User.ID == "" {
		t.Fatalf("whoami --json: %v", err)
	}
	anaID := who.User.ID
	if r := bo("users", "add", "--email", "ana@acme.example", "--product", "quill", "--benefit", "download"); r.code != 0 {
		t.Fatalf("Globex adds Ana: %d %s", r.code, r.stderr)
	}

	// No choice yet: a usage error listing both, oldest first.
	r := ana("products", "--json")
	var doc choiceDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if r.code != exitUsage || doc.Error.Reason != "contract_choice_needed" || len(doc.Error.Memberships) != 2 ||
		doc.Error.Memberships[0].ContractID != acme.ID || doc.Error.Memberships[1].Company != "Globex" {
		t.Fatalf("no choice: exit %d %+v", r.code, doc)
	}
	r = ana("seats", "list")
	if r.code != exitUsage || !strings.Contains(r.stderr, "you belong to 2 contracts") ||
		!strings.Contains(r.stderr, acme.ID+"  Acme (contract manager)") || !strings.Contains(r.stderr, globex.ID+"  Globex (user)") {
		t.Fatalf("no choice, text: exit %d %s", r.code, r.stderr)
	}
	// whoami never stops: both listed, the oldest marked as the default.
	if r := ana("whoami"); r.code != 0 || !strings.Contains(r.stdout, "*  "+acme.ID) || !strings.Contains(r.stdout, globex.ID) || !strings.Contains(r.stdout, "none is chosen") {
		t.Fatalf("whoami without a choice: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// Globex chosen: its products and downloads, and remembered.
	out := t.TempDir()
	r = ana("--contract", globex.ID, "download", "--product", "quill", "--platform", "linux/amd64", "--out", out, "--cache", filepath.Join(out, "cache"))
	if r.code != 0 || !strings.Contains(r.stderr, "Acting on contract "+globex.ID+" (Globex)") {
		t.Fatalf("download on Globex: %d %s", r.code, r.stderr)
	}
	if got := savedContract(t, anaCfg); got != globex.ID {
		t.Fatalf("remembered %q, want Globex's %s", got, globex.ID)
	}
	var products struct {
		Products []struct{ ID string } `json:"products"`
	}
	r = ana("products", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &products); err != nil || r.code != 0 || len(products.Products) != 1 || products.Products[0].ID != "quill" {
		t.Fatalf("products on Globex: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := ana("download", "--product", "atlas", "--platform", "linux/amd64", "--out", out, "--cache", filepath.Join(out, "cache")); r.code != exitEntitlement {
		t.Fatalf("Acme's atlas downloaded on Globex: %d %s", r.code, r.stderr)
	}
	if r := ana("seats", "list"); r.code != exitEntitlement {
		t.Fatalf("a user of Globex lists its seats: %d %s", r.code, r.stderr)
	}
	// Acme chosen: the manager's rights and Acme's products.
	if r := ana("--contract", acme.ID, "seats", "list"); r.code != 0 {
		t.Fatalf("Acme's manager lists its seats: %d %s", r.code, r.stderr)
	}
	if r := ana("download", "--product", "atlas", "--platform", "linux/amd64", "--out", out, "--cache", filepath.Join(out, "cache")); r.code != 0 {
		t.Fatalf("atlas on Acme: %d %s", r.code, r.stderr)
	}
	r = ana("whoami", "--json")
	var me struct {
		User struct {
			ContractID string `json:"contract_id"`
		} `json:"user"`
		ChosenBy    string `json:"chosen_by"`
		Memberships []struct {
			ContractID string `json:"contract_id"`
			Chosen     bool   `json:"chosen"`
		} `json:"memberships"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &me); err != nil || me.User.ContractID != acme.ID || me.ChosenBy != "remembered" ||
		len(me.Memberships) != 2 || !me.Memberships[0].Chosen || me.Memberships[1].Chosen {
		t.Fatalf("whoami --json on Acme: %v %+v", err, me)
	}

	// Globex chosen again, then Globex removes her: forgotten, said, and
	// her one contract left is used from then on.
	if r := ana("contracts", "use", globex.ID); r.code != 0 {
		t.Fatalf("contracts use: %d %s", r.code, r.stderr)
	}
	if r := bo("users", "remove", "--user", anaID); r.code != 0 {
		t.Fatalf("Globex removes Ana: %d %s", r.code, r.stderr)
	}
	r = ana("products", "--json")
	doc = choiceDoc{}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitUsage || doc.Error.Reason != "contract_forgotten" ||
		doc.Error.Contract != globex.ID || len(doc.Error.Memberships) != 1 || doc.Error.Memberships[0].ContractID != acme.ID {
		t.Fatalf("removed from the remembered contract: exit %d %v %+v", r.code, err, doc)
	}
	if r := ana("products"); r.code != 0 || !strings.Contains(r.stdout, "atlas") {
		t.Fatalf("after Globex removed her: %d %s %s", r.code, r.stdout, r.stderr)
	}
}
