package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Where a focused button draws its ring: a line this wide, this far
// inside its edge.
const (
	ringWidth = 2
	ringInset = 3
)

// button is a widget.Button that draws a ring while it has the keyboard
// focus. Fyne shows focus by tinting the button, and no one tint differs
// at 3:1 from both a light grey button and a blue one while both texts
// stay readable (TestThemeContrastAA). The ring is in the button's text
// colour, which already reads at 4.5:1 on the button, so it shows on any
// button in either theme.
type button struct {
	widget.Button
	focused bool
}

func newButton(label string, tapped func()) *button {
	return newButtonWithIcon(label, nil, tapped)
}

func newButtonWithIcon(label string, icon fyne.Resource, tapped func()) *button {
	b := &button{Button: widget.Button{Text: label, Icon: icon, OnTapped: tapped}}
	b.ExtendBaseWidget(b)
	return b
}

// FocusGained shows the ring, and scrolls the button into view: Tab
// otherwise moved the keyboard to buttons below the fold.
func (b *button) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
	showObject(b)
}

// FocusLost hides the ring.
func (b *button) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
}

func (b *button) CreateRenderer() fyne.WidgetRenderer {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeWidth = ringWidth
	r := &ringRenderer{WidgetRenderer: b.Button.CreateRenderer(), b: b, ring: ring}
	r.applyRing()
	return r
}

// ringRenderer is a button's own renderer with the ring drawn on top.
type ringRenderer struct {
	fyne.WidgetRenderer
	b    *button
	ring *canvas.Rectangle
}

func (r *ringRenderer) Objects() []fyne.CanvasObject {
	return append(r.WidgetRenderer.Objects(), r.ring)
}

func (r *ringRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.ring.Move(fyne.NewPos(ringInset, ringInset))
	r.ring.Resize(size.SubtractWidthHeight(2*ringInset, 2*ringInset))
}

func (r *ringRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.applyRing()
}

func (r *ringRenderer) applyRing() {
	th := r.b.Theme()
	r.ring.StrokeColor = color.Transparent
	if r.b.focused && !r.b.Disabled() {
		r.ring.StrokeColor = th.Color(focusRingColor(r.b.Importance), fyne.CurrentApp().Settings().ThemeVariant())
	}
	r.ring.CornerRadius = max(th.Size(theme.SizeNameInputRadius)-ringInset, 0)
	r.ring.Refresh()
}

// focusRingColor is the colour of a focused button's ring: the colour of
// its text.
func focusRingColor(imp widget.Importance) fyne.ThemeColorName {
	switch imp {
	case widget.HighImportance:
		return theme.ColorNameForegroundOnPrimary
	case widget.DangerImportance:
		return theme.ColorNameForegroundOnError
	case widget.SuccessImportance:
		return theme.ColorNameForegroundOnSuccess
	case widget.WarningImportance:
		return theme.ColorNameForegroundOnWarning
	}
	return theme.ColorNameForeground
}
