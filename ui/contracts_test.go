package ui

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/portal/web"
	"onramp.dev/onramp/setup"
)

// savedContracts stands for the session file's remembered contract, as
// the command line keeps it, per person.
type savedContracts struct {
	mu    sync.Mutex
	saved map[string]string
	saves int
}

func (s *savedContracts) options(cfg *Config) {
	cfg.SavedContract = func(server, user string) string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.saved[server+" "+user]
	}
	cfg.SaveContract = func(server, user, contract string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.saved[server+" "+user] = contract
		s.saves++
		return nil
	}
}

func (s *savedContracts) get(server, user string) (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saved[server+" "+user], s.saves
}

// A person in one contract goes straight to the products, with no picker
// and no switch, and nothing is remembered for them.
func TestOneContractNoPicker(t *testing.T) {
	saved := &savedContracts{saved: map[string]string{}}
	a, d, _ := demoAssistant(t, "en", saved.options)
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	if a.picker != nil || a.contractSel != nil {
		t.Fatalf("a picker (%v) or a switch (%v) for a person in one contract", a.picker != nil, a.contractSel != nil)
	}
	if got, n := saved.get(a.cfg.Client.Server(), a.cfg.Client.User()); got != "" || n != 0 {
		t.Fatalf("remembered %q (%d saves) without a choice", got, n)
	}
}

// A remembered contract that is no longer the person's is forgotten, and
// the picker says so, in the person's language; choosing a contract
// remembers it and opens its products.
func TestForgottenContractPicker(t *testing.T) {
	for _, tc := range []struct {
		lang, note string
	}{
		{"en", "Contract C-GONE, chosen last time, is no longer one of yours."},
		{"fr", "Le contrat C-GONE, choisi la dernière fois, n'est plus l'un des vôtres."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			saved := &savedContracts{saved: map[string]string{}}
			a, d, _ := demoAssistant(t, tc.lang, saved.options)
			server := a.cfg.Client.Server()
			saved.saved[server+" "+d.ManagerID] = "C-GONE"
			s := a.signin
			typeText(a, s.user, d.ManagerID)
			typeText(a, s.password, d.TempPassword)
			tap(a, s.signIn)
			typeText(a, s.newPass, "a new and long passphrase")
			typeText(a, s.newAgain, "a new and long passphrase")
			tap(a, s.change)
			p := a.picker
			if p == nil || a.me != nil {
				t.Fatalf("no picker after a remembered contract that is not hers (me: %v)", a.me != nil)
			}
			if p.note == nil || p.note.Text != tc.note {
				t.Fatalf("note %v", p.note)
			}
			if len(p.choices) != 1 || !strings.Contains(p.choices[0].Text, d.Company) {
				t.Fatalf("choices %d", len(p.choices))
			}
			if got, _ := saved.get(server, d.ManagerID); got != "" {
				t.Fatalf("the contract no longer hers is still remembered: %q", got)
			}
			tap(a, p.choices[0])
			a.Wait()
			if a.me == nil || a.tabs == nil || a.picker != nil {
				t.Fatalf("no products after the choice")
			}
			if got, _ := saved.get(server, d.ManagerID); got != a.me.User.ContractID || a.cfg.Client.Contract() != got {
				t.Fatalf("remembered %q, the client acts on %q, want %s", got, a.cfg.Client.Contract(), a.me.User.ContractID)
			}
		})
	}
}

// A person in two contracts, in the window against the real service: the
// demo's manager is added to Globex (lumen). After sign-in a picker names
// both companies; Globex chosen, the products are Globex's, the admin
// screens go (she is a user there) and the choice is remembered; the top
// bar switches back; the next sign-in goes straight to the contract
// chosen last.
func TestTwoContractsWindow(t *testing.T) {
	saved := &savedContracts{saved: map[string]string{}}
	a, d, _ := demoAssistant(t, "en", saved.options)
	globex := joinGlobex(t, d)
	s := a.signin
	typeText(a, s.user, d.ManagerID)
	typeText(a, s.password, d.TempPassword)
	tap(a, s.signIn)
	typeText(a, s.newPass, "a new and long passphrase")
	typeText(a, s.newAgain, "a new and long passphrase")
	tap(a, s.change)
	p := a.picker
	if p == nil || a.me != nil {
		t.Fatal("no contract picker for a person in two contracts")
	}
	if len(p.choices) != 2 || p.choices[0].Text != d.Company || p.choices[1].Text != "Globex" || p.note != nil {
		t.Fatalf("choices %d, note %v", len(p.choices), p.note != nil)
	}
	server := a.cfg.Client.Server()
	tap(a, p.choices[1])
	a.Wait()
	if a.me == nil || a.me.Contract.ID != globex.ID || a.tabs == nil {
		t.Fatalf("not on Globex after choosing it: %+v", a.me)
	}
	if _, ok := a.cards["lumen"]; !ok || len(a.cards) != 1 {
		t.Fatalf("products on Globex: %v", a.cards)
	}
	if a.isAdmin() || len(a.tabs.Items) != 4 {
		t.Fatalf("admin screens for a user of Globex: %d tabs", len(a.tabs.Items))
	}
	if got, _ := saved.get(server, d.ManagerID); got != globex.ID {
		t.Fatalf("remembered %q, want %s", got, globex.ID)
	}
	if a.contractSel == nil || a.contractSel.Selected != "Globex" {
		t.Fatalf("top bar switch: %v", a.contractSel)
	}

	// Back to the demo's contract from the top bar.
	act(a, func() { a.contractSel.SetSelectedIndex(0) })
	a.Wait()
	if a.me == nil || a.me.Contract.Company != d.Company || !a.isAdmin() || len(a.cards) < 2 {
		t.Fatalf("after switching back: %+v", a.me)
	}
	demoContract := a.me.Contract.ID
	if got, _ := saved.get(server, d.ManagerID); got != demoContract {
		t.Fatalf("remembered %q after the switch, want %s", got, demoContract)
	}

	// The next sign-in goes straight to the contract chosen last.
	tap(a, a.topBarSignOut())
	a.Wait()
	typeText(a, a.signin.user, d.ManagerID)
	typeText(a, a.signin.password, "a new and long passphrase")
	tap(a, a.signin.signIn)
	a.Wait()
	if a.picker != nil || a.me == nil || a.me.Contract.ID != demoContract {
		t.Fatalf("the next sign-in: picker %v, me %+v", a.picker != nil, a.me)
	}
}

