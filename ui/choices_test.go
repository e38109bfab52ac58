package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The window's check list behaves as Fyne's CheckGroup: ticking and
// unticking its boxes, SetSelected, OnChanged, disabled, and laid out
// one under the other or side by side.
func TestCheckList(t *testing.T) {
	test.NewTempApp(t)
	var changes [][]string
	l := newCheckList([]string{"a", "b", "c"}, func(sel []string) { changes = append(changes, slices.Clone(sel)) })
	w := test.NewTempWindow(t, l)
	w.Resize(fyne.NewSize(300, 300))

	test.Tap(l.items[2])
	test.Tap(l.items[0])
	if want := []string{"a", "c"}; !slices.Equal(l.Selected, want) {
		t.Errorf("ticked c then a: %q, want %q (the options' order)", l.Selected, want)
	}
	test.Tap(l.items[2])
	if want := []string{"a"}; !slices.Equal(l.Selected, want) {
		t.Errorf("c unticked: %q, want %q", l.Selected, want)
	}
	l.SetSelected([]string{"b", "nope"})
	if !slices.Equal(l.Selected, []string{"b"}) || l.items[0].Checked || !l.items[1].Checked || l.items[2].Checked {
		t.Errorf("SetSelected: %q, boxes %v %v %v", l.Selected, l.items[0].Checked, l.items[1].Checked, l.items[2].Checked)
	}
	if want := [][]string{{"c"}, {"a", "c"}, {"a"}, {"b"}}; !slices.EqualFunc(changes, want, slices.Equal) {
		t.Errorf("OnChanged saw %q, want %q", changes, want)
	}

	l.Disable()
	for _, c := range l.items {
		if !c.Disabled() {
			t.Errorf("the box %q stays enabled in a disabled list", c.Text)
		}
	}
	test.Tap(l.items[0])
	if !slices.Equal(l.Selected, []string{"b"}) || l.items[0].Checked {
		t.Errorf("a tap on a disabled list changed it: %q", l.Selected)
	}
	l.Enable()
	if l.items[0].Disabled() {
		t.Error("the boxes stay disabled")
	}

	// Space on the box with the keyboard ticks it, as a click does.
	w.Canvas().Focus(l.items[2])
	test.Type(l.items[2], " ")
	if !slices.Equal(l.Selected, []string{"b", "c"}) {
		t.Errorf("Space on c: %q", l.Selected)
	}

	vertical := l.MinSize()
	l.Horizontal = true
	l.Refresh()
	horizontal := l.MinSize()
	if horizontal.Width <= vertical.Width || horizontal.Height >= vertical.Height {
		t.Errorf("side by side %v, one under the other %v", horizontal, vertical)
	}
}

// The window's radio list behaves as Fyne's RadioGroup: one option at a
// time, the one selected stays selected when tapped again, disabled.
func TestRadioList(t *testing.T) {
	test.NewTempApp(t)
	var changes []string
	l := newRadioList([]string{"give", "take"}, func(s string) { changes = append(changes, s) })
	test.NewTempWindow(t, l)
	l.SetSelected("give")
	test.Tap(l.items[1])
	if l.Selected != "take" || l.items[0].Checked || !l.items[1].Checked {
		t.Errorf("tapped take: %q, boxes %v %v", l.Selected, l.items[0].Checked, l.items[1].Checked)
	}
	test.Tap(l.items[1])
	if l.Selected != "take" || !l.items[1].Checked {
		t.Errorf("tapped take again: %q, box %v", l.Selected, l.items[1].Checked)
	}
	l.Disable()
	test.Tap(l.items[0])
	if l.Selected != "take" {
		t.Errorf("a tap on a disabled list changed it: %q", l.Selected)
	}
	if want := []string{"give", "take"}; !slices.Equal(changes, want) {
		t.Errorf("OnChanged saw %q, want %q", changes, want)
	}
}
