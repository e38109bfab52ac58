package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// fmtVerb matches a fmt verb with its flags, width and precision.
var fmtVerb = regexp.MustCompile(`%[-+# 0]*[0-9*]*(?:\.[0-9*]*)?[a-zA-Z%]`)

// Every French text keeps its English format's verbs in the same order,
// so a translation never prints an argument in the wrong place or
// misprints it.
func TestFrenchCatalogueVerbs(t *testing.T) {
	if len(frenchTexts()) == 0 {
		t.Fatal("empty French catalogue")
	}
	for en, fr := range frenchTexts() {
		if strings.TrimSpace(fr) == "" {
			t.Errorf("%q: no French text", en)
			continue
		}
		if a, b := fmtVerb.FindAllString(en, -1), fmtVerb.FindAllString(fr, -1); !slices.Equal(a, b) {
			t.Errorf("%q: verbs %q, French %q has %q", en, a, fr, b)
		}
	}
}

// The language follows LC_ALL, then LC_MESSAGES, then LANG, the first
// one set.
func TestLangFromEnvironment(t *testing.T) {
	for _, c := range []struct {
		all, messages, lang string
		french              bool
	}{
		{"", "", "", false},
		{"", "", "C", false},
		{"", "", "fr_FR.UTF-8", true},
		{"", "", "en_US.UTF-8", false},
		{"", "fr_CA.UTF-8", "en_US.UTF-8", true},
		{"", "C", "fr_FR.UTF-8", false},
		{"fr_BE.UTF-8", "C", "C", true},
		{"C", "fr_FR.UTF-8", "fr_FR.UTF-8", false},
	} {
		t.Setenv("LC_ALL", c.all)
		t.Setenv("LC_MESSAGES", c.messages)
		t.Setenv("LANG", c.lang)
		if got := french(); got != c.french {
			t.Errorf("LC_ALL=%q LC_MESSAGES=%q LANG=%q: french %v, want %v", c.all, c.messages, c.lang, got, c.french)
		}
	}
}

// A person in two contracts, with LANG=fr_FR.UTF-8 and LANG=C: the
// words people read are French or, as before, English; the --json
// document's message stays English for scripts.
func TestFrenchContractTexts(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := context.Background()
	acme, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Globex", ManagerEmail: "bo@globex.example",
		Products: []portal.Seats{{Product: "quill", Seats: 4}}, Plan: portal.PlanStandard}, "test"); err != nil {
		t.Fatal(err)
	}
	ana, _ := contractCLI(t, srv.URL, store, "ana@acme.example")
	bo, _ := contractCLI(t, srv.URL, store, "bo@globex.example")
	if r := bo("users", "add", "--email", "ana@acme.example", "--product", "quill", "--benefit", "download"); r.code != 0 {
		t.Fatalf("Globex adds Ana: %d %s", r.code, r.stderr)
	}
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	// No contract chosen yet: the usage error, in each language.
	for lang, want := range map[string]string{"fr_FR.UTF-8": "vous faites partie de 2 contrats : choisissez", "C": "you belong to 2 contracts: choose the one"} {
		t.Setenv("LANG", lang)
		if r := ana("seats", "list"); r.code != exitUsage || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, acme.ID+"  Acme (contract manager)") {
			t.Errorf("LANG=%s, no choice: %d %s", lang, r.code, r.stderr)
		}
		if r := ana("seats", "list", "--json"); r.code != exitUsage || !strings.Contains(r.stdout, "you belong to 2 contracts: choose") {
			t.Errorf("LANG=%s, --json message not English: %s", lang, r.stdout)
		}
	}
	for _, c := range []struct {
		lang                       string
		members, heading, use, not string
	}{
		{"fr_FR.UTF-8", "Vos contrats :", "CONTRAT", "Les commandes agissent désormais sur le contrat " + acme.ID, "n’est pas l’un des vôtres : choisissez-en un"},
		{"C", "Your contracts:", "CONTRACT", "Commands act on contract " + acme.ID + " (Acme) from now on.", "is not one of yours: choose one with --contract ID:"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Setenv("LANG", c.lang)
			r := ana("--contract", "C-NOT-HERS", "seats", "list")
			if r.code != exitUsage || !strings.Contains(r.stderr, c.not) || !strings.Contains(r.stderr, acme.ID+"  Acme (contract manager)") {
				t.Errorf("not a member: %d %s", r.code, r.stderr)
			}
			r = ana("--contract", "C-NOT-HERS", "seats", "list", "--json")
			var doc choiceDoc
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Error.Reason != "not_a_member" || !strings.Contains(r.stdout, "is not one of yours: choose one") {
				t.Errorf("not a member, --json: %v %s", err, r.stdout)
			}
			if r := ana("whoami"); r.code != 0 || !strings.Contains(r.stdout, c.members) || !strings.Contains(r.stdout, c.heading) {
				t.Errorf("whoami: %d %s", r.code, r.stdout)
			}
			if r := ana("contracts", "use", acme.ID); r.code != 0 || !strings.Contains(r.stdout, c.use) {
				t.Errorf("contracts use: %d %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
