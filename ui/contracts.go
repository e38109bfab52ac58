package ui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
)

// A person may belong to several contracts. The window acts on one: the
// one chosen last (remembered with the saved session), else, for a person
// in one contract, that one; a person in several who has chosen none picks
// one before the products, which, with downloads and seats, are then the
// chosen contract's. The top bar switches to another at any time.

// contractPicker asks a person in several contracts which one to work on.
type contractPicker struct {
	choices []*button // one per membership, in the service's order (oldest first)
	note    *widget.Label
}

// showContractPicker shows the contracts of me to choose from; forgotten
// is a contract chosen before that is no longer the person's ("" for
// none).
func (a *Assistant) showContractPicker(list []account.Membership, forgotten string) {
	p := &contractPicker{}
	a.picker = p
	names := companyNames(list)
	for i, m := range list {
		b := newButton(names[i], func() { a.chooseContract(m.ContractID) })
		b.Importance = widget.HighImportance
		p.choices = append(p.choices, b)
	}
	a.show(func() fyne.CanvasObject {
		parts := []fyne.CanvasObject{heading(lang.L("Choose a contract")),
			wrapped(lang.L("You belong to several contracts. Choose the one to work on: the products, downloads and seats shown are that contract's. You can switch at any time at the top of the window."))}
		if forgotten != "" {
			p.note = wrapped(lang.L("Contract {{.ID}}, chosen last time, is no longer one of yours.", map[string]any{"ID": forgotten}))
			p.note.Importance = widget.WarningImportance
			parts = append(parts, p.note)
		}
		for _, b := range p.choices {
			parts = append(parts, container.NewHBox(b))
		}
		if len(p.choices) > 0 {
			a.firstFocus = p.choices[0]
		}
		parts = append(parts, widget.NewSeparator(), container.NewHBox(newButton(lang.L("Sign out"), a.signOut),
			cliButton(a, func() string { return a.cfg.CLI + " contracts use ID" })))
		return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
	})
}

// companyNames are the memberships' names for people: the company, and
// the contract's ID after it where two contracts share a company name.
func companyNames(list []account.Membership) []string {
	count := map[string]int{}
	for _, m := range list {
		count[m.Company]++
	}
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = m.Company
		if count[m.Company] > 1 || m.Company == "" {
			out[i] = fmt.Sprintf("%s (%s)", m.Company, m.ContractID)
		}
	}
	return out
}

// chooseContract makes the window act on contract id, remembers it with
// the saved session, and shows its products.
func (a *Assistant) chooseContract(id string) {
	a.pauseDownloads()
	a.contract = id
	a.cfg.Client.SetContract(id)
	a.picker = nil
	a.resetAccount()
	a.background(func(ctx context.Context) func() {
		err := a.rememberContract(id)
		return func() {
			a.showError(err) // the choice holds for this window all the same
			a.loadAccount()
		}
	})
}

// pauseDownloads pauses every download under way, keeping its partial
// file for a resume: it was allowed on the contract and in the session it
// started in, and does not go on under another contract, or after the
// person signs out.
func (a *Assistant) pauseDownloads() {
	for _, s := range a.setups {
		if s.download != nil && s.download.running() {
			s.download.halt(false)
		}
	}
}

// rememberContract saves the choice with the session (off the UI
// goroutine); the demo's session is not saved, nor is its choice.
func (a *Assistant) rememberContract(id string) error {
	if a.cfg.SaveContract == nil {
		return nil
	}
	return a.cfg.SaveContract(a.cfg.Client.Server(), a.cfg.Client.User(), id)
}

// resetAccount forgets what the window shows of the contract, to show
// another's.
func (a *Assistant) resetAccount() {
	a.blocked = nil
	a.me, a.cat, a.setup, a.tab, a.tabs = nil, nil, nil, "", nil
	for _, r := range a.runs {
		r.halt(false) // what it downloaded stays, for the next session or contract
	}
	a.core, a.states, a.setups, a.runs = nil, nil, map[string]*setupScreen{}, map[string]*productRun{}
	a.users, a.callers, a.deploy, a.profile = nil, nil, nil, nil
}

// whoOnContract reads the signed-in person on the contract this window
// acts on (off the UI goroutine): chosen, the contract chosen (this
// window's, else the one remembered, "" for none). A chosen contract that
// is no longer the person's is forgotten, and named by forgotten; pick
// says the person must choose among several.
func (a *Assistant) whoOnContract(ctx context.Context, chosen string) (me *account.Me, forgotten string, pick bool, err error) {
	c := a.cfg.Client
	if chosen == "" && a.cfg.SavedContract != nil {
		chosen = a.cfg.SavedContract(c.Server(), c.User())
	}
	c.SetContract(chosen)
	me, err = c.WhoAmI(ctx)
	// A service older than memberships ignores the choice: it acts on
	// the person's one contract, which must then be the one chosen.
	if err == nil && chosen != "" && me.User.ContractID != chosen {
		err = &account.NotMemberError{Contract: chosen}
	}
	if errors.Is(err, account.ErrNotMember) || errors.As(err, new(*account.NotMemberError)) {
		forgotten = chosen
		c.SetContract("")
		if serr := a.rememberContract(""); serr != nil {
			fyne.LogError("forgetting a contract", serr)
		}
		me, err = c.WhoAmI(ctx)
		chosen = ""
	}
	if err != nil {
		return nil, forgotten, false, err
	}
	n := len(account.MembershipsOf(me))
	return me, forgotten, chosen == "" && (n > 1 || forgotten != "" && n > 0), nil
}

// contractSwitch is the top bar's choice of contract, for a person in
// several; nil for a person in one.
func (a *Assistant) contractSwitch() fyne.CanvasObject {
	if a.me == nil || len(a.me.Memberships) < 2 {
		return nil
	}
	list := a.me.Memberships
	names := companyNames(list)
	sel := fitSelect(widget.NewSelect(names, nil))
	for i, m := range list {
		if m.ContractID == a.me.User.ContractID {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 && list[i].ContractID != a.me.User.ContractID {
			a.chooseContract(list[i].ContractID)
		}
	}
	a.contractSel = sel
	return container.NewHBox(widget.NewLabel(lang.L("Contract")), sel)
}