// joinGlobex makes the demo's manager a user of a second contract,
// Globex's (lumen, download).
func joinGlobex(t *testing.T, d *web.Demo) *portal.Contract {
	t.Helper()
	ctx := context.Background()
	globex, bo, err := d.Service.CreateContract(ctx, portal.ContractRequest{Company: "Globex", ManagerEmail: "bo@globex.example",
		Products: []portal.Seats{{Product: "lumen", Seats: 3}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Service.AddUser(ctx, bo, portal.NewUser{Email: "alex.martin@example.com", Role: api.RoleUser,
		Products: []string{"lumen"}, Benefits: []string{"download"}}); err != nil {
		t.Fatalf("Globex adds the demo's manager: %v", err)
	}
	return globex
}

// A download under way on one contract is paused when the person
// switches to another (its partial file kept): it was allowed on the
// first, and does not go on under the second.
func TestSwitchContractPausesDownload(t *testing.T) {
	a, d, _ := demoAssistant(t, "en", func(c *Config) { c.RateLimit = 32 << 10 })
	joinGlobex(t, d)
	signInFirstTime2(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.picker.choices[0])
	tap(a, a.setupButtons["quill"])
	s := a.setup.download
	progressed := make(chan struct{}, 1)
	s.onProgress = func() {
		select {
		case progressed <- struct{}{}:
		default:
		}
	}
	a.onUI(func() { test.Tap(s.start) }) // returns while the download runs
	select {
	case <-progressed:
	case <-time.After(30 * time.Second):
		t.Fatalf("no progress report: %q", s.info.Text)
	}
	act(a, func() { a.contractSel.SetSelectedIndex(1) })
	if s.running() {
		t.Fatal("the download goes on after the switch")
	}
	if _, err := os.Stat(s.dest + ".part"); err != nil {
		t.Fatalf("the partial file is not kept: %v", err)
	}
	if _, err := os.Stat(s.dest); err == nil {
		t.Fatal("the download finished under the other contract")
	}
	if a.me == nil || a.me.Contract.Company != "Globex" {
		t.Fatalf("not on Globex after the switch: %+v", a.me)
	}
}

// signInFirstTime2 is the first sign-in of a person in several
// contracts: it ends on the contract picker.
func signInFirstTime2(t *testing.T, a *Assistant, user, temp string) {
	t.Helper()
	s := a.signin
	typeText(a, s.user, user)
	typeText(a, s.password, temp)
	tap(a, s.signIn)
	typeText(a, s.newPass, "a new and long passphrase")
	typeText(a, s.newAgain, "a new and long passphrase")
	tap(a, s.change)
	if a.picker == nil {
		t.Fatal("no contract picker")
	}
}

// Signing out pauses a download under way too (its partial file kept).
func TestSignOutPausesDownload(t *testing.T) {
	a, d, _ := demoAssistant(t, "en", func(c *Config) { c.RateLimit = 32 << 10 })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.setupButtons["quill"])
	screen := a.setup
	s := screen.download
	progressed := make(chan struct{}, 1)
	s.onProgress = func() {
		select {
		case progressed <- struct{}{}:
		default:
		}
	}
	a.onUI(func() { test.Tap(s.start) })
	select {
	case <-progressed:
	case <-time.After(30 * time.Second):
		t.Fatalf("no progress report: %q", s.info.Text)
	}
	tap(a, a.topBarSignOut())
	// A download that ended just before the sign-out reaches the install
	// step with no product set up any more: nothing happens (it crashed).
	act(a, func() { screen.install.downloaded(&setup.Download{Path: s.dest}) })
	if s.running() {
		t.Fatal("the download goes on after signing out")
	}
	if _, err := os.Stat(s.dest + ".part"); err != nil {
		t.Fatalf("the partial file is not kept: %v", err)
	}
	if _, err := os.Stat(s.dest); err == nil {
		t.Fatal("the download finished after signing out")
	}
}
