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
	dest    string // the package's place in the cache

	bar                  *widget.ProgressBar
	info                 *widget.Label
	start, pause, cancel *button
	mu                   sync.Mutex // guards stop
	stop                 context.CancelFunc
	discard              bool // the stop is a cancel: delete the partial file
	onDone               func(d *setup.Download)
	onProgress           func() // tests: called after each progress report
}

func newDownloadScreen(a *Assistant, rel *setup.Release, onDone func(*setup.Download)) *downloadScreen {
	p, r, pkg := rel.Product, rel.Release, rel.Package
	s := &downloadScreen{a: a, product: p, release: r, pkg: pkg, onDone: onDone, dest: a.core.PackagePath(rel)}
	s.bar = widget.NewProgressBar()
	// One line, truncated: a wrapped label would re-flow the whole screen
	// at every progress report.
	s.info = widget.NewLabel(lang.L("{{.Name}} {{.Version}}: {{.Size}}", map[string]any{"Name": p.Name, "Version": r.Version.String(), "Size": catalog.ByteSize(pkg.Size).String()}))
	s.info.Truncation = fyne.TextTruncateEllipsis
	s.start = newButtonWithIcon(lang.L("Download"), theme.DownloadIcon(), s.run)
	s.start.Importance = widget.HighImportance
	s.pause = newButtonWithIcon(lang.L("Pause"), theme.MediaPauseIcon(), func() { s.halt(false) })
	s.cancel = newButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() { s.halt(true) })
	s.pause.Disable()
	s.cancel.Disable()
	return s
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
	s.bar.SetValue(1)
	s.start.Disable()
	s.pause.Disable()
	s.cancel.Disable()
	s.info.SetText(lang.L("Downloaded and verified (SHA-256): {{.Path}}", map[string]any{"Path": d.Path}))
	if s.onDone != nil {
		s.onDone(d)
	}
}

// progress arrives on the transfer's goroutine, throttled to 200 ms by the
// downloader; the widgets change on the UI goroutine.
func (s *downloadScreen) progress(ev setup.Event) {
	p := ev.Transfer
	if p == nil || p.Event != downloader.EventProgress || p.Total <= 0 {
		return
	}
	if s.onProgress != nil {
		defer s.onProgress()
	}
	frac := float64(p.Done) / float64(p.Total)
	s.a.onUI(func() {
		// Worded on the UI goroutine: a language switch there changes
		// the translations lang.L reads.
		s.bar.SetValue(frac)
		s.info.SetText(lang.L("{{.Done}} of {{.Total}} · {{.Rate}}/s · {{.Left}} left", map[string]any{
			"Done": catalog.ByteSize(p.Done).String(), "Total": catalog.ByteSize(p.Total).String(),
			"Rate": catalog.ByteSize(int64(p.Rate)).String(), "Left": p.ETA.Round(time.Second).String()}))
	})
}
