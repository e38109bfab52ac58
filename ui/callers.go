package ui

import (
	"context"
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
)

// callersScreen designates the users allowed to call phone support: only
// on advanced-support contracts, up to the contract's cap.
type callersScreen struct {
	a      *Assistant
	users  []account.User
	cap    int
	status *widget.Label
	list   *fyne.Container
}

func newCallersScreen(a *Assistant) *callersScreen {
	s := &callersScreen{a: a, status: wrapped(""), list: container.NewVBox()}
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
	top.Add(s.status)
	top.Add(container.NewHBox(cliButton(s.a, func() string { return s.a.cfg.CLI + " callers list" })))
	return container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.list))
}

func (s *callersScreen) refresh() {
	s.a.background(func(ctx context.Context) func() {
		users, err := s.a.cfg.Client.Users(ctx)
		var limit int
		if err == nil {
			_, limit, err = s.a.cfg.Client.Callers(ctx)
		}
		return func() {
			if err != nil {
				s.status.SetText(errorText(err))
				return
			}
			sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
			s.users, s.cap = users, limit
			s.draw()
		}
	})
}

func (s *callersScreen) draw() {
	s.list.RemoveAll()
	n := 0
	for _, u := range s.users {
		if u.Caller {
			n++
		}
	}
	s.status.SetText(lang.L("{{.Used}} of {{.Cap}} caller places used.", map[string]any{"Used": n, "Cap": s.cap}))
	for _, u := range s.users {
		id := u.ID
		check := widget.NewCheck(fmt.Sprintf("%s (%s)", u.Email, orPlaceholder(u.Name, id)), nil)
		check.SetChecked(u.Caller)
		if !u.Caller && n >= s.cap {
			check.Disable() // full: a place must be freed first
		}
		check.OnChanged = func(on bool) { s.set(id, on) }
		s.list.Add(check)
	}
}

func (s *callersScreen) set(id string, designate bool) {
	s.a.background(func(ctx context.Context) func() {
		err := s.a.cfg.Client.SetCaller(ctx, id, designate)
		return func() {
			if err != nil {
				s.a.showError(err)
			}
			s.refresh()
		}
	})
}
