package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/setup"
)

// downloadScreen fetches a package from the account service: verified,
// resumable, with progress, rate and time left; pause keeps the partial
// file, cancel deletes it.
type downloadScreen struct {
	a       *Assistant
	product *catalog.Product
	release *catalog.Release
	pkg     catalog.Package
	rel     *setup.Release
	dest    string // the package's place in the cache

	bar                  *widget.ProgressBar
	info                 *widget.Label
	start, pause, cancel *button
	mu                   sync.Mutex // guards stop
	stop                 context.CancelFunc
	discard              bool // the stop is a cancel: delete the partial file
	onDone               func(d *setup.Download)
	onProgress           func()        // tests: called after each progress report
	confirm              *choiceDialog // the last confirmation asked (tests)
	// The line is redrawn every second, so that figures no byte refreshes
	// turn into "stalled" rather than staying frozen.
	transferLine
}

// transferLine is what a download's line shows, kept on the UI goroutine:
// the latest figures, when a byte last arrived, and a retry or stall
// being waited out. The step-by-step screen and a product card's one
// action word it alike.
type transferLine struct {
	now      func() time.Time // tests set the clock
	last     downloader.Progress
	lastByte time.Time
	retry    *downloader.Progress // the retry or stall reported since the last byte
}

// begin starts a transfer's line afresh ("Connecting…").
func (l *transferLine) begin() {
	l.last, l.retry, l.lastByte = downloader.Progress{}, nil, l.now()
}

// take records a progress, retry or stall report.
func (l *transferLine) take(p downloader.Progress) {
	switch p.Event {
	case downloader.EventProgress:
		if p.Done > l.last.Done || l.last.Event == "" {
			l.lastByte, l.retry = l.now(), nil
		}
		l.last = p
	case downloader.EventRetry, downloader.EventStall:
		l.retry = &p
		if l.last.Total <= 0 {
			l.last.Total = p.Total
		}
	}
}

// words says what was reported and how long ago the last byte came, with
// the fraction done (-1 when the size is unknown); ok is false while
// nothing is known yet (the line still says "Connecting…"). Worded on the
// UI goroutine: a language switch there changes the translations lang.L
// reads.
func (l *transferLine) words() (text string, frac float64, ok bool) {
	p := l.last
	if p.Event == "" && l.retry == nil && l.now().Sub(l.lastByte) < stalledAfter {
		return "", -1, false
	}
	var parts []string
	frac = -1
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
		parts = append(parts, lang.L("{{.Done}} of {{.Total}}", map[string]any{"Done": sizeText(float64(p.Done)), "Total": sizeText(float64(p.Total))}))
	}
	idle := l.now().Sub(l.lastByte)
	stalled := idle >= stalledAfter || (l.retry != nil && l.retry.Event == downloader.EventStall)
	switch {
	case stalled:
		parts = append(parts, stalledText(idle))
	case p.Event == downloader.EventProgress && l.retry == nil:
		if p.Rate > 0 {
			parts = append(parts, lang.L("{{.Rate}}/s", map[string]any{"Rate": sizeText(p.Rate)}))
		}
		if p.ETA > 0 {
			parts = append(parts, leftText(p.ETA))
		}
	}
	if l.retry != nil && l.retry.Attempt > 0 {
		parts = append(parts, retryText(l.retry.Attempt, l.retry.MaxAttempts))
	}
	return strings.Join(parts, " · "), frac, true
}

// keptText says how much of a package an interrupted download kept.
func keptText(kept *setup.Partial) string {
	return lang.L("{{.Done}} of {{.Total}} downloaded", map[string]any{"Done": sizeText(float64(kept.Bytes)), "Total": sizeText(float64(kept.Total))})
}

// askDiscard asks before deleting what a download received: a pause keeps
// it, and it may be hours of transfer.
func (a *Assistant) askDiscard(name string, received int64, discard func()) *choiceDialog {
	msg := lang.L("Delete the {{.Size}} of {{.Name}} downloaded so far? Pause keeps them, to resume later.",
		map[string]any{"Size": sizeText(float64(received)), "Name": name})
	text := dialogText(msg)
	c := a.newChoiceDialog(lang.L("Cancel the download"), theme.QuestionIcon(), text, 0,
		choice{label: lang.L("Keep downloading"), icon: theme.CancelIcon()},
		choice{label: lang.L("Delete the download"), icon: theme.DeleteIcon(), importance: widget.DangerImportance, do: discard})
	c.textWidth, c.text = textWidth(msg), text
	c.Show()
	return c
}

