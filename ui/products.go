package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/syscheck"
)

// productsTab lists the subscription's products with their state on this
// computer and what can be done with each, or the setup of the product
// chosen.
func (a *Assistant) productsTab() fyne.CanvasObject {
	a.productsStale = false
	if a.setup != nil {
		return a.setup.content()
	}
	me := a.me
	head := container.NewVBox(
		heading(lang.L("Your subscription")),
		wrapped(lang.L("{{.Company}}, {{.Plan}} support, until {{.Ends}}.", map[string]any{
			"Company": me.Contract.Company, "Plan": planName(me.Contract.Plan), "Ends": dateText(me.Contract.Ends)})),
		// The services this person can use, not every benefit on file.
		wrapped(lang.L("Your services: {{.Benefits}}", map[string]any{"Benefits": benefitList(api.RightsOf(me.User, me.Contract).Services())})),
	)
	list := container.NewVBox()
	a.setupButtons = map[string]*button{}
	a.cards = map[string]*productCard{}
	for _, cp := range me.Contract.Products {
		p, ok := a.cat.Product(cp.Product)
		if !ok {
			continue
		}
		c := a.newProductCard(p, cp.Seats)
		a.cards[p.ID] = c
		a.setupButtons[p.ID] = c.setup
		list.Add(c.card)
	}
	if a.isAdmin() {
		a.countSeats()
	}
	return inOrder(head, nil, nil, nil, container.NewVScroll(list))
}

// productCard is one product: its state here and its actions.
type productCard struct {
	card                                   *widget.Card
	state                                  *widget.Label // Installed 2.10.0, Update to 2.11.0, Not installed
	status                                 *widget.Label // the last action's outcome
	setup, open, update, uninstall, verify *button
	repair, rollback                       *button       // rollback: nil unless a previous version is kept
	seats                                  *widget.Label // seats on the contract (used, for admins)
	confirm                                *choiceDialog // the last confirmation asked (tests)
	paused                                 []*button     // disabled while an action runs (busy)
	// The one action (check, download, install; Update runs it too) and
	// its widgets, hidden while idle: Install anyway after a check that
	// found only reservations, Pause while downloading, the one Cancel.
	install, anyway, pause, cancel *button
	line                           *widget.Label       // the action's one line, or what an interrupted download kept
	bar                            *widget.ProgressBar // its one bar
	progress                       *fyne.Container     // line and bar
	reasons                        *fyne.Container     // why the check stopped the action
}

