package ui

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/setup"
)

// withRequirements sets a product's newest release's requirements for this
// computer's platform, in the catalog the window and its core share: the
// check's verdict does not depend on the machine the tests run on.
func withRequirements(t *testing.T, a *Assistant, product string, req catalog.Requirements) {
	t.Helper()
	var p *catalog.Product
	a.onUI(func() { p, _ = a.cat.Product(product) })
	if p == nil {
		t.Fatalf("no %s in the catalog", product)
	}
	p.Latest().Requirements[a.cfg.Platform] = req
}

// notify is a channel a test hook signals without blocking.
func notify() (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	return ch, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// await waits for a hook's signal, at most 30 s.
func await(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s within 30 s", what)
	}
}

// Install on a card is one action: it checks, downloads and installs with
// one line and one bar, Pause while downloading, and one Cancel, and
// ends with the product installed and said so, in either language.
func TestOneActionInstalls(t *testing.T) {
	cases := []struct {
		language, check, download, install, done string
	}{
		{"en", "Checking this computer…", "Downloading: ", "Installing…", "Installed Quill Notes 3.1.0 in "},
		{"fr", "Vérification de cet ordinateur…", "Téléchargement : ", "Installation…", "Quill Notes 3.1.0 est installé dans "},
	}
	for _, tc := range cases {
		t.Run(tc.language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, tc.language, func(c *Config) { c.RateLimit = 256 << 10 })
			t.Cleanup(func() { setLanguage("en") })
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			withRequirements(t, a, "quill", catalog.Requirements{})
			c := a.cards["quill"]
			var lines []string
			pauseShown := false
			a.runProgress = func(ev setup.Event) {
				a.onUI(func() {
					c := a.cards["quill"]
					if n := len(lines); n == 0 || lines[n-1] != c.line.Text {
						lines = append(lines, c.line.Text)
					}
					if ev.Step == setup.StepDownload && c.pause.Visible() && c.cancel.Visible() && c.progress.Visible() {
						pauseShown = true
					}
				})
			}
			tap(a, c.install)
			c = a.cards["quill"]
			if c.state.Text == "" || !strings.HasPrefix(c.status.Text, tc.done) {
				t.Fatalf("after Install: %q, %q (lines %q)", c.state.Text, c.status.Text, lines)
			}
			st, err := a.core.State(context.Background(), "quill")
			if err != nil || st.State != setup.Installed {
				t.Fatalf("the core says %+v %v", st, err)
			}
			want := []string{tc.check, tc.download, tc.install}
			i := 0
			for _, l := range lines {
				if i < len(want) && strings.HasPrefix(l, want[i]) {
					i++
				}
			}
			if i < len(want) {
				t.Errorf("the line said %q; want, in order, %q", lines, want)
			}
			if !pauseShown {
				t.Error("no Pause and Cancel beside the line while downloading")
			}
			if c.progress.Visible() || c.cancel.Visible() || c.pause.Visible() {
				t.Error("the progress line and its buttons stay after the install")
			}
		})
	}
}

// A check that fails stops the action before any byte, with the reason on
// the card, and Install stays pressable (to check again): no greyed button
// without a reason. "Install anyway" is offered only where what is not
// met is a recommendation, and pressing it installs.
func TestOneActionStopsOnFailedCheck(t *testing.T) {
	const huge = catalog.ByteSize(900 << 40)
	cases := []struct {
		name, language string
		req            catalog.Requirements
		says, reason   string
		anyway         bool
		refused        string // beside the greyed Download of the steps one by one
	}{
		{"unmet-en", "en", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: huge}},
			"This computer does not meet the requirements of Quill Notes, so nothing was downloaded:", "Memory: fails", false,
			"Not offered: this computer does not meet the requirements checked above."},
		{"unmet-fr", "fr", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: huge}},
			"Cet ordinateur ne remplit pas les conditions requises par Quill Notes ; rien n'a été téléchargé :", "Mémoire : non conforme", false,
			"Non proposé : cet ordinateur ne remplit pas les conditions vérifiées ci-dessus."},
		{"recommendation-en", "en", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: 1, Recommended: huge}},
			"This computer meets the requirements of Quill Notes with reservations", "Memory: passes, with a recommendation", true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, d, _ := demoAssistant(t, tc.language)
			t.Cleanup(func() { setLanguage("en") })
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			withRequirements(t, a, "quill", tc.req)
			tap(a, a.cards["quill"].install)
			c := a.cards["quill"]
			if !strings.HasPrefix(c.status.Text, tc.says) {
				t.Errorf("the card says %q, want %q", c.status.Text, tc.says)
			}
			if !c.reasons.Visible() || !strings.Contains(textOf(c.reasons), tc.reason) {
				t.Errorf("the reasons on the card: visible %v, %q; want %q", c.reasons.Visible(), textOf(c.reasons), tc.reason)
			}
			if c.install.Disabled() {
				t.Error("Install is greyed after the check")
			}
			if c.anyway.Visible() != tc.anyway {
				t.Errorf("Install anyway shown: %v, want %v", c.anyway.Visible(), tc.anyway)
			}
			rel, err := a.core.Find("quill", "")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{a.core.PackagePath(rel), a.core.PackagePath(rel) + ".part"} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("%s is there though the check stopped the install", f)
				}
			}
			if !tc.anyway {
				// The steps one by one: Download greyed, with the reason beside it.
				tap(a, a.setupButtons["quill"])
				if s := a.setup.download; !s.start.Disabled() || s.info.Text != tc.refused {
					t.Errorf("the download step after the failed check: greyed %v, %q; want %q", s.start.Disabled(), s.info.Text, tc.refused)
				}
				return
			}
			tap(a, c.anyway)
			c = a.cards["quill"]
			if st, err := a.core.State(context.Background(), "quill"); err != nil || st.State != setup.Installed {
				t.Fatalf("after Install anyway: %+v %v (%q)", st, err, c.status.Text)
			}
			if c.reasons.Visible() || c.anyway.Visible() {
				t.Error("the reasons stay after the install")
			}
		})
	}
}

