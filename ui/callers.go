package ui

import (
	"context"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
)

// callersScreen designates the users allowed to call phone support: only
// on advanced-support contracts, up to the contract's cap. The users are
// the same searchable table as the users screen; a tick designates.
type callersScreen struct {
	a      *Assistant
	users  []account.User
	cap    int
	used   int
	status *widget.Label
	full   *widget.Label // why the unticked rows cannot be ticked
	err    *errorLabel
	table  *userTable
	top    *fyne.Container // the words above the table
	seen   int             // the Assistant's generation of changes when last read
}

func newCallersScreen(a *Assistant) *callersScreen {
	s := &callersScreen{a: a, status: wrapped(""), full: wrapped(""), err: newErrorLabel()}
	s.full.Importance = widget.WarningImportance
	s.full.Hide()
	s.table = newUserTable(a, func(u *account.User) bool { return u.Caller }, func(u *account.User, on bool) {
		u.Caller = on // at once on screen; the refresh after the answer corrects it
		s.count()
		s.set(u.ID, on)
	})
	s.table.enabled = func(u *account.User) (bool, string) {
		if !u.Caller && s.used >= s.cap {
			return false, lang.L("Every caller place is taken: untick a caller to free one.")
		}
		return true, ""
	}
	s.table.refused = func(u *account.User, why string) {
		s.full.SetText(lang.L("{{.Email}} cannot be designated: {{.Why}}", map[string]any{"Email": u.Email, "Why": why}))
		s.full.Show()
		s.drawTop(s.full)
	}
	s.table.tickAll.Hide() // designating a whole filtered list at once would run into the cap
	if a.me.Contract.Plan == "advanced" {
		s.refresh()
	}
	return s
}

func (s *callersScreen) content() fyne.CanvasObject {
	top := container.NewVBox(heading(lang.L("Designated support callers")),
		wrapped(lang.L("Designated callers may call phone support for the contract. Designation is separate from product access.")))
	if s.a.me.Contract.Plan != "advanced" {
		top.Add(wrapped(lang.L("Phone support and designated callers come with advanced support; this contract has standard support.")))
		return top
	}
	top.Add(wrapped(lang.L("A caller is shown the support number only with the phone support benefit: give it in the Users tab.")))
	refresh := newButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), s.refresh)
	s.a.firstFocus = s.table.search
	s.top = top
	top.Add(inOrder(nil, nil, nil, container.NewHBox(refresh, cliButton(s.a, func() string { return s.a.cfg.CLI + " callers list" })), s.status))
	top.Add(s.full)
	top.Add(s.err)
	return inOrder(top, nil, nil, nil, s.table.content())
}

func (s *callersScreen) refresh() {
	s.seen = s.a.generation
	s.a.background(func(ctx context.Context) func() {
		users, err := s.a.cfg.Client.AllUsers(ctx)
		var limit int
		if err == nil {
			_, limit, err = s.a.cfg.Client.Callers(ctx)
		}
		return func() {
			if err != nil {
				s.err.SetError(err)
				s.drawTop(s.err)
				return
			}
			sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
			s.users, s.cap = users, limit
			s.count()
			s.table.setUsers(users)
		}
	})
}

// count says how many places are used, and why rows are greyed at the cap.
func (s *callersScreen) count() {
	s.used = 0
	for _, u := range s.users {
		if u.Caller {
			s.used++
		}
	}
	s.status.SetText(plural("{{.Used}} of {{.Cap}} caller places used.", s.used, map[string]any{"Used": s.used, "Cap": s.cap}))
	if s.used >= s.cap {
		s.full.SetText(lang.L("Every caller place is taken: untick a caller to free one."))
		s.full.Show()
	} else {
		s.full.Hide()
	}
	s.drawTop(s.full)
}

// drawTop lays the words above the table out again at once: a warning
// shown there was drawn only at the next resize of the window.
func (s *callersScreen) drawTop(o fyne.CanvasObject) {
	if s.top != nil {
		showRefreshed(s.top, o)
	}
}

func (s *callersScreen) set(id string, designate bool) {
	s.err.SetText("")
	s.a.background(func(ctx context.Context) func() {
		err := s.a.cfg.Client.SetCaller(ctx, id, designate)
		return func() {
			s.err.SetError(err)
			s.drawTop(s.err)
			if err == nil {
				s.a.changed()
			}
			s.refresh()
		}
	})
}