func (a *Assistant) newProductCard(p *catalog.Product, seats int) *productCard {
	c := &productCard{state: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), status: wrapped(a.said[p.ID])}
	st, known := a.states[p.ID]
	latest := p.Latest().Version.String()
	if known && st.LatestVersion != "" {
		latest = st.LatestVersion
	}
	installed := known && st.InstalledVersion != ""
	c.state.SetText(stateText(st, known))
	c.seats = wrapped(lang.L("Version {{.Version}} · {{.Seats}} seats on the contract", map[string]any{"Version": latest, "Seats": intText(int64(seats))}))
	body := container.NewVBox(c.state, wrapped(p.Description), c.seats)
	// Install is one action; the steps one by one (the check's report, the
	// folder, the plan, a download alone) stay a click away.
	c.install = newButtonWithIcon(lang.L("Install"), theme.DownloadIcon(), func() { a.startRun(c, p, false) })
	c.install.Importance = widget.HighImportance
	c.setup = newButtonWithIcon(lang.L("Step by step…"), theme.NavigateNextIcon(), func() { a.openSetup(p) })
	c.open = newButtonWithIcon(lang.L("Open"), theme.MediaPlayIcon(), func() { a.productAction(c, p, "open") })
	c.update = newButtonWithIcon(lang.L("Update"), theme.DownloadIcon(), func() { a.startRun(c, p, false) })
	c.update.Importance = widget.HighImportance
	a.runWidgets(c, p)
	c.uninstall = newButtonWithIcon(lang.L("Uninstall"), theme.DeleteIcon(), func() { a.askUninstall(c, p) })
	c.verify = newButtonWithIcon(lang.L("Verify"), theme.ConfirmIcon(), func() { a.productAction(c, p, "verify") })
	c.repair = newButtonWithIcon(lang.L("Repair"), theme.ViewRefreshIcon(), func() { a.productAction(c, p, "repair") })
	if installed && st.PreviousVersion != "" {
		c.rollback = newButtonWithIcon(lang.L("Roll back to {{.Version}}", map[string]any{"Version": st.PreviousVersion}), theme.HistoryIcon(),
			func() { a.askRollback(c, p, st) })
	}
	mine := slices.Contains(a.me.User.Products, p.ID)
	_, hasPkg := p.Latest().Packages[a.cfg.Platform]
	switch {
	case !mine:
		c.setup.Disable()
		c.install.Disable()
		body.Add(wrapped(lang.L("Not assigned to you: ask your contract manager.")))
	case !api.RightsOf(a.me.User, a.me.Contract).Download():
		c.setup.Disable()
		c.install.Disable()
		c.update.Disable()
		body.Add(wrapped(lang.L("Your account lacks the download benefit: ask your contract manager.")))
	case !api.RightsOf(a.me.User, a.me.Contract).Install():
		// Said before anything is downloaded: setting up installs.
		c.setup.Disable()
		c.update.Disable()
		body.Add(wrapped(lang.L("Installing needs the install benefit: ask your contract manager or software coordinator.")))
	case !hasPkg:
		c.setup.Disable()
		c.install.Disable()
		body.Add(wrapped(lang.L("No package for this computer ({{.Platform}}).", map[string]any{"Platform": platformName(a.cfg.Platform)})))
	}
	if installed {
		if st.Launch == "" {
			c.open.Disable()
		}
		buttons := container.NewHBox(c.open)
		if st.UpdateAvailable {
			buttons.Add(c.update)
		}
		buttons.Add(c.verify)
		buttons.Add(c.repair)
		buttons.Add(c.uninstall)
		body.Add(buttons)
		if c.rollback != nil {
			body.Add(container.NewHBox(c.rollback)) // its own row: in the other, the French card needs 881 px
		}
		body.Add(c.reasons)
		body.Add(c.progress)
		body.Add(container.NewHBox(c.anyway, c.pause, c.cancel))
	} else {
		body.Add(c.reasons)
		body.Add(c.progress)
		body.Add(container.NewHBox(c.install, c.anyway, c.pause, c.cancel, c.setup))
	}
	body.Add(c.status)
	c.card = widget.NewCard(p.Name, "", body)
	a.showRun(c, p, st, known)
	return c
}

// stateText is a product's state on this computer, in a few words;
// known is false while the states are still being computed.
func stateText(st setup.ProductState, known bool) string {
	switch {
	case !known:
		return lang.L("Checking this computer…")
	case st.State == setup.Damaged:
		return lang.L("Installed {{.Version}}, damaged: repair it", map[string]any{"Version": st.InstalledVersion})
	case st.UpdateAvailable:
		return lang.L("Update to {{.Version}}", map[string]any{"Version": st.LatestVersion})
	case st.InstalledVersion != "":
		return lang.L("Installed {{.Version}}", map[string]any{"Version": st.InstalledVersion})
	case st.State == setup.Downloaded:
		return lang.L("Not installed (downloaded)")
	}
	return lang.L("Not installed")
}

// showRun shows on a new card the product's one action (running, or
// stopped by the check), or what an interrupted download kept.
func (a *Assistant) showRun(c *productCard, p *catalog.Product, st setup.ProductState, known bool) {
	if r := a.runs[p.ID]; r != nil {
		if r.running || !known || st.InstalledVersion == r.from {
			r.attach(c)
			return
		}
		delete(a.runs, p.ID) // installed or removed meanwhile: the check's reasons are old
	}
	if !known || st.Partial == nil {
		return
	}
	switch {
	case st.InstalledVersion == "" && !c.install.Disabled():
		c.showKept(st.Partial, c.install)
	case st.UpdateAvailable && !c.update.Disabled():
		c.showKept(st.Partial, c.update)
	}
}

// say puts the outcome of an action on a product's card; it stays there
// when the page is drawn again with the new state.
func (a *Assistant) say(c *productCard, id, text string) {
	if a.said == nil {
		a.said = map[string]string{}
	}
	a.said[id] = text
	c.status.SetText(text)
}