// textOf joins the texts of the labels in a container, depth first.
func textOf(o fyne.CanvasObject) string {
	var parts []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			parts = append(parts, w.Text)
		case *fyne.Container:
			for _, child := range w.Objects {
				walk(child)
			}
		}
	}
	walk(o)
	return strings.Join(parts, " ")
}

// A product installed, updated or removed outside the window (the command
// line, through the same core on the same folders) shows its new state on
// its card without a restart.
func TestCardFollowsChangesOutside(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en", func(c *Config) { c.WatchEvery = 20 * time.Millisecond })
	t.Cleanup(func() {
		a.cancel()        // what closing the window does
		a.watchers.Wait() // before the test's folders go
	})
	watched, hook := notify()
	a.onWatched = hook
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	ctx := context.Background()
	var cli *setup.Setup
	a.onUI(func() {
		cli = setup.New(a.core.Source(), setup.Options{CacheDir: cfg.CacheDir, StateDir: cfg.StateDir, TargetRoot: cfg.TargetRoot})
	})
	state := func() string {
		var s string
		a.onUI(func() { s = a.cards["quill"].state.Text })
		return s
	}
	steps := []struct {
		name string
		act  func() error
		want string
	}{
		{"install", func() error { _, err := cli.Install(ctx, "quill@3.0.2", ""); return err }, "Update to 3.1.0"},
		{"update", func() error { _, err := cli.Update(ctx, "quill"); return err }, "Installed 3.1.0"},
		{"uninstall", func() error { _, err := cli.Uninstall(ctx, "quill"); return err }, "Not installed (downloaded)"},
	}
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for i := 0; state() != st.want; i++ {
			if i == 50 {
				t.Fatalf("after the %s outside the window the card says %q, want %q", st.name, state(), st.want)
			}
			await(t, watched, "redraw of the products after the "+st.name)
		}
	}
}

