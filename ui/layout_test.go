package ui

import (
	"fmt"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Every screen fits 800×600 in both languages: no tab asks the window for
// more (the Deployment tab once widened it to 1,352 px in French).
func TestEveryScreenFits800x600(t *testing.T) {
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, language)
			t.Cleanup(func() { setLanguage("en") })
			a.win.Resize(fyne.NewSize(800, 600))
			if min := a.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
				t.Errorf("sign-in asks for %v", min)
			}
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			for _, tab := range []string{"products", "users", "callers", "deploy", "profile", "support", "faq"} {
				act(a, func() { a.selectTab(tab) })
				if min := a.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
					t.Errorf("%s asks for %v", tab, min)
				}
			}
			tap(a, a.setupButtons["quill"])
			if min := a.win.Content().MinSize(); min.Width > 800 || min.Height > 600 {
				t.Errorf("the setup of quill asks for %v", min)
			}
		})
	}
}

// The language and theme menus show their longest option whole.
func TestMenusNotCut(t *testing.T) {
	for _, language := range []string{"en", "fr"} {
		a, _, _ := demoAssistant(t, language)
		t.Cleanup(func() { setLanguage("en") })
		var selects []*widget.Select
		walkObjects(a.win.Content(), func(o fyne.CanvasObject) {
			if s, ok := o.(*widget.Select); ok {
				selects = append(selects, s)
			}
		})
		if len(selects) < 2 {
			t.Fatalf("%s: %d menus", language, len(selects))
		}
		for _, s := range selects {
			for _, opt := range s.Options {
				if w := fyne.MeasureText(opt, theme.TextSize(), fyne.TextStyle{}).Width; s.Size().Width < w+2*theme.InnerPadding() {
					t.Errorf("%s: %q is cut in a menu %v wide", language, opt, s.Size().Width)
				}
			}
		}
	}
}

// The first field has the keyboard at launch, and on the profile.
func TestFirstFieldFocused(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	if got := a.win.Canvas().Focused(); got != a.signin.user {
		t.Errorf("at launch the focus is on %T, want the user ID", got)
	}
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.selectTab("profile") })
	if got := a.win.Canvas().Focused(); got != a.profile.name {
		t.Errorf("on the profile the focus is on %T, want the name", got)
	}
}

// A tab shown again reads its data again after a change on another tab:
// a user added on the users tab appears on the callers tab without
// signing out.
func TestTabShowsFreshData(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.tabs.SelectIndex(2) }) // callers
	before := len(a.callers.users)
	act(a, func() { a.tabs.SelectIndex(1) })
	typeText(a, a.users.email, "late.comer@example.com")
	tap(a, buttonIn(t, a.win.Content(), "Add the user"))
	act(a, func() { a.tabs.SelectIndex(2) })
	if len(a.callers.users) != before+1 || len(a.users.users) != before+1 {
		t.Errorf("callers tab %d users, users tab %d, want %d", len(a.callers.users), len(a.users.users), before+1)
	}
}

// The seats used, on the products tab, count again after the window
// changes users: a user added with a product holds one more seat.
func TestSeatCountsFollowChanges(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	a.Wait()
	seats := func() string { return a.cards["quill"].seats.Text }
	before := seats()
	used := func(text string) (n int) {
		fmt.Sscanf(text[strings.Index(text, "· ")+len("· "):], "%d", &n)
		return n
	}
	if !strings.Contains(before, "seats used") {
		t.Fatalf("no seats used on the card: %q", before)
	}
	act(a, func() { a.tabs.SelectIndex(1) })
	typeText(a, a.users.email, "late.comer@example.com")
	act(a, func() { a.users.addProducts.SetSelected([]string{a.productName("quill")}) })
	tap(a, buttonIn(t, a.win.Content(), "Add the user"))
	act(a, func() { a.tabs.SelectIndex(0) })
	if got := seats(); used(got) != used(before)+1 {
		t.Errorf("after adding a user with the product: %q, was %q", got, before)
	}
}

// A tab's screen is painted again without a refresh when shown again,
// unless the theme changed while it was hidden: then it shows the new
// theme's colours, not the old ones.
func TestHiddenTabFollowsTheme(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	act(a, func() { applyTheme(a.app, "light") })
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	heading := func() color.Color {
		var c color.Color
		walkObjects(a.win.Content(), func(o fyne.CanvasObject) {
			if txt, ok := o.(*canvas.Text); ok && txt.Text == "Users of the contract" {
				c = txt.Color
			}
		})
		if c == nil {
			t.Fatal("no users heading on screen")
		}
		return c
	}
	act(a, func() { a.tabs.SelectIndex(1) })
	light := heading()
	act(a, func() { a.tabs.SelectIndex(0) })
	act(a, func() { applyTheme(a.app, "dark") })
	act(a, func() { a.tabs.SelectIndex(1) })
	if dark := heading(); dark == light {
		t.Errorf("the users tab kept the light theme's heading colour %v after the switch to dark", hex(light))
	}
}

// Switching tabs gives the keyboard to the shown screen's first field,
// and never leaves it on a screen no longer shown.
func TestTabSwitchMovesFocus(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	focused := func() fyne.Focusable {
		var f fyne.Focusable
		a.onUI(func() { f = a.win.Canvas().Focused() })
		return f
	}
	act(a, func() { a.tabs.SelectIndex(1) })
	if f := focused(); f != fyne.Focusable(a.users.table.search) {
		t.Errorf("users tab: the keyboard is on %T, want the search field", f)
	}
	act(a, func() { a.tabs.SelectIndex(0) })
	if f := focused(); f == fyne.Focusable(a.users.table.search) {
		t.Error("products tab: the keyboard stayed on the hidden users search")
	}
	act(a, func() { a.tabs.SelectIndex(2) })
	if f := focused(); f != fyne.Focusable(a.callers.table.search) {
		t.Errorf("callers tab: the keyboard is on %T, want the search field", f)
	}
	act(a, func() { a.tabs.SelectIndex(1) })
	if f := focused(); f != fyne.Focusable(a.users.table.search) {
		t.Errorf("users tab again: the keyboard is on %T, want the search field", f)
	}
}

// Ctrl+N (Cmd+N on macOS) chooses the Nth tab: the tab buttons take no
// keyboard focus, so this is how the keyboard reaches every screen.
func TestTabShortcuts(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	for i := range a.tabs.Items {
		key := &desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1)), Modifier: fyne.KeyModifierShortcutDefault}
		act(a, func() { a.win.Canvas().(fyne.Shortcutable).TypedShortcut(key) })
		if got := a.tabs.SelectedIndex(); got != i {
			t.Errorf("%s: tab %d (%s) selected, want %d (%s)", key.ShortcutName(), got, a.tabs.Items[got].Text, i, a.tabs.Items[i].Text)
		}
	}
}
