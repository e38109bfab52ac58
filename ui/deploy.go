package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/setup"
)

// deployScreen is the multi-seat wizard: products, platforms, the seats'
// install folder, the licence mode, the output folder. It builds the same
// folder as `assistant deploy create`.
type deployScreen struct {
	a           *Assistant
	products    *checkList
	platforms   *checkList
	target, out *entry
	license     *radioList
	server      *entry
	register    *check
	create      *button
	bar         *widget.ProgressBar
	status      *widget.Label
	scroll      *container.Scroll
}

func newDeployScreen(a *Assistant) *deployScreen {
	s := &deployScreen{a: a}
	s.products = newCheckList(a.productNames(a.contractProducts()), nil)
	var plats []string
	for _, p := range catalog.Platforms {
		plats = append(plats, platformName(p))
	}
	s.platforms = newCheckList(plats, nil)
	var ticked []string
	for _, p := range []catalog.Platform{catalog.WindowsAMD64, catalog.DarwinARM64, catalog.DarwinAMD64} {
		if a.packagedFor(p) {
			ticked = append(ticked, platformName(p))
		}
	}
	s.platforms.SetSelected(ticked)
	s.target = newEntry()
	s.target.SetPlaceHolder(lang.L("Default folder"))
	s.out = newEntry()
	s.out.SetPlaceHolder(lang.L("A new, empty folder"))
	s.license = newRadioList([]string{lang.L("Per user (each user signs in)"), lang.L("Network licence server")}, nil)
	s.license.SetSelected(lang.L("Per user (each user signs in)"))
	s.server = newEntry()
	s.server.SetPlaceHolder("licence.company.com:27000")
	s.register = newCheck(lang.L("Seats register with the service"), nil)
	s.create = newButtonWithIcon(lang.L("Build the deployment"), theme.DocumentCreateIcon(), s.run)
	s.create.Importance = widget.HighImportance
	s.bar = newProgressBar()
	s.status = wrapped("")
	return s
}

// packagedFor tells whether every product of the contract has a package
// for plat in its latest release: a system ticked by default is one the
// deployment can be built for.
func (a *Assistant) packagedFor(plat catalog.Platform) bool {
	if a.cat == nil {
		return false
	}
	for _, id := range a.contractProducts() {
		p, ok := a.cat.Product(id)
		if !ok {
			continue // not in the list: the contract's other products decide
		}
		r := p.Latest()
		if r == nil {
			return false
		}
		if _, ok := r.Packages[plat]; !ok {
			return false
		}
	}
	return true
}

func (s *deployScreen) network() bool { return s.license.Selected == lang.L("Network licence server") }

func (s *deployScreen) content() fyne.CanvasObject {
	a := s.a
	browse := newButtonWithIcon(lang.L("Browse…"), theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				s.out.SetText(filepath.Join(u.Path(), "onramp-deployment"))
			}
		}, a.win)
	})
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Products"), s.products),
		widget.NewFormItem(lang.L("Systems"), s.platforms),
		widget.NewFormItem(lang.L("Install folder on the seats"), container.NewVBox(s.target, hint(lang.L("Default: each system's machine-wide folder")))),
		widget.NewFormItem(lang.L("Licence"), s.license),
		widget.NewFormItem(lang.L("Licence server"), s.server),
		widget.NewFormItem(lang.L("Output folder"), inOrder(nil, nil, nil, browse, s.out)),
		widget.NewFormItem("", container.NewVBox(s.register, wrapped(lang.L("The folder then holds a seat key that can only count seats.")))))
	s.scroll = container.NewVScroll(container.NewVBox(
		heading(lang.L("Multi-seat deployment")),
		wrapped(lang.L("Builds a folder with the verified packages, deployment.json, install scripts for Windows, macOS and Linux, and a README for IT. Push it with your deployment tool; each seat installs silently, never restarts on its own, and reports through exit codes.")),
		form, s.bar,
		container.NewHBox(s.create, cliButton(a, s.command)),
		s.status))
	return s.scroll
}