// stalledAfter is how long without a byte before the line says the
// transfer is stalled: progress reports come every 200 ms while bytes flow.
const stalledAfter = 5 * time.Second

func newDownloadScreen(a *Assistant, rel *setup.Release, onDone func(*setup.Download)) *downloadScreen {
	p, r, pkg := rel.Product, rel.Release, rel.Package
	s := &downloadScreen{a: a, product: p, release: r, pkg: pkg, rel: rel, onDone: onDone, dest: a.core.PackagePath(rel), transferLine: transferLine{now: time.Now}}
	s.bar = newProgressBar()
	// One line, truncated: a wrapped label would re-flow the whole screen
	// at every progress report.
	s.info = widget.NewLabel(s.idleText())
	s.info.Truncation = fyne.TextTruncateEllipsis
	s.start = newButtonWithIcon(lang.L("Download"), theme.DownloadIcon(), s.run)
	s.start.Importance = widget.HighImportance
	s.pause = newButtonWithIcon(lang.L("Pause"), theme.MediaPauseIcon(), func() { s.halt(false) })
	s.cancel = newButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), s.askCancel)
	s.pause.Disable()
	s.cancel.Disable()
	if kept := a.core.Partial(rel); kept != nil {
		// An interrupted download (before a restart, too): its bytes, and
		// Resume, rather than 0 % and Download.
		s.bar.SetValue(float64(kept.Bytes) / float64(max(kept.Total, kept.Bytes)))
		s.info.SetText(s.idleText())
		s.start.SetText(lang.L("Resume"))
		s.cancel.Enable()
	}
	return s
}

// idleText is the line before a download: the package's size, or what an
// interrupted download kept of it.
func (s *downloadScreen) idleText() string {
	if kept := s.a.core.Partial(s.rel); kept != nil {
		return keptText(kept)
	}
	return lang.L("{{.Name}} {{.Version}}: {{.Size}}", map[string]any{"Name": s.product.Name, "Version": s.release.Version.String(), "Size": sizeText(float64(s.pkg.Size))})
}

// refused says beside the greyed Download why it is off after a check
// that failed; after one that did not, the line is the package's again.
func (s *downloadScreen) refused(failed bool) {
	if s.running() || s.bar.Value == 1 {
		return
	}
	if failed {
		s.info.SetText(lang.L("Not offered: this computer does not meet the requirements checked above."))
		return
	}
	s.info.SetText(s.idleText())
}

// askCancel asks before a cancel deletes bytes received; with none, it
// cancels at once.
func (s *downloadScreen) askCancel() {
	received := s.received()
	if received <= 0 {
		s.halt(true)
		return
	}
	s.confirm = s.a.askDiscard(s.product.Name, received, func() {
		if s.running() || s.received() > 0 { // not finished meanwhile
			s.halt(true)
		}
	})
}

// received is what a cancel would delete: the bytes reported, or those
// kept on disk by a download paused or interrupted before.
func (s *downloadScreen) received() int64 {
	var n int64
	if kept := s.a.core.Partial(s.rel); kept != nil {
		n = kept.Bytes
	}
	if s.running() && s.last.Done > n {
		n = s.last.Done
	}
	return n
}

func (s *downloadScreen) content() fyne.CanvasObject {
	ref := s.product.ID + "@" + s.release.Version.String()
	return container.NewVBox(
		heading(lang.L("2. Download")),
		s.info, s.bar,
		container.NewHBox(s.start, s.pause, s.cancel, cliButton(s.a, func() string {
			return s.a.cfg.CLI + " download --product " + ref
		})),
	)
}

// running tells whether a transfer is in flight.
func (s *downloadScreen) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop != nil
}

// halt stops the transfer: a pause keeps the partial file for a resume, a
// cancel deletes it.
func (s *downloadScreen) halt(discard bool) {
	s.mu.Lock()
	stop := s.stop
	if stop != nil {
		s.discard = discard
		stop()
	}
	s.mu.Unlock()
	if stop == nil && discard {
		// Paused: nothing runs, so the partial file goes now.
		downloader.RemovePartial(s.dest)
		s.cancel.Disable()
		s.bar.SetValue(0)
		s.start.SetText(lang.L("Download"))
		s.info.SetText(lang.L("Cancelled; the partial file was deleted."))
	}
}

