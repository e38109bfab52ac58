package ui

import (
	"strings"
	"sync"
	"testing"
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