// productAction runs open, verify or repair off the UI goroutine and says
// how it went on the card.
func (a *Assistant) productAction(c *productCard, p *catalog.Product, action string) {
	a.say(c, p.ID, lang.L("Working…"))
	c.busy(true)
	core := a.core // read on the UI goroutine: sign-out clears it there
	a.background(func(ctx context.Context) func() {
		var rep *installer.VerifyReport
		var rec *installer.Receipt
		var err error
		switch action {
		case "open":
			err = core.Open(ctx, p.ID)
		case "verify":
			rep, err = core.Verify(ctx, p.ID)
		case "repair":
			rec, err = core.Repair(ctx, p.ID)
		}
		return func() { // worded here, on the UI goroutine (lang.L)
			c.busy(false)
			var text string
			switch {
			case err != nil:
				text = errorText(err)
			case action == "open":
				text = lang.L("Started {{.Name}}.", map[string]any{"Name": p.Name})
			case action == "verify" && rep.OK():
				text = lang.L("All {{.Files}} files are as installed.", map[string]any{"Files": intText(int64(rep.Files))})
			case action == "verify":
				text = lang.L("{{.Missing}} missing and {{.Changed}} changed files: Repair puts them back.", map[string]any{"Missing": len(rep.Missing), "Changed": len(rep.Changed)})
			case action == "repair":
				text = lang.L("Repaired {{.Name}} {{.Version}}.", map[string]any{"Name": p.Name, "Version": rec.Version})
			}
			a.say(c, p.ID, text)
			if action != "open" {
				a.refreshStates()
			}
		}
	})
}

// busy disables the card's actions while one of them runs: a second
// action, or a confirmation asked again meanwhile, would act on a state
// that is about to change.
// Those disabled for another reason (no program to start, no download
// benefit) stay disabled after.
func (c *productCard) busy(on bool) {
	if !on {
		for _, b := range c.paused {
			b.Enable()
		}
		c.paused = nil
		return
	}
	for _, b := range []*button{c.open, c.update, c.uninstall, c.verify, c.repair, c.rollback, c.install, c.setup} {
		if b != nil && !b.Disabled() {
			b.Disable()
			c.paused = append(c.paused, b)
		}
	}
}

// countSeats says, for admins, how many of each product's seats the
// contract's users hold, on the product cards shown when the count comes.
func (a *Assistant) countSeats() {
	a.seatsSeen = a.generation
	a.background(func(ctx context.Context) func() {
		users, err := a.cfg.Client.AllUsers(ctx)
		if err != nil {
			return nil // the seat count without the used part
		}
		used := map[string]int{}
		for _, u := range users {
			for _, p := range u.Products {
				used[p]++
			}
		}
		return func() {
			for _, cp := range a.me.Contract.Products {
				p, ok := a.cat.Product(cp.Product)
				if c := a.cards[cp.Product]; c != nil && ok {
					c.seats.SetText(plural("Version {{.Version}} · {{.Used}} of {{.Seats}} seats used", used[cp.Product], map[string]any{
						"Version": p.Latest().Version.String(), "Used": used[cp.Product], "Seats": cp.Seats}))
				}
			}
		}
	})
}

// askUninstall lists the files the user added (they stay), then asks.
func (a *Assistant) askUninstall(c *productCard, p *catalog.Product) {
	core := a.core // read on the UI goroutine: sign-out clears it there
	a.background(func(ctx context.Context) func() {
		files, err := core.UserFiles(ctx, p.ID)
		return func() {
			if err != nil {
				a.say(c, p.ID, errorText(err))
				return
			}
			msg := lang.L("Uninstall {{.Name}}? Its files are removed.", map[string]any{"Name": p.Name})
			if len(files) > 0 {
				msg += "\n" + lang.L("These files were not installed by Onramp and stay where they are: {{.Files}}", map[string]any{"Files": strings.Join(files, ", ")})
			}
			c.confirm = a.confirm(lang.L("Uninstall"), msg, choice{label: lang.L("Uninstall"), icon: theme.DeleteIcon(),
				importance: widget.DangerImportance, do: func() { a.uninstall(c, p) }})
			c.confirm.Show()
		}
	})
}

// askRollback asks before putting the kept version back; the version
// rolled back from is kept in its place.
func (a *Assistant) askRollback(c *productCard, p *catalog.Product, st setup.ProductState) {
	msg := lang.L("Put {{.Name}} {{.Previous}} back in place of {{.Current}}? Version {{.Current}} is kept, so you can go forward again. Files you added stay.",
		map[string]any{"Name": p.Name, "Previous": st.PreviousVersion, "Current": st.InstalledVersion})
	c.confirm = a.confirm(lang.L("Roll back"), msg, choice{label: lang.L("Roll back to {{.Version}}", map[string]any{"Version": st.PreviousVersion}),
		icon: theme.HistoryIcon(), do: func() { a.rollback(c, p, st.InstalledVersion, st.PreviousVersion) }})
	c.confirm.Show()
}