func (s *downloadScreen) run() {
	s.start.Disable()
	s.pause.Enable()
	s.cancel.Enable()
	ctx, stop := context.WithCancel(s.a.ctx)
	s.mu.Lock()
	s.stop, s.discard = stop, false
	s.mu.Unlock()
	s.info.SetText(lang.L("Connecting…"))
	s.begin()
	go s.redrawEverySecond(ctx)
	core := s.a.core // read on the UI goroutine: sign-out clears it there
	s.a.background(func(context.Context) func() {
		defer stop()
		ref := s.product.ID + "@" + s.release.Version.String()
		d, err := core.WithProgress(s.progress).Download(ctx, ref, "")
		s.mu.Lock()
		discard := s.discard
		s.stop = nil
		s.mu.Unlock()
		if errors.Is(err, context.Canceled) && discard {
			core.RemovePartial(ref)
		}
		return func() {
			s.pause.Disable()
			s.cancel.Disable()
			s.start.Enable()
			switch {
			case err == nil:
				s.done(d)
			case errors.Is(err, context.Canceled) && discard:
				s.bar.SetValue(0)
				s.start.SetText(lang.L("Download"))
				s.info.SetText(lang.L("Cancelled; the partial file was deleted."))
			case errors.Is(err, context.Canceled):
				s.start.SetText(lang.L("Resume"))
				s.info.SetText(lang.L("Paused. Resume continues where it stopped."))
				s.cancel.Enable() // a paused download can still be thrown away
			default:
				s.start.SetText(lang.L("Resume"))
				s.info.SetText(lang.L("The download stopped; Resume continues it."))
				s.a.showError(err)
			}
		}
	})
}

// done shows a verified download, whether it finished here or while the
// user was elsewhere.
func (s *downloadScreen) done(d *setup.Download) {
	s.markDone(d)
	if s.onDone != nil {
		s.onDone(d)
	}
}

// markDone shows a verified download without going on to the next step:
// one the command line finished, taken in while the person may be busy
// elsewhere in the window.
func (s *downloadScreen) markDone(d *setup.Download) {
	s.bar.SetValue(1)
	s.start.Disable()
	s.pause.Disable()
	s.cancel.Disable()
	s.info.SetText(lang.L("Downloaded and verified (SHA-256): {{.Path}}", map[string]any{"Path": d.Path}))
}

// progress arrives on the transfer's goroutine, throttled to 200 ms by the
// downloader; the widgets change on the UI goroutine.
func (s *downloadScreen) progress(ev setup.Event) {
	p := ev.Transfer
	if p == nil {
		return
	}
	switch p.Event {
	case downloader.EventProgress, downloader.EventRetry, downloader.EventStall:
	default:
		return
	}
	if s.onProgress != nil {
		defer s.onProgress()
	}
	report := *p
	s.a.onUI(func() { s.show(report) })
}

// show takes in a report, on the UI goroutine.
func (s *downloadScreen) show(p downloader.Progress) {
	s.take(p)
	s.redraw()
}

// redrawEverySecond keeps the line true while no report comes: a stalled
// transfer sends none.
func (s *downloadScreen) redrawEverySecond(ctx context.Context) {
	s.a.everySecond(ctx, func() {
		if s.running() {
			s.redraw()
		}
	})
}

// everySecond runs f on the UI goroutine once a second until ctx ends.
func (a *Assistant) everySecond(ctx context.Context, f func()) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			a.onUI(f)
		}
	}
}

// redraw words the line from what was reported and how long ago the last
// byte came.
func (s *downloadScreen) redraw() {
	text, frac, ok := s.words()
	if !ok {
		return // still "Connecting…"
	}
	if frac >= 0 && s.bar.Value != frac {
		s.bar.SetValue(frac)
	}
	if text != s.info.Text {
		s.info.SetText(text)
	}
}

// stalledText says for how long no byte came, in whole seconds.
func stalledText(idle time.Duration) string {
	return lang.L("Stalled — no data for {{.N}}", map[string]any{"N": durationText(idle.Truncate(time.Second))})
}

// retryText names the attempt about to be made.
func retryText(attempt, most int) string {
	return lang.L("Retrying, attempt {{.Attempt}} of {{.Most}}…", map[string]any{"Attempt": attempt, "Most": most})
}
