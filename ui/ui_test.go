package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/portal/web"
)

// demoAssistant opens the window against the real embedded account
// service on loopback, with a real SQLite file and the demo catalog.
func demoAssistant(t testing.TB, language string, options ...func(*Config)) (*Assistant, *web.Demo, Config) {
	t.Helper()
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	d, err := web.StartDemo(context.Background(), web.DemoOptions{Dir: t.TempDir(), SignedCatalog: assets.DemoSignedCatalog(), Catalog: c,
		Packages: assets.DemoPackageSource})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	client, err := account.NewWithTokens(d.URL, account.NewMemoryTokenStore())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := Config{
		Client: client,
		OpenCatalog: func(signed []byte) (*catalog.Catalog, error) {
			v, err := catalog.NewKeyring(assets.DemoPublicKey()).Open(signed, time.Now())
			if err != nil {
				return nil, err
			}
			return catalog.Parse(v.Payload)
		},
		CacheDir: filepath.Join(dir, "cache"), TargetRoot: filepath.Join(dir, "apps"), StateDir: filepath.Join(dir, "state"),
		Demo:     &Demo{Company: d.Company, UserID: d.ManagerID, Password: d.TempPassword, StartEmail: d.StartEmail},
		Language: language, CLI: "assistant --demo",
		// The tests change states themselves and read the screens once
		// Wait returns: no redraw of the watcher in between.
		WatchEvery: -1,
	}
	for _, o := range options {
		o(&cfg)
	}
	app := test.NewTempApp(t)
	a := New(app, cfg)
	w := a.Window()
	w.Resize(fyne.NewSize(1000, 700))
	t.Cleanup(w.Close)
	return a, d, cfg
}

// signInFirstTime taps through the first sign-in: the temporary password,
// then the forced new one.
func signInFirstTime(t testing.TB, a *Assistant, user, temp string) {
	t.Helper()
	s := a.signin
	typeText(a, s.user, user)
	typeText(a, s.password, temp)
	tap(a, s.signIn)
	a.Wait()
	if s.changeBox.Hidden || !s.formBox.Hidden {
		t.Fatalf("the first sign-in does not ask for a new password: %q", s.status.Text)
	}
	typeText(a, s.newPass, "a new and long passphrase")
	typeText(a, s.newAgain, "a new and long passphrase")
	tap(a, s.change)
	a.Wait()
	if a.me == nil || a.tabs == nil {
		t.Fatalf("not signed in: %q", s.status.Text)
	}
}

// The end user's whole path: sign in, products, check, download, install.
func TestEndUserPath(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en")
	// A wrong password first: said in words, and the form stays.
	typeText(a, a.signin.user, d.ManagerID)
	typeText(a, a.signin.password, "not the password")
	tap(a, a.signin.signIn)
	a.Wait()
	if !strings.Contains(a.signin.signInErr.Text(), "wrong") {
		t.Fatalf("wrong password: %q", a.signin.signInErr.Text())
	}
	act(a, func() { a.signin.password.SetText("") })
	act(a, func() { a.signin.user.SetText("") })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)

	if got := a.tabs.Items[0].Text; got != "Products" {
		t.Fatalf("first tab %q", got)
	}
	setup, ok := a.setupButtons["quill"]
	if !ok || setup.Disabled() {
		t.Fatal("no enabled set-up button for quill")
	}
	tap(a, setup)
	a.Wait()
	s := a.setup
	if s == nil || s.check.report == nil {
		t.Fatalf("no check report: %q", s.check.status.Text)
	}
	if len(s.check.items.Objects) != len(s.check.report.Items) || len(s.check.items.Objects) == 0 {
		t.Fatalf("%d rows for %d items", len(s.check.items.Objects), len(s.check.report.Items))
	}
	report := filepath.Join(t.TempDir(), "report.json")
	act(a, func() { s.check.saveReport(filepath.Join(t.TempDir(), "no such folder", "report.json")) })
	if !s.check.saveErr.Visible() || s.check.saved.Text != "" {
		t.Errorf("a failed export: %q, %q", s.check.saveErr.Text(), s.check.saved.Text)
	}
	act(a, func() { s.check.saveReport(report) })
	if s.check.saved.Text != "Report saved: "+report || s.check.saveErr.Visible() {
		t.Errorf("export not confirmed: %q", s.check.saved.Text)
	}
	if err := s.check.exportTo(report); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(report); !bytes.Contains(b, []byte(`"items"`)) {
		t.Fatalf("exported report: %s", b)
	}
	if s.download.start.Disabled() {
		t.Fatalf("download not offered after the check: %s", s.check.status.Text)
	}
	tap(a, s.download.start)
	a.Wait()
	if s.install.path == "" || s.download.bar.Value != 1 {
		t.Fatalf("download: %q", s.download.info.Text)
	}
	if !strings.Contains(s.install.plan.Text, "Plan: install Quill Notes") || s.install.install.Disabled() {
		t.Fatalf("plan: %q", s.install.plan.Text)
	}
	tap(a, s.install.install)
	a.Wait()
	if !strings.Contains(s.install.done.Text, "is installed in") || !strings.Contains(s.install.done.Text, "Start it:") {
		t.Fatalf("install: %q", s.install.done.Text)
	}
	in, err := installer.New(installer.Options{StateDir: cfg.StateDir})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := in.Verify(context.Background(), "quill"); err != nil || !rep.OK() {
		t.Fatalf("the installed tree does not verify: %v %+v", err, rep)
	}
	// The CLI equivalent of the install, for IT.
	test.Tap(cliButtonIn(t, s.install.content()))
	if !strings.HasPrefix(a.lastCLI, "assistant --demo install --product quill@") {
		t.Fatalf("CLI: %q", a.lastCLI)
	}
}

