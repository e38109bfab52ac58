package ui

import (
	"fmt"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// focusables are the controls of o a person can reach: shown, enabled and
// focusable, in the order of the tree (the order Tab follows).
func focusables(o fyne.CanvasObject) []fyne.Focusable {
	var out []fyne.Focusable
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if f, ok := o.(fyne.Focusable); ok {
			if d, ok := o.(fyne.Disableable); !ok || !d.Disabled() {
				out = append(out, f)
			}
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// tabCycle presses Tab from start until the focus comes back to it, and
// returns what had the focus on the way.
func tabCycle(t *testing.T, a *Assistant, start fyne.Focusable) []fyne.Focusable {
	t.Helper()
	c := a.win.Canvas()
	act(a, func() { c.Focus(start) })
	var order []fyne.Focusable
	for range 200 {
		act(a, c.FocusNext)
		f := c.Focused()
		if f == start || f == nil {
			return order
		}
		order = append(order, f)
	}
	t.Fatalf("Tab never comes back to %T after %d presses", start, len(order))
	return nil
}

// From the keyboard alone: on the sign-in screen Tab goes from the user
// ID to the password, then to Sign in, and reaches every action of the
// window (the language and theme, the demo's credentials, help) before
// coming back.
func TestTabOrderSignIn(t *testing.T) {
	a, _, _ := demoAssistant(t, "en")
	s := a.signin
	order := tabCycle(t, a, s.user)
	if len(order) < 2 || order[0] != fyne.Focusable(s.password) || order[1] != fyne.Focusable(s.signIn) {
		t.Fatalf("after the user ID, Tab goes to %T then %T; want the password, then Sign in", at(order, 0), at(order, 1))
	}
	reached := map[fyne.Focusable]bool{s.user: true}
	for _, f := range order {
		if reached[f] {
			t.Errorf("Tab reaches %T twice in one round", f)
		}
		reached[f] = true
	}
	all := focusables(a.win.Content())
	for _, f := range all {
		if !reached[f] {
			t.Errorf("Tab never reaches %T %q", f, label(f))
		}
	}
	for _, want := range []string{"Sign in", "CLI command", "Use the demo credentials"} {
		found := false
		for f := range reached {
			found = found || label(f) == want
		}
		if !found {
			t.Errorf("Tab never reaches %q", want)
		}
	}
	if len(all) < 8 {
		t.Errorf("only %d controls found: the walk missed some", len(all))
	}
	if n, where := backwards(a, append([]fyne.Focusable{s.user}, order...)); n != 1 {
		t.Errorf("Tab goes back up %d times in one round, want once: %v", n, where)
	}
}

// backwards counts the presses of Tab, round a whole cycle, that go up
// the window, or left along a row: reading order goes back once, from the
// last control to the first.
func backwards(a *Assistant, cycle []fyne.Focusable) (n int, where []string) {
	d := a.app.Driver()
	pos := func(f fyne.Focusable) fyne.Position { return d.AbsolutePositionForObject(f.(fyne.CanvasObject)) }
	for i := range cycle {
		from, to := cycle[i], cycle[(i+1)%len(cycle)]
		p, q := pos(from), pos(to)
		if q.Y < p.Y-4 || (q.Y < p.Y+4 && q.X < p.X) {
			n++
			where = append(where, fmt.Sprintf("%T %q → %T %q", from, label(from), to, label(to)))
		}
	}
	return n, where
}

func at(fs []fyne.Focusable, i int) fyne.Focusable {
	if i < len(fs) {
		return fs[i]
	}
	return nil
}

func label(f fyne.Focusable) string {
	switch w := f.(type) {
	case *widget.Button:
		return w.Text
	case *button:
		return w.Text
	case *widget.Entry:
		return w.PlaceHolder
	case *entry:
		return w.PlaceHolder
	}
	return ""
}

// The users table from the keyboard: Tab reaches it from the search in a
// few presses (not through one check box per row), the arrows move among
// the rows, and Space ticks the row that has the focus.
func TestUsersTableKeyboard(t *testing.T) {
	a, d, _ := demoAssistant(t, "en")
	signInFirstTime(t, a, d.ManagerID, d.TempPassword)
	act(a, func() { a.tabs.SelectIndex(1) })
	u := a.users
	tb := u.table
	c := a.win.Canvas()
	order := tabCycle(t, a, tb.search)
	steps := -1
	for i, f := range order {
		if f == fyne.Focusable(tb.table) {
			steps = i + 1
			break
		}
	}
	if steps < 0 {
		t.Fatal("Tab never reaches the users table")
	}
	if steps > 6 {
		t.Errorf("%d presses of Tab from the search to the table, want at most 6", steps)
		for _, f := range order[:steps] {
			t.Logf("%T %q", f, label(f))
		}
	}
	for _, f := range order {
		_, fyneCheck := f.(*widget.Check)
		_, ownCheck := f.(*check)
		if fyneCheck || ownCheck {
			t.Errorf("a row's check box takes the focus (%T): the rows are ticked through the table", f)
			break
		}
	}
	if n, where := backwards(a, append([]fyne.Focusable{tb.search}, order...)); n != 1 {
		t.Errorf("Tab goes back up %d times in one round of the users tab, want once: %v", n, where)
	}
	act(a, func() { c.Focus(tb.table) })
	key := func(name fyne.KeyName) { act(a, func() { c.Focused().TypedKey(&fyne.KeyEvent{Name: name}) }) }
	key(fyne.KeyDown)
	key(fyne.KeySpace)
	second := &tb.all[tb.shown[1]]
	if !u.selected[second.ID] || u.selected[tb.all[tb.shown[0]].ID] {
		t.Fatalf("Down then Space ticked %v, want the second row only (%s)", u.selected, second.Email)
	}
	key(fyne.KeySpace)
	if u.selected[second.ID] {
		t.Error("Space again does not untick the row")
	}
}

// A focused button draws its ring, in its text colour, and only while it
// has the focus.
func TestFocusedButtonShowsRing(t *testing.T) {
	a, _, _ := demoAssistant(t, "en")
	s := a.signin
	ring := func() color.Color {
		r := test.WidgetRenderer(s.signIn).(*ringRenderer)
		return r.ring.StrokeColor
	}
	if _, _, _, alpha := ring().RGBA(); alpha != 0 {
		t.Errorf("the ring shows without focus: %v", ring())
	}
	act(a, func() { a.win.Canvas().Focus(s.signIn) })
	want := a.app.Settings().Theme().Color(theme.ColorNameForegroundOnPrimary, a.app.Settings().ThemeVariant())
	if got := ring(); got != want {
		t.Errorf("focused Sign in: ring %v, want the button's text colour %v", got, want)
	}
	act(a, func() { a.win.Canvas().Focus(s.user) })
	if _, _, _, alpha := ring().RGBA(); alpha != 0 {
		t.Errorf("the ring stays after the focus left: %v", ring())
	}
}
