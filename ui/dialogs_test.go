package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/portal/web"
	"onramp.dev/onramp/setup"
)

// inOverlay reports whether f is drawn in the canvas's top overlay (the
// dialog shown).
func inOverlay(c fyne.Canvas, f fyne.Focusable) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	found := false
	walkObjects(top, func(o fyne.CanvasObject) {
		if o == f.(fyne.CanvasObject) {
			found = true
		}
	})
	return found
}

// focusedRing is the dialog button that has the keyboard, with the colour
// of its ring; it fails the test when no button of the dialog has the
// keyboard or its ring is not in its text colour.
func focusedRing(t *testing.T, a *Assistant) *button {
	t.Helper()
	c := a.win.Canvas()
	f := c.Focused()
	if f == nil || !inOverlay(c, f) {
		t.Fatalf("no button of the dialog has the keyboard (focused: %T)", f)
	}
	r, ok := test.WidgetRenderer(f.(fyne.Widget)).(*ringRenderer)
	if !ok {
		t.Fatalf("the dialog's focused %T draws no ring", f)
	}
	b := r.b
	want := a.app.Settings().Theme().Color(focusRingColor(b.Importance), a.app.Settings().ThemeVariant())
	if r.ring.StrokeColor != want {
		t.Fatalf("focused %q: ring %v, want its text colour %v", b.Text, r.ring.StrokeColor, want)
	}
	return b
}

func press(a *Assistant, key fyne.KeyName) {
	act(a, func() { a.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: key}) })
}

// Every dialog of the window (confirmations, errors, the CLI command) opens
// with its first button focused, and that button draws its focus ring:
// Fyne's own dialog buttons only tint, which does not differ 3:1 from the
// unfocused button (WCAG 2.4.13). Escape cancels; Tab then Enter confirms.
func TestDialogButtonsShowRing(t *testing.T) {
	cases := []struct {
		name  string
		open  func(t *testing.T, a *Assistant, d *web.Demo)
		first string // the button focused when it opens
		// confirmed: what Tab, then Enter, did (nil: one button only).
		confirmed func(t *testing.T, a *Assistant)
	}{
		{name: "error", first: "Close",
			open: func(t *testing.T, a *Assistant, _ *web.Demo) {
				act(a, func() { a.showError(errors.New("disk full")) })
			}},
		{name: "cli-command", first: "Close",
			open: func(t *testing.T, a *Assistant, _ *web.Demo) {
				act(a, func() { a.showCLI("assistant products") })
			}},
		{name: "uninstall", first: "Cancel",
			open: func(t *testing.T, a *Assistant, _ *web.Demo) {
				if _, err := a.core.Install(context.Background(), "quill@3.0.2", ""); err != nil {
					t.Fatal(err)
				}
				act(a, a.refreshStates)
				tap(a, a.cards["quill"].uninstall)
			},
			confirmed: func(t *testing.T, a *Assistant) {
				if st, err := a.core.State(context.Background(), "quill"); err != nil || st.State == setup.Installed {
					t.Errorf("after confirming, quill is %+v %v", st, err)
				}
			}},
		{name: "remove-users", first: "Cancel",
			open: func(t *testing.T, a *Assistant, d *web.Demo) {
				act(a, func() { a.selectTab("users") })
				u := a.users
				for _, usr := range u.users {
					if usr.ID != d.ManagerID {
						u.selected[usr.ID] = true
						break
					}
				}
				tap(a, buttonIn(t, u.content(), "Remove the selected users"))
			},
			confirmed: func(t *testing.T, a *Assistant) {
				users, err := a.cfg.Client.AllUsers(context.Background())
				if err != nil || len(users) != 3 {
					t.Errorf("after confirming: %d users %v, want 3", len(users), err)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, d, _ := demoAssistant(t, "en")
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			state := func() (string, int) {
				users, _ := a.cfg.Client.AllUsers(context.Background())
				st, _ := a.core.State(context.Background(), "quill")
				return string(st.State), len(users)
			}
			tc.open(t, a, d)
			before, n := state()
			if b := focusedRing(t, a); b.Text != tc.first {
				t.Fatalf("focused when it opens: %q, want %q", b.Text, tc.first)
			}
			press(a, fyne.KeyEscape)
			if a.win.Canvas().Overlays().Top() != nil {
				t.Fatal("Escape left the dialog open")
			}
			if after, m := state(); after != before || m != n {
				t.Fatalf("Escape changed things: %s, %d users -> %s, %d", before, n, after, m)
			}
			if tc.confirmed == nil {
				return
			}
			tc.open(t, a, d)
			act(a, func() { test.FocusNext(a.win.Canvas()) })
			focusedRing(t, a)
			press(a, fyne.KeyReturn)
			if a.win.Canvas().Overlays().Top() != nil {
				t.Fatal("Enter left the dialog open")
			}
			tc.confirmed(t, a)
		})
	}
}

// With no button focused (the user clicked the dialog's text), Escape and
// Enter still close a dialog: Enter presses its first button.
func TestDialogKeysWithoutFocus(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		t.Run(string(key), func(t *testing.T) {
			a, _, _ := demoAssistant(t, "en")
			c := a.win.Canvas()
			act(a, func() { a.showError(errors.New("disk full")) })
			act(a, func() { c.Unfocus() })
			if c.Focused() != nil || c.OnTypedKey() == nil {
				t.Fatalf("focused %T; a key handler: %v", c.Focused(), c.OnTypedKey() != nil)
			}
			act(a, func() { c.OnTypedKey()(&fyne.KeyEvent{Name: key}) })
			if c.Overlays().Top() != nil {
				t.Fatalf("%s left the dialog open", key)
			}
			if c.OnTypedKey() != nil {
				t.Error("the dialog's key handler stays after it closed")
			}
		})
	}
}

// A dialog is as tall as its message needs at the dialog's width: one
// line of text gets one line's height, not a box sized for one word a
// line.
func TestDialogSizedToText(t *testing.T) {
	a, _, _ := demoAssistant(t, "fr")
	a.win.Resize(fyne.NewSize(1366, 768))
	long := strings.Repeat("Le service n'a pas répondu à temps. ", 8)
	for _, tc := range []struct {
		name     string
		message  string
		maxLines int
	}{
		{"one line", "Une erreur s'est produite.", 1},
		{"a paragraph", long, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			act(a, func() { a.tell("Erreur", theme.ErrorIcon(), tc.message).Show() })
			top := a.win.Canvas().Overlays().Top()
			var label *widget.Label
			var box fyne.Size
			walkObjects(top, func(o fyne.CanvasObject) {
				if w, ok := o.(*widget.Label); ok && w.Text == tc.message {
					label = w
				}
				if fmt.Sprintf("%T", o) == "*widget.Shadow" && box.IsZero() { // the dialog's frame (Fyne's internal type)
					box = o.Size()
				}
			})
			if label == nil {
				t.Fatal("no message in the dialog")
			}
			line := fyne.MeasureText("É", theme.TextSize(), fyne.TextStyle{}).Height
			if most := float32(tc.maxLines)*line + 2*theme.InnerPadding() + 1; label.Size().Height > most {
				t.Errorf("message %v tall, at most %v for %d line(s)", label.Size(), most, tc.maxLines)
			}
			if box.Width > maxDialogWidth+1 || box.Height > label.Size().Height+130 {
				t.Errorf("dialog %v around a message %v", box, label.Size())
			}
			press(a, fyne.KeyEscape)
		})
	}
}