// cliButtonIn finds the "CLI command" button of a screen.
func cliButtonIn(t *testing.T, o fyne.CanvasObject) *widget.Button {
	t.Helper()
	return buttonIn(t, o, "CLI command")
}

// buttonIn finds a button of a screen by its text.
func buttonIn(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Button:
			if w.Text == text {
				found = w
			}
		case *button:
			if w.Text == text {
				found = &w.Button
			}
		case *fyne.Container:
			for _, child := range w.Objects {
				walk(child)
			}
		case *widget.Accordion:
			for _, it := range w.Items {
				walk(it.Detail)
			}
		case *widget.Form:
			for _, it := range w.Items {
				walk(it.Widget)
			}
		case *container.Scroll:
			walk(w.Content)
		case *container.AppTabs:
			if it := w.Selected(); it != nil {
				walk(it.Content)
			}
		case *container.Split:
			walk(w.Leading)
			walk(w.Trailing)
		}
	}
	walk(o)
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}

// The test goroutine plays the UI goroutine: its taps and typing take the
// same turn (onUI) as the screens' background results, and tap waits for
// the work a tap starts.
func tap(a *Assistant, b fyne.Tappable) {
	a.onUI(func() { test.Tap(b) })
	a.Wait()
}

func typeText(a *Assistant, e fyne.Focusable, s string) { a.onUI(func() { test.Type(e, s) }) }

func act(a *Assistant, f func()) {
	a.onUI(f)
	a.Wait()
}

// Pause keeps the partial file and Resume continues it; Cancel deletes it.
// The download is capped at 32 KB/s so that it is still running when the
// buttons are pressed.
func TestDownloadPauseResumeCancel(t *testing.T) {
	a, d, _ := demoAssistant(t, "en", func(c *Config) { c.RateLimit = 32 << 10 })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.setupButtons["quill"])
	s := a.setup.download
	progressed := make(chan struct{}, 1)
	s.onProgress = func() {
		select {
		case progressed <- struct{}{}:
		default:
		}
	}
	waitProgress := func() {
		t.Helper()
		select {
		case <-progressed:
		case <-time.After(30 * time.Second):
			t.Fatalf("no progress report: %q", s.info.Text)
		}
	}
	start := func() { a.onUI(func() { test.Tap(s.start) }) } // returns while the download runs

	start()
	waitProgress()
	tap(a, s.pause)
	part, err := os.Stat(s.dest + ".part")
	if err != nil || part.Size() == 0 || s.start.Text != "Resume" || !strings.Contains(s.info.Text, "Paused") {
		t.Fatalf("after pause: %v, button %q, %q", err, s.start.Text, s.info.Text)
	}
	start()
	waitProgress()
	waitProgress()
	tap(a, s.pause)
	again, err := os.Stat(s.dest + ".part")
	if err != nil || again.Size() <= part.Size() {
		t.Fatalf("resume did not continue the partial file: %v, %d then %d bytes", err, part.Size(), again.Size())
	}
	start()
	waitProgress()
	// Cancel asks first: the bytes received stay until the person says
	// (the download goes on meanwhile: no Wait).
	a.onUI(func() { test.Tap(s.cancel) })
	if _, err := os.Stat(s.dest + ".part"); err != nil || s.confirm == nil {
		t.Fatalf("Cancel deleted the partial file without asking (%v)", err)
	}
	tap(a, s.confirm.buttons[1])
	for _, f := range []string{s.dest + ".part", s.dest + ".part.meta", s.dest} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is left after cancel", f)
		}
	}
	if s.start.Text != "Download" || s.start.Disabled() || !s.pause.Disabled() {
		t.Errorf("after cancel: button %q (disabled %v), pause disabled %v", s.start.Text, s.start.Disabled(), s.pause.Disabled())
	}
}

// Cancel stays offered while a download is paused, and deletes the
// partial file then.
func TestCancelWhilePaused(t *testing.T) {
	a, d, _ := demoAssistant(t, "en", func(c *Config) { c.RateLimit = 32 << 10 })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.setupButtons["quill"])
	s := a.setup.download
	progressed := make(chan struct{}, 1)
	s.onProgress = func() {
		select {
		case progressed <- struct{}{}:
		default:
		}
	}
	a.onUI(func() { test.Tap(s.start) })
	select {
	case <-progressed:
	case <-time.After(30 * time.Second):
		t.Fatalf("no progress report: %q", s.info.Text)
	}
	tap(a, s.pause)
	if _, err := os.Stat(s.dest + ".part"); err != nil || s.cancel.Disabled() {
		t.Fatalf("paused: %v, cancel offered %v", err, !s.cancel.Disabled())
	}
	tap(a, s.cancel)
	if _, err := os.Stat(s.dest + ".part"); err != nil || s.confirm == nil {
		t.Fatalf("Cancel deleted the paused download without asking (%v)", err)
	}
	tap(a, s.confirm.buttons[0]) // Keep downloading: nothing goes
	if _, err := os.Stat(s.dest + ".part"); err != nil {
		t.Fatalf("kept, yet: %v", err)
	}
	tap(a, s.cancel)
	tap(a, s.confirm.buttons[1])
	for _, f := range []string{s.dest + ".part", s.dest + ".part.meta"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is left after a cancel while paused", f)
		}
	}
	if s.start.Text != "Download" || s.start.Disabled() || !s.cancel.Disabled() {
		t.Errorf("after cancel: start %q (enabled %v), cancel enabled %v", s.start.Text, !s.start.Disabled(), !s.cancel.Disabled())
	}
}
