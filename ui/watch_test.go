package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"onramp.dev/onramp/setup"
)

// outside opens the window with the watcher looking every `every`, signs
// in, and gives the core the command line would use on the same folders.
func outside(t *testing.T, every time.Duration) (*Assistant, *setup.Setup, chan struct{}) {
	t.Helper()
	a, d, cfg := demoAssistant(t, "en", func(c *Config) { c.WatchEvery = every })
	t.Cleanup(func() {
		a.cancel()        // what closing the window does
		a.watchers.Wait() // before the test's folders go
	})
	watched, hook := notify()
	a.onWatched = hook
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	var cli *setup.Setup
	a.onUI(func() {
		cli = setup.New(a.core.Source(), setup.Options{CacheDir: cfg.CacheDir, StateDir: cfg.StateDir, TargetRoot: cfg.TargetRoot})
	})
	return a, cli, watched
}

// untilShown reads what (on the UI goroutine) until it holds want,
// waiting for the watcher's redraws in between (at most 50 of them).
func untilShown(t *testing.T, a *Assistant, watched chan struct{}, what string, read func() string, want func(string) bool) {
	t.Helper()
	for i := 0; ; i++ {
		a.Wait() // a plan made again is made in the background
		var got string
		a.onUI(func() { got = read() })
		if want(got) {
			return
		}
		if i == 50 {
			t.Fatalf("%s: %q", what, got)
		}
		await(t, watched, "redraw for "+what)
	}
}

// Coming back to the window (it enters the foreground) shows at once what
// the command line changed meanwhile, without waiting for the next look:
// here the next look is an hour away.
func TestForegroundShowsChangesOutside(t *testing.T) {
	a, cli, watched := outside(t, time.Hour)
	if _, err := cli.Install(context.Background(), "quill@3.0.2", ""); err != nil {
		t.Fatal(err)
	}
	foreground := a.app.Lifecycle().(interface{ OnEnteredForeground() func() }).OnEnteredForeground()
	if foreground == nil {
		t.Fatal("the window does not follow the app entering the foreground")
	}
	foreground()
	await(t, watched, "redraw on entering the foreground")
	var state string
	a.onUI(func() { state = a.cards["quill"].state.Text })
	if state != "Update to 3.1.0" {
		t.Errorf("back in the window, the card says %q", state)
	}
}

// The step-by-step screen, open, follows what the command line does to
// its product: its state line, a download finished outside (taken as its
// own, with the plan), and the plan made again when a receipt appears or
// goes.
func TestSetupFollowsChangesOutside(t *testing.T) {
	a, cli, watched := outside(t, 20*time.Millisecond)
	ctx := context.Background()
	tap(a, a.setupButtons["quill"])
	var s *setupScreen
	a.onUI(func() { s = a.setup })
	if s == nil {
		t.Fatal("no step-by-step screen")
	}
	state := func() string { return s.state.Text }
	plan := func() string { return s.install.plan.Text }
	if got := state(); got != "Not installed" {
		t.Fatalf("at first the screen says %q", got)
	}

	if _, err := cli.Install(ctx, "quill@3.0.2", ""); err != nil {
		t.Fatal(err)
	}
	untilShown(t, a, watched, "the state after an install outside", state, func(s string) bool { return s == "Update to 3.1.0" })

	var before fyne.Focusable
	a.onUI(func() { before = a.win.Canvas().Focused() })
	if _, err := cli.Download(ctx, "quill", ""); err != nil {
		t.Fatal(err)
	}
	untilShown(t, a, watched, "the download step after a download outside", func() string { return s.download.info.Text },
		func(s string) bool { return strings.HasPrefix(s, "Downloaded and verified") })
	untilShown(t, a, watched, "the plan after a download outside", plan, func(s string) bool { return strings.Contains(s, "Replaces version 3.0.2") })
	// The keyboard stays where the person left it: the change was not
	// theirs.
	a.onUI(func() {
		if got := a.win.Canvas().Focused(); got != before {
			t.Errorf("a download outside moved the keyboard from %s to %s", describe(before), describe(got))
		}
	})

	if _, err := cli.Uninstall(ctx, "quill"); err != nil {
		t.Fatal(err)
	}
	untilShown(t, a, watched, "the state after an uninstall outside", state, func(s string) bool { return s == "Not installed (downloaded)" })
	untilShown(t, a, watched, "the plan after an uninstall outside", plan, func(s string) bool {
		return strings.HasPrefix(s, "Plan: install Quill Notes 3.1.0") && !strings.Contains(s, "Replaces")
	})
	// The screen is still the step-by-step one, not the products page.
	a.onUI(func() {
		if a.setup != s {
			t.Error("the change outside closed the step-by-step screen")
		}
	})
}
