package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// entry is a widget.Entry that scrolls itself into view when it gains
// the keyboard, as the buttons do: Tab otherwise moved the keyboard to a
// field below the fold and the screen did not follow.
type entry struct {
	widget.Entry
}

// newEntry is widget.NewEntry's entry.
func newEntry() *entry {
	return extendEntry(&entry{Entry: widget.Entry{Wrapping: fyne.TextWrap(fyne.TextTruncateClip)}})
}

// newPasswordEntry is widget.NewPasswordEntry's entry; the entry adds
// its show/hide button itself when first drawn, and gives the keyboard
// back to this entry, not to the embedded one.
func newPasswordEntry() *entry {
	return extendEntry(&entry{Entry: widget.Entry{Password: true, Wrapping: fyne.TextWrap(fyne.TextTruncateClip)}})
}

// newMultiLineEntry is widget.NewMultiLineEntry's entry.
func newMultiLineEntry() *entry {
	return extendEntry(&entry{Entry: widget.Entry{MultiLine: true, Wrapping: fyne.TextWrap(fyne.TextTruncateClip)}})
}

func extendEntry(e *entry) *entry {
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained scrolls the entry into view.
func (e *entry) FocusGained() {
	e.Entry.FocusGained()
	showObject(e)
}

// check is a widget.Check that scrolls itself into view when it gains
// the keyboard.
type check struct {
	widget.Check
}

func newCheck(label string, changed func(bool)) *check {
	c := &check{Check: widget.Check{Text: label, OnChanged: changed}}
	c.ExtendBaseWidget(c)
	return c
}

// FocusGained scrolls the check box into view.
func (c *check) FocusGained() {
	c.Check.FocusGained()
	showObject(c)
}