// ErrChangedMeanwhile: the product's installed version is no longer the
// one the user confirmed an action for.
var errChangedMeanwhile = errors.New("the installed version changed since the question was asked")

// rollback puts back the kept version, if from is still installed and to
// still kept: a confirmation answered late never goes forward instead.
func (a *Assistant) rollback(c *productCard, p *catalog.Product, from, to string) {
	a.say(c, p.ID, lang.L("Working…"))
	c.busy(true)
	core := a.core
	a.background(func(ctx context.Context) func() {
		var rec *installer.Receipt
		st, err := core.State(ctx, p.ID)
		if err == nil && (st.InstalledVersion != from || st.PreviousVersion != to) {
			err = errChangedMeanwhile
		}
		if err == nil {
			rec, err = core.Rollback(ctx, p.ID)
		}
		return func() {
			c.busy(false)
			if err != nil {
				a.say(c, p.ID, errorText(err))
			} else {
				a.say(c, p.ID, lang.L("Rolled back {{.Name}} to {{.Version}}.", map[string]any{"Name": p.Name, "Version": rec.Version}))
			}
			a.refreshStates()
		}
	})
}

func (a *Assistant) uninstall(c *productCard, p *catalog.Product) {
	a.say(c, p.ID, lang.L("Working…"))
	c.busy(true)
	core := a.core
	a.background(func(ctx context.Context) func() {
		_, err := core.Uninstall(ctx, p.ID)
		return func() {
			c.busy(false)
			if err != nil {
				a.say(c, p.ID, errorText(err))
				return
			}
			a.say(c, p.ID, lang.L("Uninstalled {{.Name}}.", map[string]any{"Name": p.Name}))
			a.refreshStates()
		}
	})
}

// refreshStates computes every product's state again (after an action, or
// a download that finished elsewhere) and redraws the products page.
func (a *Assistant) refreshStates() {
	if a.core == nil {
		return
	}
	core := a.core
	if a.watched != core {
		a.watched = core
		a.watchStates(core)
	}
	a.background(func(ctx context.Context) func() {
		stamp, _ := core.Stamp() // first: a change meanwhile is seen again
		states, err := core.Products(ctx)
		return func() {
			if err != nil {
				a.showError(err)
				return
			}
			if a.core == core {
				a.statesStamp = stamp
			}
			a.applyStates(states)
		}
	})
}

// applyStates takes in the products' states and draws the products page
// with them, or has it drawn again when shown.
func (a *Assistant) applyStates(states []setup.ProductState) {
	a.states = map[string]setup.ProductState{}
	for _, st := range states {
		a.states[st.ID] = st
	}
	// The step-by-step screens, the one shown and those left with a
	// download going on, follow too: a receipt or a download of the
	// command line changes what they offer.
	for id, s := range a.setups {
		st, known := a.states[id]
		s.follow(st, known)
	}
	if a.me != nil && a.setup == nil && (a.tab == "products" || a.tab == "") {
		a.show(a.mainView)
	} else {
		a.productsStale = true // drawn again when shown
	}
}

// openSetup shows the path of a product on this computer; a setup begun
// before (a download running or done) is shown as it is.
func (a *Assistant) openSetup(p *catalog.Product) {
	if s, ok := a.setups[p.ID]; ok && !s.finished() {
		a.setup = s
		a.show(a.mainView)
		return
	}
	s, err := newSetupScreen(a, p)
	if err != nil {
		a.showError(err)
		return
	}
	a.setup = s
	a.setups[p.ID] = s
	a.show(a.mainView)
	if d := a.core.Downloaded(p.ID + "@" + s.install.release.Version.String()); d != nil {
		s.check.run()
		s.download.done(d) // downloaded before, here or while the user was elsewhere
		return
	}
	s.check.run()
}

func (a *Assistant) closeSetup() {
	a.setup = nil
	a.show(a.mainView)
	a.refreshStates()
}

// setupScreen is the path of one product on this computer: check, then
// download, then install, each step enabled by the one before.
type setupScreen struct {
	a        *Assistant
	product  *catalog.Product
	check    *checkScreen
	download *downloadScreen
	install  *installScreen
	scroll   *container.Scroll
	back     *button
	// installed: the install is done; opening the product again starts
	// afresh (an update, a reinstall).
	installed bool
	state     *widget.Label // the product's state on this computer, as its card says
	planned   string        // installedKey of the state the plan was last made against
}

