package ui

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// checkList is widget.CheckGroup made of the window's own check boxes:
// Fyne's group makes its boxes itself, and they stayed below the fold
// when Tab gave them the keyboard; these scroll into view. Options are
// set when it is made; Selected lists the options ticked, in the
// options' order.
type checkList struct {
	widget.DisableableWidget
	Horizontal bool
	Options    []string
	Selected   []string
	OnChanged  func([]string)

	items []*check
	box   *fyne.Container
}

func newCheckList(options []string, changed func([]string)) *checkList {
	l := &checkList{Options: slices.Clone(options), OnChanged: changed}
	l.ExtendBaseWidget(l)
	objects := make([]fyne.CanvasObject, len(options))
	for i, option := range options {
		c := newCheck(option, nil)
		c.OnChanged = func(on bool) { l.ticked(option, on) }
		l.items = append(l.items, c)
		objects[i] = c
	}
	l.box = container.New(&cellsLayout{horizontal: &l.Horizontal}, objects...)
	return l
}

// SetSelected ticks options, and only them, as CheckGroup.SetSelected
// does: OnChanged is called.
func (l *checkList) SetSelected(options []string) {
	l.Selected = l.inOrder(func(o string) bool { return slices.Contains(options, o) })
	l.sync()
	if l.OnChanged != nil {
		l.OnChanged(l.Selected)
	}
}

// ticked follows a box the person ticked or unticked.
func (l *checkList) ticked(option string, on bool) {
	if l.Disabled() {
		l.sync() // a disabled box does not change; its list does not either
		return
	}
	l.Selected = l.inOrder(func(o string) bool {
		if o == option {
			return on
		}
		return slices.Contains(l.Selected, o)
	})
	if l.OnChanged != nil {
		l.OnChanged(l.Selected)
	}
}

func (l *checkList) inOrder(keep func(string) bool) []string {
	var sel []string
	for _, o := range l.Options {
		if keep(o) {
			sel = append(sel, o)
		}
	}
	return sel
}

// sync draws each box as Selected and the list's state say.
func (l *checkList) sync() {
	drawBoxes(l.items, l.Disabled(), func(i int) bool { return slices.Contains(l.Selected, l.Options[i]) })
}

// drawBoxes ticks each box that on says, disabled or not with its list,
// and redraws only the boxes that changed. Checked is set, not
// SetChecked, which would call the box's OnChanged again.
func drawBoxes(items []*check, disabled bool, on func(int) bool) {
	for i, c := range items {
		ticked := on(i)
		changed := c.Checked != ticked || c.Disabled() != disabled
		c.Checked = ticked
		if disabled {
			c.Disable()
		} else {
			c.Enable()
		}
		if changed {
			c.Refresh()
		}
	}
}

// Refresh draws the boxes again, disabled with their list.
func (l *checkList) Refresh() {
	l.sync()
	l.box.Refresh()
	l.BaseWidget.Refresh()
}

func (l *checkList) CreateRenderer() fyne.WidgetRenderer {
	l.sync()
	return widget.NewSimpleRenderer(l.box)
}

// radioList is widget.RadioGroup made of the window's own boxes, drawn
// as radio buttons, so that Tab to one scrolls it into view. One option
// is selected at most; ticking the selected one again keeps it.
type radioList struct {
	widget.DisableableWidget
	Horizontal bool
	Options    []string
	Selected   string
	OnChanged  func(string)

	items []*check
	box   *fyne.Container
}

func newRadioList(options []string, changed func(string)) *radioList {
	l := &radioList{Options: slices.Clone(options), OnChanged: changed}
	l.ExtendBaseWidget(l)
	objects := make([]fyne.CanvasObject, len(options))
	for i, option := range options {
		c := newCheck(option, nil)
		c.OnChanged = func(bool) { l.chose(option) }
		l.items = append(l.items, c)
		objects[i] = c
	}
	l.box = container.New(&cellsLayout{horizontal: &l.Horizontal}, objects...)
	return l
}

// SetSelected selects option ("" for none), as RadioGroup.SetSelected
// does: OnChanged is called when it changes.
func (l *radioList) SetSelected(option string) {
	if option == l.Selected {
		return
	}
	l.Selected = option
	l.sync()
	if l.OnChanged != nil {
		l.OnChanged(option)
	}
}

func (l *radioList) chose(option string) {
	if l.Disabled() || option == l.Selected {
		l.sync() // the box the person unticked is ticked again
		return
	}
	l.SetSelected(option)
}

func (l *radioList) sync() {
	drawBoxes(l.items, l.Disabled(), func(i int) bool { return l.Options[i] == l.Selected })
}

// Refresh draws the buttons again, disabled with their list.
func (l *radioList) Refresh() {
	l.sync()
	l.box.Refresh()
	l.BaseWidget.Refresh()
}

func (l *radioList) CreateRenderer() fyne.WidgetRenderer {
	l.sync()
	return widget.NewSimpleRenderer(container.NewThemeOverride(l.box, radioTheme{}))
}

// radioTheme draws the check boxes of a radioList as radio buttons.
type radioTheme struct{}

func (radioTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	switch n {
	case theme.IconNameCheckButton:
		return theme.RadioButtonIcon()
	case theme.IconNameCheckButtonChecked:
		return theme.RadioButtonCheckedIcon()
	case theme.IconNameCheckButtonFill:
		return theme.RadioButtonFillIcon()
	}
	return fyne.CurrentApp().Settings().Theme().Icon(n)
}

func (radioTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return fyne.CurrentApp().Settings().Theme().Color(n, v)
}

func (radioTheme) Font(s fyne.TextStyle) fyne.Resource {
	return fyne.CurrentApp().Settings().Theme().Font(s)
}

func (radioTheme) Size(n fyne.ThemeSizeName) float32 {
	return fyne.CurrentApp().Settings().Theme().Size(n)
}

// cellsLayout lays its objects out as Fyne's check and radio groups do:
// cells of one size, the widest and tallest object's, one under the
// other (or side by side), with no gap between them.
type cellsLayout struct{ horizontal *bool }

func (l *cellsLayout) cell(objects []fyne.CanvasObject) fyne.Size {
	var cell fyne.Size
	for _, o := range objects {
		cell = cell.Max(o.MinSize())
	}
	return cell
}

func (l *cellsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	cell, n := l.cell(objects), float32(len(objects))
	if *l.horizontal {
		return fyne.NewSize(cell.Width*n, cell.Height)
	}
	return fyne.NewSize(cell.Width, cell.Height*n)
}

func (l *cellsLayout) Layout(objects []fyne.CanvasObject, _ fyne.Size) {
	cell := l.cell(objects)
	var at fyne.Position
	for _, o := range objects {
		o.Move(at)
		o.Resize(cell)
		if *l.horizontal {
			at.X += cell.Width
		} else {
			at.Y += cell.Height
		}
	}
}