// After a restart, a download interrupted before shows its bytes and
// Resume, on the card and on the step-by-step screen, rather than 0 %;
// Resume on the card finishes it and installs.
func TestInterruptedDownloadAfterRestart(t *testing.T) {
	cases := []struct {
		language, resume, of string
	}{
		{"en", "Resume", " downloaded"},
		{"fr", "Reprendre", " téléchargés"},
	}
	for _, tc := range cases {
		t.Run(tc.language, func(t *testing.T) {
			a, d, cfg := demoAssistant(t, tc.language, func(c *Config) { c.RateLimit = 32 << 10 })
			t.Cleanup(func() { setLanguage("en") })
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			withRequirements(t, a, "quill", catalog.Requirements{})
			// A download stopped after its first bytes, as a crash leaves it.
			var core *setup.Setup
			a.onUI(func() { core = a.core })
			dl, stop := context.WithCancel(context.Background())
			_, err := core.WithProgress(func(ev setup.Event) {
				if ev.Step == setup.StepDownload && ev.Done > 0 {
					stop()
				}
			}).Download(dl, "quill", "")
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the first download: %v", err)
			}
			rel, err := core.Find("quill", "")
			if err != nil {
				t.Fatal(err)
			}
			kept := core.Partial(rel)
			if kept == nil {
				t.Fatal("nothing kept")
			}
			want := keptText(kept)
			if !strings.HasSuffix(want, tc.of) {
				t.Fatalf("the words: %q", want)
			}

			// The next start of the window, on the same folders.
			cfg.SignedIn, cfg.RateLimit = true, 0
			b := New(a.app, cfg)
			t.Cleanup(b.Window().Close)
			b.Wait()
			c := b.cards["quill"]
			if c == nil {
				t.Fatal("no quill card after the restart")
			}
			frac := float64(kept.Bytes) / float64(kept.Total)
			if c.line.Text != want || !c.progress.Visible() || c.install.Text != tc.resume || c.bar.Value != frac || !c.cancel.Visible() {
				t.Errorf("the card after a restart: %q (visible %v), bar %v, button %q; want %q, %v, %q",
					c.line.Text, c.progress.Visible(), c.bar.Value, c.install.Text, want, frac, tc.resume)
			}
			tap(b, b.setupButtons["quill"])
			s := b.setup.download
			if s.info.Text != want || s.start.Text != tc.resume || s.bar.Value != frac || s.cancel.Disabled() {
				t.Errorf("the download step after a restart: %q, bar %v, button %q; want %q, %v, %q", s.info.Text, s.bar.Value, s.start.Text, want, frac, tc.resume)
			}
			act(b, b.closeSetup)
			tap(b, b.cards["quill"].install)
			if st, err := b.core.State(context.Background(), "quill"); err != nil || st.State != setup.Installed || st.Partial != nil {
				t.Fatalf("after Resume: %+v %v (%q)", st, err, b.cards["quill"].status.Text)
			}
		})
	}
}

// Cancel on a card asks before it deletes what a download received (the
// download goes on meanwhile, and "Keep downloading" changes nothing);
// a paused download is deleted only after asking, too.
func TestOneActionCancelAsks(t *testing.T) {
	a, d, _ := demoAssistant(t, "en", func(c *Config) { c.RateLimit = 32 << 10 })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	withRequirements(t, a, "quill", catalog.Requirements{})
	received, hook := notify()
	a.runProgress = func(ev setup.Event) {
		if ev.Step == setup.StepDownload && ev.Done > 0 {
			hook()
		}
	}
	rel, err := a.core.Find("quill", "")
	if err != nil {
		t.Fatal(err)
	}
	part := a.core.PackagePath(rel) + ".part"
	a.onUI(func() { test.Tap(a.cards["quill"].install) }) // returns while it runs
	await(t, received, "downloaded bytes")
	c := a.cards["quill"]
	a.onUI(func() { test.Tap(c.cancel) })
	if c.confirm == nil {
		t.Fatal("Cancel asked nothing")
	}
	if _, err := os.Stat(part); err != nil {
		t.Fatalf("before the answer: %v", err)
	}
	a.onUI(func() { test.Tap(c.confirm.buttons[0]) }) // Keep downloading
	await(t, received, "bytes after Keep downloading")
	a.onUI(func() { test.Tap(c.pause) })
	a.Wait()
	c = a.cards["quill"]
	if _, err := os.Stat(part); err != nil || c.install.Text != "Resume" || !c.cancel.Visible() {
		t.Fatalf("paused: %v, button %q, cancel shown %v (%q)", err, c.install.Text, c.cancel.Visible(), c.status.Text)
	}
	tap(a, c.cancel)
	if c.confirm == nil {
		t.Fatal("Cancel of a paused download asked nothing")
	}
	if _, err := os.Stat(part); err != nil {
		t.Fatalf("before the answer: %v", err)
	}
	tap(a, c.confirm.buttons[1])
	c = a.cards["quill"]
	if _, err := os.Stat(part); err == nil || c.progress.Visible() || c.install.Text != "Install" {
		t.Errorf("after Delete the download: %v, line shown %v, button %q", err, c.progress.Visible(), c.install.Text)
	}
	if c.status.Text != "Cancelled; the partial file was deleted." {
		t.Errorf("the card says %q", c.status.Text)
	}

	// While it downloads: the confirmed cancel stops it and deletes.
	a.onUI(func() { test.Tap(a.cards["quill"].install) })
	await(t, received, "downloaded bytes")
	c = a.cards["quill"]
	a.onUI(func() { test.Tap(c.cancel) })
	tap(a, c.confirm.buttons[1])
	c = a.cards["quill"]
	if _, err := os.Stat(part); err == nil || c.status.Text != "Cancelled; the partial file was deleted." {
		t.Errorf("after cancelling a running download: %v, %q", err, c.status.Text)
	}
}
