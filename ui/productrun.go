package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/syscheck"
)

// productRun is a product card's one action: check this computer,
// download, install (or update), with one progress line, one bar and one
// Cancel; setup.InstallWith does the work, the same the command line's
// install does. It lives on the Assistant, not on a card: the products
// page is drawn again while it runs (another product's action, a change
// made from the command line), and each new card shows it. A run the
// check stopped stays, to show why, until the next action.
type productRun struct {
	a       *Assistant
	product *catalog.Product
	update  bool   // an update of the installed version
	from    string // the version installed when it began

	// Set on the UI goroutine only.
	running bool
	step    setup.Step // the step under way: check, download, then the install's
	staged  float64    // the install's files staged, as a fraction
	line    transferLine
	stopped error // the check that stopped it: *setup.RequirementsError or *setup.AdviceError
	card    *productCard

	mu      sync.Mutex // guards stop and discard
	stop    context.CancelFunc
	discard bool // the stop is a confirmed cancel: delete what was downloaded
}

// The share of the bar each step fills: the check is quick, the download
// is most of the wait.
const (
	downloadShare = 0.9
	installShare  = 1 - downloadShare
)

// startRun begins the one action on a product's card; anyway goes on past
// a check that found only reservations (a recommendation not met, a figure
// it could not read), as the person asked.
func (a *Assistant) startRun(c *productCard, p *catalog.Product, anyway bool) {
	if r := a.runs[p.ID]; r != nil && r.running {
		return
	}
	st := a.states[p.ID]
	r := &productRun{a: a, product: p, update: st.InstalledVersion != "", from: st.InstalledVersion, running: true, step: setup.StepCheck,
		line: transferLine{now: time.Now}}
	ctx, stop := context.WithCancel(a.ctx)
	r.stop = stop
	a.runs[p.ID] = r
	a.say(c, p.ID, "")
	r.attach(c)
	go r.redrawEverySecond(ctx)
	core := a.core.WithProgress(r.progress) // read on the UI goroutine: sign-out clears it there
	a.background(func(context.Context) func() {
		defer stop()
		got, err := core.InstallWith(ctx, p.ID, setup.InstallOptions{StopOnAdvice: !anyway})
		r.mu.Lock()
		discard := r.discard
		r.mu.Unlock()
		if errors.Is(err, context.Canceled) && discard {
			core.RemovePartial(p.ID)
		}
		return func() { r.finish(got, err, discard) }
	})
}

// progress arrives on the action's goroutine (downloads throttled to 200
// ms, installs per step); the card changes on the UI goroutine.
func (r *productRun) progress(ev setup.Event) {
	r.a.onUI(func() { r.take(ev) })
	if r.a.runProgress != nil {
		r.a.runProgress(ev)
	}
}

// take records a step's report and redraws the card.
func (r *productRun) take(ev setup.Event) {
	step := r.step
	switch ev.Step {
	case setup.StepDownload:
		if r.step != setup.StepDownload {
			r.step = setup.StepDownload
			r.line.begin()
		}
		if ev.Transfer != nil {
			r.line.take(*ev.Transfer)
		}
	case setup.StepStage:
		r.step = ev.Step
		if ev.Total > 0 {
			r.staged = float64(ev.Done) / float64(ev.Total)
		}
	default:
		r.step = ev.Step
	}
	if step != r.step {
		r.draw() // Pause comes and goes with the download
		return
	}
	r.drawLine()
}

// redrawEverySecond keeps the download's line true while no report comes:
// a stalled transfer sends none.
func (r *productRun) redrawEverySecond(ctx context.Context) {
	r.a.everySecond(ctx, func() {
		if r.running && r.step == setup.StepDownload {
			r.drawLine()
		}
	})
}

// attach shows the run on a card, built now or before.
func (r *productRun) attach(c *productCard) {
	r.card = c
	r.draw()
}

// draw shows the run's state on its card: its progress and Cancel while
// it runs (Pause while it downloads), or why the check stopped it, and
// Install anyway where the reasons are only reservations.
func (r *productRun) draw() {
	c := r.card
	if c == nil {
		return
	}
	c.anyway.Hide()
	c.pause.Hide()
	if r.running {
		c.busy(true)
		c.reasons.Hide()
		c.progress.Show()
		c.cancel.Show()
		c.cancel.Enable()
		if r.step == setup.StepDownload {
			c.pause.Show()
			c.pause.Enable()
		}
		r.drawLine()
		return
	}
	var report *syscheck.Report
	var advice *setup.AdviceError
	var unmet *setup.RequirementsError
	switch {
	case errors.As(r.stopped, &advice):
		report = advice.Report
		c.anyway.Show()
	case errors.As(r.stopped, &unmet):
		report = unmet.Report
	}
	if report == nil {
		c.reasons.Hide()
		return
	}
	c.reasons.RemoveAll()
	for _, it := range report.Items {
		if it.Status != syscheck.Pass {
			c.reasons.Add(checkRow(it))
		}
	}
	c.reasons.Show()
}

// drawLine words the step under way on the card's one line and bar.
func (r *productRun) drawLine() {
	c := r.card
	if c == nil || !r.running {
		return
	}
	var text string
	var frac float64
	switch r.step {
	case setup.StepCheck:
		text = lang.L("Checking this computer…")
	case setup.StepDownload:
		words, f, ok := r.line.words()
		switch {
		case !ok:
			text = lang.L("Connecting…")
		case words == "":
			text = lang.L("Downloading…")
		default:
			text = lang.L("Downloading: {{.Progress}}", map[string]any{"Progress": words})
		}
		if f > 0 {
			frac = downloadShare * f
		}
	default:
		text = lang.L("Installing…")
		frac = downloadShare + installShare*r.staged
	}
	if c.line.Text != text {
		c.line.SetText(text)
	}
	if c.bar.Value != frac {
		c.bar.SetValue(frac)
	}
}

