package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/setup"
)

// The products page shows each product's state here and acts on it, as
// the CLI's `products` and `update` do: quill is installed at an older
// release, shown as "Update to", updated, then verified, damaged,
// repaired, opened, and uninstalled after a confirmation that lists the
// file the user added.
func TestProductsPageLifecycle(t *testing.T) {
	a, d, cfg := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	card := func() *productCard {
		t.Helper()
		c, ok := a.cards["quill"]
		if !ok {
			t.Fatal("no quill card")
		}
		return c
	}
	if got := card().state.Text; got != "Not installed" {
		t.Fatalf("before anything: %q", got)
	}

	// An older release, installed through the same core (as the CLI would).
	if _, err := a.core.Install(context.Background(), "quill@3.0.2", ""); err != nil {
		t.Fatal(err)
	}
	act(a, a.refreshStates)
	if got := card().state.Text; got != "Update to 3.1.0" {
		t.Fatalf("after installing 3.0.2: %q", got)
	}
	tap(a, card().update)
	s := a.setup
	if s == nil || s.download.start.Disabled() {
		t.Fatalf("update: no download offered: %v", s != nil && s.check.report != nil)
	}
	if want := filepath.Join(cfg.TargetRoot, "quill"); s.install.target.Text != want {
		t.Fatalf("the update goes to %q, want where quill is, %q", s.install.target.Text, want)
	}
	tap(a, s.download.start)
	tap(a, s.install.install)
	if !strings.Contains(s.install.done.Text, "quill") && !strings.Contains(s.install.done.Text, "Quill") {
		t.Fatalf("update: %q", s.install.done.Text)
	}
	act(a, a.closeSetup)
	if got := card().state.Text; got != "Installed 3.1.0" {
		t.Fatalf("after the update: %q", got)
	}

	target := filepath.Join(cfg.TargetRoot, "quill")
	tap(a, card().verify)
	if !strings.Contains(card().status.Text, "files are as installed") {
		t.Fatalf("verify: %q", card().status.Text)
	}
	entries, _ := os.ReadDir(filepath.Join(target, "bin"))
	if len(entries) == 0 {
		t.Fatal("nothing installed in bin")
	}
	os.Remove(filepath.Join(target, "bin", entries[0].Name()))
	act(a, a.refreshStates)
	if got := card().state.Text; !strings.Contains(got, "damaged") {
		t.Fatalf("after removing a file: %q", got)
	}
	tap(a, card().repair)
	if got := card().state.Text; got != "Installed 3.1.0" {
		t.Fatalf("after the repair: %q (%s)", got, card().status.Text)
	}

	if card().open.Disabled() {
		t.Fatal("Open is disabled for an installed product with an entry point")
	}

	os.WriteFile(filepath.Join(target, "my-notes.txt"), []byte("mine"), 0o644)
	tap(a, card().uninstall)
	c := card()
	if c.confirm == nil {
		t.Fatalf("no confirmation: %q", c.status.Text)
	}
	tap(a, c.confirm.buttons[1])
	if got := card().state.Text; got != "Not installed (downloaded)" {
		t.Fatalf("after uninstall: %q (%s)", got, c.status.Text)
	}
	if b, err := os.ReadFile(filepath.Join(target, "my-notes.txt")); err != nil || string(b) != "mine" {
		t.Fatalf("the user's file: %q %v", b, err)
	}
	st, err := a.core.State(context.Background(), "quill")
	if err != nil || st.State != setup.Downloaded {
		t.Fatalf("after uninstall, the core says %+v %v; want downloaded (the package stays in the cache)", st, err)
	}
}

// A download that finished while the user was on another tab shows as
// done when they come back, and so does one found in the cache.
func TestFinishedDownloadShowsDone(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	tap(a, a.setupButtons["quill"])
	s := a.setup
	a.onUI(func() { s.download.run() }) // returns while it runs
	act(a, a.closeSetup)
	act(a, func() { a.selectTab("profile") })
	a.Wait() // the download ends while the profile is on show
	act(a, func() { a.selectTab("products") })
	tap(a, a.setupButtons["quill"])
	if a.setup != s || s.download.bar.Value != 1 || !strings.Contains(s.download.info.Text, "Downloaded and verified") {
		t.Fatalf("coming back: same screen %v, bar %v, %q", a.setup == s, s.download.bar.Value, s.download.info.Text)
	}

	// A new window (the next start of the assistant) finds it in the cache.
	delete(a.setups, "quill")
	act(a, a.closeSetup)
	tap(a, a.setupButtons["quill"])
	if a.setup == s || a.setup.download.bar.Value != 1 || a.setup.install.path == "" {
		t.Fatalf("from the cache: bar %v, %q", a.setup.download.bar.Value, a.setup.download.info.Text)
	}
}
