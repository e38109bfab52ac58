package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// mainView is the signed-in window: the user's products and the setup of
// one, the admin screens for contract managers and coordinators, profile,
// support and FAQ.
func (a *Assistant) mainView() fyne.CanvasObject {
	type tab struct {
		id    string
		title string
		icon  fyne.Resource
		build func() fyne.CanvasObject
	}
	tabs := []tab{{"products", lang.L("Products"), theme.HomeIcon(), a.productsTab}}
	if a.isAdmin() {
		tabs = append(tabs,
			tab{"users", lang.L("Users"), theme.AccountIcon(), func() fyne.CanvasObject { a.users = newUsersScreen(a); return a.users.content() }},
			tab{"callers", lang.L("Support callers"), theme.MailReplyIcon(), func() fyne.CanvasObject { a.callers = newCallersScreen(a); return a.callers.content() }},
			tab{"deploy", lang.L("Deployment"), theme.StorageIcon(), func() fyne.CanvasObject { a.deploy = newDeployScreen(a); return a.deploy.content() }})
	}
	tabs = append(tabs,
		tab{"profile", lang.L("Profile"), theme.SettingsIcon(), func() fyne.CanvasObject { a.profile = newProfileScreen(a); return a.profile.content() }},
		tab{"support", lang.L("Support"), theme.MailComposeIcon(), a.supportTab},
		tab{"faq", lang.L("FAQ"), theme.QuestionIcon(), a.faqTab})
	// Only the tab on show is built; the others are built when chosen, so
	// that switching screens never rebuilds (and reloads) all of them.
	// Each tab holds its screen only while shown: AppTabs refreshes every
	// tab's content on each switch, and a hidden users table of 5,000 rows
	// would be redrawn for nothing (a switch took 130-280 ms).
	at := container.NewAppTabs()
	at.SetTabLocation(container.TabLocationLeading)
	built := map[*container.TabItem]fyne.CanvasObject{}
	themed := map[*container.TabItem]int64{}         // a.themeChanges when last refreshed
	focus := map[*container.TabItem]fyne.Focusable{} // each screen's first field
	byItem := map[*container.TabItem]tab{}
	var selected *container.TabItem
	for _, t := range tabs {
		item := container.NewTabItemWithIcon(t.title, t.icon, container.NewStack())
		byItem[item] = t
		at.Append(item)
		if t.id == a.tab || selected == nil {
			selected = item
		}
	}
	attach := func(item *container.TabItem) {
		// Support is read again each time it is shown: designating oneself
		// a caller elsewhere brings the phone number. Products are built
		// again when their states changed while another tab was shown.
		screen, ok := built[item]
		if !ok || byItem[item].id == "support" || byItem[item].id == "products" && a.productsStale {
			a.firstFocus = nil
			screen = byItem[item].build()
			built[item], ok = screen, false
			focus[item] = a.firstFocus
		}
		holder := item.Content.(*fyne.Container)
		holder.Objects = []fyne.CanvasObject{screen}
		// A screen shown before keeps its widgets' state (they update
		// themselves while hidden): it is laid out and painted, not
		// refreshed, unless the theme changed meanwhile.
		if th := a.themeChanges.Load(); !ok || themed[item] != th {
			themed[item] = th
			holder.Refresh()
			return
		}
		holder.Layout.Layout(holder.Objects, holder.Size())
		canvas.Refresh(holder)
	}
	attach(selected)
	at.Select(selected)
	at.OnUnselected = func(item *container.TabItem) {
		item.Content.(*fyne.Container).Objects = nil
		a.win.Canvas().Unfocus() // no keys go to a screen no longer shown
	}
	at.OnSelected = func(item *container.TabItem) {
		a.tab = byItem[item].id
		_, seen := built[item]
		attach(item)
		if f := focus[item]; f != nil { // the keyboard goes to the screen's first field
			a.win.Canvas().Focus(f)
		}
		if seen {
			a.reload(a.tab)
		}
	}
	// Fyne's tab buttons take no keyboard focus: Ctrl+1 to Ctrl+9 (Cmd on
	// macOS) choose the tabs, in their order, from anywhere in the window.
	for i := range min(len(at.Items), 9) {
		a.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) {
				if a.tabs == at && i < len(at.Items) {
					at.SelectIndex(i)
				}
			})
	}
	a.tabs = at
	return at
}

// selectTab opens a tab by id (tests and links between screens).
func (a *Assistant) selectTab(id string) {
	a.tab = id
	a.show(a.mainView)
}

// reload reads a built tab's data again when it is shown, if the window
// changed users since it last read them (on another tab): the switch does
// not wait for it, and a switch with nothing changed costs no reading.
// Changes made by others show with the Refresh button.
func (a *Assistant) reload(tab string) {
	switch {
	case tab == "users" && a.users != nil && a.users.seen < a.generation:
		a.users.refresh()
	case tab == "callers" && a.callers != nil && a.me.Contract.Plan == "advanced" && a.callers.seen < a.generation:
		a.callers.refresh()
	case tab == "products" && a.isAdmin() && a.seatsSeen < a.generation:
		a.countSeats()
	}
}

// changed notes that the window changed the contract's users.
func (a *Assistant) changed() { a.generation++ }