// halt stops the run: a pause keeps what was downloaded for a resume, a
// confirmed cancel deletes it.
func (r *productRun) halt(discard bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil {
		r.discard = discard
		r.stop()
	}
}

// finish says on the card how the run ended, on the UI goroutine.
func (r *productRun) finish(got *setup.Installation, err error, discarded bool) {
	a, p := r.a, r.product
	r.running = false
	if c := r.card; c != nil {
		c.busy(false)
		c.progress.Hide()
		c.cancel.Hide()
		c.pause.Hide()
	}
	var text string
	var advice *setup.AdviceError
	var unmet *setup.RequirementsError
	switch {
	case err == nil && r.update:
		text = lang.L("Updated {{.Name}} to {{.Version}}.", map[string]any{"Name": p.Name, "Version": got.Receipt.Version})
	case err == nil:
		text = lang.L("Installed {{.Name}} {{.Version}} in {{.Target}}.", map[string]any{"Name": p.Name, "Version": got.Receipt.Version, "Target": got.Receipt.Target})
	case errors.As(err, &unmet):
		r.stopped = err
		text = lang.L("This computer does not meet the requirements of {{.Name}}, so nothing was downloaded:", map[string]any{"Name": p.Name})
	case errors.As(err, &advice):
		r.stopped = err
		text = lang.L("This computer meets the requirements of {{.Name}} with reservations, listed below. Nothing was downloaded yet: install anyway, or not.", map[string]any{"Name": p.Name})
	case errors.Is(err, context.Canceled) && discarded:
		text = lang.L("Cancelled; the partial file was deleted.")
	case errors.Is(err, context.Canceled) && r.step == setup.StepDownload:
		text = lang.L("Paused. Resume continues where it stopped.")
	case errors.Is(err, context.Canceled):
		text = lang.L("Cancelled; nothing was changed.")
	default:
		text = errorText(err)
	}
	if r.stopped == nil && a.runs[p.ID] == r {
		delete(a.runs, p.ID)
	}
	a.say(r.card, p.ID, text)
	r.draw()
	a.refreshStates()
}

// cancelOnCard is the card's one Cancel: it stops the action under way,
// asking first when that deletes bytes downloaded, or, with nothing
// running, deletes what an interrupted download kept, after asking.
func (a *Assistant) cancelOnCard(c *productCard, p *catalog.Product) {
	var kept int64
	if rel, err := a.core.Find(p.ID, ""); err == nil {
		if k := a.core.Partial(rel); k != nil {
			kept = k.Bytes
		}
	}
	r := a.runs[p.ID]
	if r != nil && r.running {
		if r.step != setup.StepDownload {
			r.halt(false) // nothing downloaded to delete; what was kept before stays
			return
		}
		received := max(kept, r.line.last.Done)
		if received <= 0 {
			r.halt(true)
			return
		}
		c.confirm = a.askDiscard(p.Name, received, func() {
			if r.running {
				r.halt(true)
			}
		})
		return
	}
	if kept <= 0 {
		return
	}
	c.confirm = a.askDiscard(p.Name, kept, func() { a.removePartial(c, p) })
}

// removePartial deletes what an interrupted download of a product kept.
func (a *Assistant) removePartial(c *productCard, p *catalog.Product) {
	core := a.core
	a.background(func(context.Context) func() {
		err := core.RemovePartial(p.ID)
		return func() {
			if err != nil {
				a.say(c, p.ID, errorText(err))
			} else {
				a.say(c, p.ID, lang.L("Cancelled; the partial file was deleted."))
			}
			a.refreshStates()
		}
	})
}

// runWidgets are a card's widgets for its one action, hidden while idle.
func (a *Assistant) runWidgets(c *productCard, p *catalog.Product) {
	c.bar = newProgressBar()
	// One line, truncated: a wrapped label would re-flow the page at every
	// progress report.
	c.line = widget.NewLabel("")
	c.line.Truncation = fyne.TextTruncateEllipsis
	c.progress = container.NewVBox(c.line, c.bar)
	c.reasons = container.NewVBox()
	c.anyway = newButtonWithIcon(lang.L("Install anyway"), theme.WarningIcon(), func() { a.startRun(c, p, true) })
	c.pause = newButtonWithIcon(lang.L("Pause"), theme.MediaPauseIcon(), func() {
		if r := a.runs[p.ID]; r != nil && r.running {
			r.halt(false)
		}
	})
	c.cancel = newButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { a.cancelOnCard(c, p) })
	c.progress.Hide()
	c.reasons.Hide()
	c.anyway.Hide()
	c.pause.Hide()
	c.cancel.Hide()
}

// showKept shows on an idle card what an interrupted download kept: its
// bytes, and Resume rather than 0 % (also after a restart).
func (c *productCard) showKept(kept *setup.Partial, resume *button) {
	c.line.SetText(keptText(kept))
	c.bar.SetValue(float64(kept.Bytes) / float64(max(kept.Total, kept.Bytes)))
	c.progress.Show()
	c.cancel.Show()
	resume.SetText(lang.L("Resume"))
}
