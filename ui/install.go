package ui

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/setup"
)

// installScreen shows the plan (files, size, target, what it replaces,
// rights and restarts) before anything changes, then installs: staged
// beside the target, swapped into place at once, with a receipt.
type installScreen struct {
	a       *Assistant
	product *catalog.Product
	release *catalog.Release
	pkg     catalog.Package
	path    string          // the verified download
	dl      *setup.Download // the same

	target  *entry
	browse  *button
	plan    *widget.Label
	bar     *widget.ProgressBar
	install *button
	done    *widget.Label
	why     *errorLabel // why Install is off, or why it failed
	planned *installer.Plan
	onDone  func()
	running bool // an install is under way
}

func newInstallScreen(a *Assistant, rel *setup.Release) *installScreen {
	p := rel.Product
	s := &installScreen{a: a, product: p, release: rel.Release, pkg: rel.Package}
	s.target = newEntry()
	target := a.core.DefaultTarget(p.ID)
	if st, ok := a.states[p.ID]; ok && st.Target != "" {
		target = st.Target // an update goes where the product is
	}
	s.target.SetText(target)
	s.target.OnChanged = func(string) {
		// The plan was for the old folder: it goes, rather than name it.
		s.planned = nil
		s.install.Disable()
		s.why.SetText("")
		if s.dl != nil {
			s.plan.SetText(lang.L("The folder changed: press Show the plan."))
		}
	}
	s.browse = newButtonWithIcon(lang.L("Browse…"), theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				s.chooseFolder(u.Path())
			}
		}, a.win)
	})
	s.plan = wrapped(lang.L("The plan appears here once the package is downloaded."))
	s.why = newErrorLabel()
	s.bar = newProgressBar()
	s.install = newButtonWithIcon(lang.L("Install"), theme.ConfirmIcon(), s.run)
	s.install.Importance = widget.HighImportance
	s.install.Disable()
	s.done = wrapped("")
	return s
}

func (s *installScreen) content() fyne.CanvasObject {
	ref := s.product.ID + "@" + s.release.Version.String()
	return container.NewVBox(
		heading(lang.L("3. Install on this computer")),
		widget.NewForm(widget.NewFormItem(lang.L("Folder"), inOrder(nil, nil, nil, s.browse, s.target))),
		s.plan, s.why, s.bar,
		container.NewHBox(newButton(lang.L("Show the plan"), s.makePlan), s.install, cliButton(s.a, func() string {
			return s.a.cfg.CLI + " install --product " + ref + " --target " + quoteArg(s.target.Text)
		})),
		s.done,
	)
}

// chooseFolder installs into a folder of the one chosen, named as the
// default one is: a folder chosen in the dialog often holds other things,
// and a non-empty folder Onramp did not fill is refused.
func (s *installScreen) chooseFolder(dir string) {
	s.target.SetText(filepath.Join(dir, filepath.Base(s.a.core.DefaultTarget(s.product.ID))))
}

// core reports the install's progress on the bar.
func (s *installScreen) core() *setup.Setup {
	return s.a.core.WithProgress(func(ev setup.Event) {
		if ev.Step == setup.StepStage && ev.Total > 0 {
			v := float64(ev.Done) / float64(ev.Total)
			s.a.onUI(func() { s.bar.SetValue(v) })
		}
	})
}

// downloaded is called when the package is verified: the plan follows.
func (s *installScreen) downloaded(d *setup.Download) {
	s.path, s.dl = d.Path, d
	s.makePlan()
}

func (s *installScreen) makePlan() { s.planAgain(true) }

// planAgain makes the plan; focus gives Install the keyboard when it can
// be pressed (not when the plan follows a change made outside the window:
// the person may be typing elsewhere).
func (s *installScreen) planAgain(focus bool) {
	if s.dl == nil {
		return
	}
	core := s.a.core // read on the UI goroutine: sign-out clears it there
	if core == nil {
		// Signed out, or another contract chosen, as the download ended:
		// this screen is no longer shown.
		return
	}
	target, dl := s.target.Text, s.dl
	s.plan.SetText(lang.L("Reading the package…"))
	s.a.background(func(ctx context.Context) func() {
		plan, err := core.PlanDownload(ctx, dl, target)
		return func() {
			if err != nil {
				s.plan.SetText("")
				s.why.SetError(err)
				return
			}
			s.showPlan(plan)
			if focus && !s.install.Disabled() {
				s.a.focusShown(s.install) // the next thing to press
			}
		}
	})
}

// showPlan shows the plan, and offers Install only when the window can
// carry it out, saying why not otherwise.
func (s *installScreen) showPlan(plan *installer.Plan) {
	s.planned = plan
	s.plan.SetText(planText(s.product.Name, plan))
	s.why.SetText("")
	switch {
	case plan.SpaceProblem() != nil:
		s.why.SetText(lang.L("Not enough free disk space. Free some space, or choose another folder."))
		s.install.Disable()
	case plan.NeedsElevation:
		s.why.SetText(lang.L("This folder needs administrator rights. Choose a folder of your own, or ask IT."))
		s.install.Disable()
	default:
		s.install.Enable()
	}
}

func planText(name string, p *installer.Plan) string {
	data := map[string]any{"Product": name, "Version": p.Version, "Target": p.Target, "Files": intText(int64(p.Files)),
		"Size": sizeText(float64(p.Bytes)), "Free": sizeText(float64(p.FreeSpace)), "Replaces": p.Replaces}
	text := lang.L("Plan: install {{.Product}} {{.Version}} into {{.Target}}: {{.Files}} files, {{.Size}} ({{.Free}} free on that volume).", data)
	if p.Replaces != "" {
		text += "\n" + lang.L("Replaces version {{.Replaces}}, which is kept so you can roll back.", data)
	}
	if p.NeedsElevation {
		text += "\n" + lang.L("Needs administrator rights.")
	}
	if p.MayReboot {
		text += "\n" + lang.L("May ask for a restart; never done without your consent.")
	}
	return text + "\n" + lang.L("Nothing changes until you press Install; a failure leaves the computer as it was.")
}

func (s *installScreen) run() {
	if s.planned == nil {
		return
	}
	s.install.Disable()
	s.why.SetText("")
	target, dl := s.target.Text, s.dl
	s.done.SetText(lang.L("Installing…"))
	s.running = true
	core := s.core() // on the UI goroutine
	s.a.background(func(ctx context.Context) func() {
		rec, err := core.InstallDownload(ctx, dl, target)
		return func() {
			s.running = false
			if err != nil {
				s.install.Enable()
				s.done.SetText("")
				s.why.SetError(err)
				return
			}
			s.bar.SetValue(1)
			data := map[string]any{"Name": s.product.Name, "Version": rec.Version, "Target": rec.Target, "Files": intText(int64(rec.FileCount))}
			text := lang.L("Done: {{.Name}} {{.Version}} is installed in {{.Target}} ({{.Files}} files).", data)
			if rec.Launch != "" {
				text += "\n" + lang.L("Start it: {{.Path}}", map[string]any{"Path": filepath.Join(rec.Target, filepath.FromSlash(rec.Launch))})
			}
			s.done.SetText(text)
			s.a.refreshStates()
			if s.onDone != nil {
				s.onDone()
			}
		}
	})
}