func newSetupScreen(a *Assistant, p *catalog.Product) (*setupScreen, error) {
	rel, err := a.core.Find(p.ID, "")
	if err != nil {
		return nil, err
	}
	s := &setupScreen{a: a, product: p, state: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	st, known := a.states[p.ID]
	s.state.SetText(stateText(st, known))
	s.planned = installedKey(st)
	s.install = newInstallScreen(a, rel)
	s.install.onDone = func() {
		s.installed = true
		s.scrollToEnd()
		s.a.focusShown(s.back) // done here: back to the products
	}
	s.download = newDownloadScreen(a, rel, func(d *setup.Download) {
		s.install.downloaded(d)
		s.scrollToEnd()
	})
	s.download.start.Disable()
	s.check = newCheckScreen(a, p, rel.Release, func() string { return s.install.target.Text }, func(rep *syscheck.Report) {
		// The keyboard goes to the next thing to do, not back to the
		// top of the window: the download, or checking again.
		if rep.Failed() {
			s.download.start.Disable()
			s.a.focusShown(s.check.again)
		} else if !s.download.running() && s.install.path == "" {
			s.download.start.Enable()
			s.a.focusShown(s.download.start)
		}
		s.download.refused(rep.Failed())
	})
	return s, nil
}

// finished tells whether the setup's install is done: opening the product
// again starts afresh (an update, a reinstall).
func (s *setupScreen) finished() bool { return s.installed }

func (s *setupScreen) content() fyne.CanvasObject {
	s.back = newButtonWithIcon(lang.L("All products"), theme.NavigateBackIcon(), s.a.closeSetup)
	title := heading(lang.L("Set up {{.Name}}", map[string]any{"Name": s.product.Name}))
	body := container.NewVBox(s.check.content(), widget.NewSeparator(), s.download.content(), widget.NewSeparator(), s.install.content())
	s.scroll = container.NewVScroll(body)
	return inOrder(container.NewVBox(container.NewHBox(s.back), title, s.state), nil, nil, nil, s.scroll)
}

// follow takes in the product's state computed again, after a change
// made here or outside the window (the command line installing,
// removing or downloading it): the state line says it, a package
// downloaded meanwhile is taken as this screen's download, and the plan
// is made again against what is now installed. A step running here, or
// an install done, is left alone: its own end says what it did.
func (s *setupScreen) follow(st setup.ProductState, known bool) {
	if text := stateText(st, known); text != s.state.Text {
		s.state.SetText(text)
	}
	was := s.planned
	s.planned = installedKey(st)
	if !known || s.installed || s.install.running || s.download.running() || s.a.core == nil {
		return
	}
	if s.install.dl == nil {
		if d := s.a.core.Downloaded(s.product.ID + "@" + s.install.release.Version.String()); d != nil {
			// The plan follows, and the keyboard and the view stay where
			// the person is.
			s.download.markDone(d)
			s.install.path, s.install.dl = d.Path, d
			s.install.planAgain(false)
		}
		return
	}
	if s.planned != was {
		s.install.planAgain(false)
	}
}

// installedKey is what a plan depends on of a product's state: what is
// installed, where, from which receipt.
func installedKey(st setup.ProductState) string {
	return strings.Join([]string{string(st.State), st.InstalledVersion, st.PreviousVersion, st.Target, st.Receipt}, "\x00")
}

func planName(plan api.Plan) string {
	if plan == "advanced" {
		return lang.L("advanced")
	}
	return lang.L("standard")
}

func benefitName(b string) string {
	switch b {
	case "download":
		return lang.L("download")
	case "install":
		return lang.L("install")
	case "web_support":
		return lang.L("web support")
	case "phone_support":
		return lang.L("phone support")
	}
	return b
}

func benefitList(bs []api.Benefit) string {
	var names []string
	for _, b := range bs {
		names = append(names, benefitName(string(b)))
	}
	if len(names) == 0 {
		return lang.L("none")
	}
	return strings.Join(names, ", ")
}

// quoteArg quotes a path for a shell when it needs it.
func quoteArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$&;|<>()*?`\\") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// scrollToEnd shows the last step once the one before is done.
func (s *setupScreen) scrollToEnd() {
	if s.scroll != nil {
		s.scroll.ScrollToBottom()
	}
}