// say puts the outcome under the button, in view: a refusal in the
// error colour, progress and the result in the text's.
func (s *deployScreen) say(text string, refusal bool) {
	s.status.Importance = widget.MediumImportance
	if refusal {
		s.status.Importance = widget.DangerImportance
	}
	s.status.SetText(text)
	showObject(s.status)
}

// command is the CLI line that builds the same deployment.
func (s *deployScreen) command() string {
	cmd := s.a.cfg.CLI + " deploy create" + listFlag(" --product ", s.a.productIDsOf(s.products.Selected)) + listFlag(" --platform ", platformIDs(s.platforms.Selected)) +
		" --out " + quoteArg(orPlaceholder(s.out.Text, "DIR"))
	if s.target.Text != "" {
		cmd += " --target " + quoteArg(s.target.Text)
	}
	if s.network() {
		cmd += " --license-server " + orPlaceholder(s.server.Text, "HOST:PORT")
	}
	if s.register.Checked {
		cmd += " --register"
	}
	return cmd
}

func (s *deployScreen) run() {
	products, out, target := s.a.productIDsOf(s.products.Selected), strings.TrimSpace(s.out.Text), strings.TrimSpace(s.target.Text)
	var only []catalog.Platform
	for _, p := range platformIDs(s.platforms.Selected) {
		only = append(only, catalog.Platform(p))
	}
	license := deploy.License{Mode: "per-user"}
	if s.network() {
		license = deploy.License{Mode: "network", Server: strings.TrimSpace(s.server.Text)}
	}
	switch {
	case len(products) == 0:
		s.say(lang.L("Choose at least one product."), true)
		return
	case len(only) == 0:
		s.say(lang.L("Choose at least one system."), true)
		return
	case out == "":
		s.say(lang.L("Choose the output folder."), true)
		s.a.focusShown(s.out)
		showObject(s.status)
		return
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		s.say(lang.L("{{.Folder}} is not empty: choose a new folder.", map[string]any{"Folder": out}), true)
		s.a.focusShown(s.out)
		showObject(s.status)
		return
	}
	register := s.register.Checked
	s.create.Disable()
	s.say(lang.L("Downloading and verifying the packages…"), false)
	s.a.background(func(ctx context.Context) func() {
		d, err := s.build(ctx, products, only, target, license, out, register)
		return func() {
			s.create.Enable()
			if err != nil {
				s.say(errorText(err), true)
				return
			}
			s.bar.SetValue(1)
			s.say(plural("Deployment ready in {{.Folder}} ({{.Count}} products). Push the folder to the seats and run its install script as administrator; README-IT.txt has the details.", len(d.Products),
				map[string]any{"Folder": out, "Count": len(d.Products)}), false)
		}
	})
}

func (s *deployScreen) build(ctx context.Context, products []string, only []catalog.Platform, target string, license deploy.License, out string, register bool) (*deploy.Deployment, error) {
	core := s.a.core.WithProgress(func(ev setup.Event) {
		if ev.Step == setup.StepDownload && ev.Total > 0 {
			v := float64(ev.Done) / float64(ev.Total)
			s.a.onUI(func() { s.bar.SetValue(v) })
		}
	})
	return core.CreateDeployment(ctx, setup.DeploymentRequest{Products: products, Platforms: only, Target: target, License: license,
		Out: out, Register: register, Demo: s.a.cfg.Demo != nil})
}

// platformName is a platform as people know it.
func platformName(p catalog.Platform) string {
	switch p {
	case catalog.WindowsAMD64:
		return lang.L("Windows (x64)")
	case catalog.DarwinARM64:
		return lang.L("macOS (Apple silicon)")
	case catalog.DarwinAMD64:
		return lang.L("macOS (Intel)")
	case catalog.LinuxAMD64:
		return lang.L("Linux (x64)")
	}
	return string(p)
}

// platformIDs maps the names checked back to "os/arch".
func platformIDs(names []string) []string {
	var ids []string
	for _, p := range catalog.Platforms {
		if slices.Contains(names, platformName(p)) {
			ids = append(ids, string(p))
		}
	}
	return ids
}
