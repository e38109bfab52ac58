package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/syscheck"
)

// productsTab lists the subscription's products and the user's benefits,
// or the setup of the product chosen.
func (a *Assistant) productsTab() fyne.CanvasObject {
	if a.setup != nil {
		return a.setup.content()
	}
	me := a.me
	head := container.NewVBox(
		heading(lang.L("Your subscription")),
		wrapped(lang.L("{{.Company}}, {{.Plan}} support, until {{.Ends}}.", map[string]any{
			"Company": me.Contract.Company, "Plan": planName(me.Contract.Plan), "Ends": me.Contract.Ends.Format("2006-01-02")})),
		wrapped(lang.L("Your services: {{.Benefits}}", map[string]any{"Benefits": benefitList(me.User.Benefits)})),
	)
	list := container.NewVBox()
	a.setupButtons = map[string]*widget.Button{}
	seatLabels := map[string]*widget.Label{}
	for _, cp := range me.Contract.Products {
		p, ok := a.cat.Product(cp.Product)
		if !ok {
			continue
		}
		mine := slices.Contains(me.User.Products, p.ID)
		r := p.Latest()
		_, hasPkg := r.Packages[a.cfg.Platform]
		seats := wrapped(lang.L("Version {{.Version}} · {{.Seats}} seats on the contract", map[string]any{"Version": r.Version.String(), "Seats": cp.Seats}))
		seatLabels[p.ID] = seats
		body := container.NewVBox(wrapped(p.Description), seats)
		setup := widget.NewButtonWithIcon(lang.L("Set up on this computer"), theme.NavigateNextIcon(), func() { a.openSetup(p) })
		setup.Importance = widget.HighImportance
		a.setupButtons[p.ID] = setup
		switch {
		case !mine:
			setup.Disable()
			body.Add(wrapped(lang.L("Not assigned to you: ask your contract manager.")))
		case !a.hasBenefit("download"):
			setup.Disable()
			body.Add(wrapped(lang.L("Your account lacks the download benefit: ask your contract manager.")))
		case !hasPkg:
			setup.Disable()
			body.Add(wrapped(lang.L("No package for this computer ({{.Platform}}).", map[string]any{"Platform": platformName(a.cfg.Platform)})))
		}
		body.Add(container.NewHBox(setup))
		list.Add(widget.NewCard(p.Name, "", body))
	}
	if a.isAdmin() {
		a.countSeats(seatLabels)
	}
	return container.NewBorder(head, nil, nil, nil, container.NewVScroll(list))
}

// countSeats says, for admins, how many of each product's seats the
// contract's users hold.
func (a *Assistant) countSeats(labels map[string]*widget.Label) {
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
				if l := labels[cp.Product]; l != nil && ok {
					l.SetText(lang.L("Version {{.Version}} · {{.Used}} of {{.Seats}} seats used", map[string]any{
						"Version": p.Latest().Version.String(), "Used": used[cp.Product], "Seats": cp.Seats}))
				}
			}
		}
	})
}

func (a *Assistant) openSetup(p *catalog.Product) {
	a.setup = newSetupScreen(a, p)
	a.show(a.mainView)
	a.setup.check.run()
}

func (a *Assistant) closeSetup() {
	a.setup = nil
	a.show(a.mainView)
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
}

func newSetupScreen(a *Assistant, p *catalog.Product) *setupScreen {
	r := p.Latest()
	pkg := r.Packages[a.cfg.Platform]
	s := &setupScreen{a: a, product: p}
	s.install = newInstallScreen(a, p, r, pkg)
	s.install.onDone = s.scrollToEnd
	s.download = newDownloadScreen(a, p, r, pkg, func(path string) {
		s.install.downloaded(path)
		s.scrollToEnd()
	})
	s.download.start.Disable()
	s.check = newCheckScreen(a, p, r, func() string { return s.install.target.Text }, func(rep *syscheck.Report) {
		if rep.Failed() {
			s.download.start.Disable()
		} else if !s.download.running() && s.install.path == "" {
			s.download.start.Enable()
		}
	})
	return s
}

func (s *setupScreen) content() fyne.CanvasObject {
	back := widget.NewButtonWithIcon(lang.L("All products"), theme.NavigateBackIcon(), s.a.closeSetup)
	title := heading(lang.L("Set up {{.Name}}", map[string]any{"Name": s.product.Name}))
	body := container.NewVBox(s.check.content(), widget.NewSeparator(), s.download.content(), widget.NewSeparator(), s.install.content())
	s.scroll = container.NewVScroll(body)
	return container.NewBorder(container.NewVBox(container.NewHBox(back), title), nil, nil, nil, s.scroll)
}

func planName(plan string) string {
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

func benefitList(bs []string) string {
	var names []string
	for _, b := range bs {
		names = append(names, benefitName(b))
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
