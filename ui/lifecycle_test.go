package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"onramp.dev/onramp/catalog"
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
	// Update is one action: check, download, install, where quill is.
	withRequirements(t, a, "quill", catalog.Requirements{})
	tap(a, card().update)
	if a.setup != nil {
		t.Fatal("Update opened the step-by-step screen")
	}
	if got := card().state.Text; got != "Installed 3.1.0" {
		t.Fatalf("after the update: %q (%s)", got, card().status.Text)
	}
	if got := card().status.Text; got != "Updated Quill Notes to 3.1.0." {
		t.Errorf("the card says %q", got)
	}
	target := filepath.Join(cfg.TargetRoot, "quill")
	if st, err := a.core.State(context.Background(), "quill"); err != nil || st.Target != target {
		t.Fatalf("the update went to %+v %v, want where quill is, %q", st, err, target)
	}

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

// A product updated from the window's card can be rolled back from it, in
// either language: the card offers the version kept, asks first (Cancel
// changes nothing), puts it back, and offers nothing while nothing is kept.
func TestProductsPageRollback(t *testing.T) {
	cases := []struct {
		language, offer, done, again string
	}{
		{"en", "Roll back to 3.0.2", "Rolled back Quill Notes to 3.0.2.", "Roll back to 3.1.0"},
		{"fr", "Revenir à la 3.0.2", "Quill Notes est revenu à la version 3.0.2.", "Revenir à la 3.1.0"},
	}
	for _, tc := range cases {
		t.Run(tc.language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, tc.language)
			t.Cleanup(func() { setLanguage("en") })
			a.win.Resize(fyne.NewSize(800, 600))
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			ctx := context.Background()
			installed := func() string {
				t.Helper()
				st, err := a.core.State(ctx, "quill")
				if err != nil {
					t.Fatal(err)
				}
				return st.InstalledVersion
			}
			if _, err := a.core.Install(ctx, "quill@3.0.2", ""); err != nil {
				t.Fatal(err)
			}
			act(a, a.refreshStates)
			if c := a.cards["quill"]; c.rollback != nil {
				t.Fatalf("nothing is kept, yet the card offers %q", c.rollback.Text)
			}
			if _, err := a.core.Update(ctx, "quill"); err != nil {
				t.Fatal(err)
			}
			act(a, a.refreshStates)
			c := a.cards["quill"]
			if c.rollback == nil || c.rollback.Text != tc.offer {
				t.Fatalf("after the update the card offers %v, want %q", c.rollback, tc.offer)
			}

			tap(a, c.rollback)
			if c.confirm == nil {
				t.Fatal("no confirmation")
			}
			tap(a, c.confirm.buttons[0]) // Cancel
			if v := installed(); v != "3.1.0" {
				t.Fatalf("after Cancel: %s installed", v)
			}

			tap(a, c.rollback)
			if got := c.confirm.buttons[1].Text; got != tc.offer {
				t.Errorf("the confirmation's button says %q, want %q", got, tc.offer)
			}
			tap(a, c.confirm.buttons[1])
			if v := installed(); v != "3.0.2" {
				t.Fatalf("after rolling back: %s installed (%s)", v, a.cards["quill"].status.Text)
			}
			c = a.cards["quill"]
			if c.status.Text != tc.done {
				t.Errorf("the card says %q, want %q", c.status.Text, tc.done)
			}
			if c.rollback == nil || c.rollback.Text != tc.again {
				t.Errorf("after the rollback the card offers %v, want %q (going forward again)", c.rollback, tc.again)
			}
			// The widest card: Update and the rollback both offered.
			if min := a.win.Content().MinSize(); min.Width > 800 {
				t.Errorf("the products page with an update and a rollback asks for %v", min)
			}

			tap(a, c.uninstall)
			tap(a, c.confirm.buttons[1])
			act(a, a.refreshStates)
			if c := a.cards["quill"]; c.rollback != nil {
				t.Errorf("uninstalled, yet the card offers %q", c.rollback.Text)
			}
		})
	}
}
