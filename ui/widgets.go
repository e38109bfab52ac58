package ui

import (
	"math"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// fitSelect makes a select as wide as its longest option: Fyne sizes a
// select by its placeholder, and cuts the options that are longer.
func fitSelect(sel *widget.Select) *widget.Select {
	longest := ""
	for _, o := range sel.Options {
		if len([]rune(o)) > len([]rune(longest)) {
			longest = o
		}
	}
	sel.PlaceHolder = longest
	return sel
}

// hint is secondary text under a field, wrapped.
func hint(text string) *widget.Label {
	l := wrapped(text)
	l.Importance = widget.LowImportance
	return l
}

// selectable is text the user can select and copy.
func selectable(text string) *entry {
	e := newEntry()
	e.SetText(text)
	e.OnChanged = func(string) { e.SetText(text) } // read-only, yet copyable
	return e
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

// cliButton shows the command that does the same as the screen's action,
// for IT to copy into a script.
func cliButton(a *Assistant, command func() string) *button {
	b := newButtonWithIcon(lang.L("CLI command"), theme.ComputerIcon(), nil)
	b.OnTapped = func() { a.showCLI(command()) }
	return b
}

// showCLI shows a command with a button that copies it.
func (a *Assistant) showCLI(command string) {
	a.lastCLI = command
	text := newMultiLineEntry()
	text.SetText(command)
	text.Wrapping = fyne.TextWrapWord // flags stay whole
	text.SetMinRowsVisible(3)
	copyBtn := newButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		a.app.Clipboard().SetContent(command)
	})
	body := container.NewBorder(wrapped(lang.L("The same action from a terminal or a script (add --json for machine-readable output):")), copyBtn, nil, nil, text)
	d := a.newChoiceDialog(lang.L("CLI command"), nil, body, 0, choice{label: lang.L("Close")})
	d.Resize(fyne.NewSize(640, 260))
	d.Show()
}

func parseURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

// errorLabel is an error shown next to its cause: an error icon and the
// message in the theme's error colour, taking no room while empty.
type errorLabel struct {
	widget.BaseWidget
	icon *widget.Icon
	text *widget.Label
}

func newErrorLabel() *errorLabel {
	e := &errorLabel{icon: widget.NewIcon(theme.NewErrorThemedResource(theme.ErrorIcon())), text: wrapped("")}
	e.text.Importance = widget.DangerImportance
	e.ExtendBaseWidget(e)
	e.Hide()
	return e
}

func (e *errorLabel) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, container.NewVBox(e.icon), nil, e.text))
}

// SetText shows msg, scrolled into view, or hides the label when msg is
// "".
func (e *errorLabel) SetText(msg string) {
	e.text.SetText(msg)
	if msg == "" {
		e.Hide()
	} else {
		e.Show()
		showObject(e)
	}
}

// SetError shows err in words, or hides the label when err is nil.
func (e *errorLabel) SetError(err error) { e.SetText(errorText(err)) }

// Text is the message on show ("" when hidden).
func (e *errorLabel) Text() string { return e.text.Text }

// inOrder is container.NewBorder with its parts in reading order (top,
// left, center, right, bottom). Tab follows the order of a container's
// objects, and NewBorder puts the center first: its Tab went through a
// screen's table before the search above it, and through the screen
// before the language and theme above it.
func inOrder(top, bottom, left, right fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	var objects []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left} {
		if o != nil {
			objects = append(objects, o)
		}
	}
	objects = append(objects, center...)
	for _, o := range []fyne.CanvasObject{right, bottom} {
		if o != nil {
			objects = append(objects, o)
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), objects...)
}

// newProgressBar is widget.NewProgressBar with its percentage written as
// the language spoken writes it: "42 %" in French, not "42%".
func newProgressBar() *widget.ProgressBar {
	b := widget.NewProgressBar()
	b.TextFormatter = func() string { return percentText(b.Value, b.Min, b.Max) }
	return b
}

// percentText is how far value is from low to high, in whole percent.
func percentText(value, low, high float64) string {
	n := 0
	if high > low {
		n = int(math.Floor((min(max(value, low), high) - low) / (high - low) * 100))
	}
	return lang.L("{{.N}}%", map[string]any{"N": n})
}
